# syntax=docker/dockerfile:1
# One image for every Parley app. The first argument (or $APP) chooses what runs:
#   docker run IMAGE gateway|presence|channel|attributes|invitation|media|history|api|webhooks   (default: gateway)
#   docker run IMAGE migrate [deploy|status]    prisma/migrations → $DATABASE_URL (tools/migrate)
#   docker run IMAGE parley app create …         the admin CLI
# Build: docker build -t ghcr.io/parley/parley:0.1.0 .        Operations: docs/operations.md
ARG NODE_VERSION=24.21.0

# --- build: every app bundled by Nx (webpack; node_modules stay external) ---------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
ENV CI=true NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
COPY package.json package-lock.json ./
# No install scripts: prisma's would download native engines; nothing Parley builds needs one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# generate never runs the schema engine; /bin/false stops the CLI from downloading it.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_HIDE_UPDATE_MESSAGE=1 npx prisma generate
RUN npx nx run-many -t build --projects=tag:type:app --output-style=static

# --- deps: production node_modules only --------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Then drop what is there only as an optional peer of a production package and otherwise a dev
# dependency ("devOptional" in the lockfile: the prisma CLI, Prisma Studio, typescript): −250 MB.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node -e "const fs = require('node:fs'); for (const [path, pkg] of Object.entries(require('./package-lock.json').packages)) if (path && pkg.devOptional) fs.rmSync(path, { recursive: true, force: true });" \
 && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="parley" \
      org.opencontainers.image.description="Self-hosted, horizontally scaled real-time signaling (agora-rtm-sdk 1.x compatible)" \
      org.opencontainers.image.licenses="Apache-2.0"
# HOST/PORT: listen on every interface, one fixed port per container (health, /metrics, the
# gateway's WebSocket /v1/ws, the api's server API; the api's own default 8090 is for `npm start`).
# The README's defaults (127.0.0.1, port 0) suit `npm start` only. NODE_ENV=production: the api
# refuses to start without ADMIN_TOKEN (16+ characters).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 APP=gateway
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# The migration tool's WebAssembly schema engine is a dev dependency: copied alone, not all dev deps.
COPY --from=build /src/node_modules/@prisma/schema-engine-wasm ./node_modules/@prisma/schema-engine-wasm
COPY --from=build /src/dist/apps ./dist/apps
# The SDK's script-tag bundle, served by every gateway at /sdk/ (its package.json gives the version path).
COPY --from=build /src/dist/libs/sdk ./dist/libs/sdk
COPY package.json prisma.config.ts ./
COPY prisma ./prisma
COPY tools/migrate ./tools/migrate
COPY deploy/docker ./deploy/docker
# Files stay root-owned and read-only for the app user (the root filesystem can be read-only).
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.mjs", "/health/live"]
ENTRYPOINT ["/bin/sh", "/app/deploy/docker/entrypoint.sh"]
CMD []
