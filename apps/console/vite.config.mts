import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** `nx run console:serve` / `preview` borrow a running gateway's config.json and WebSocket (npm start: :8080). */
const gateway = process.env['PARLEY_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
const proxy = { '/console/config.json': gateway, '/v1/ws': { target: gateway, ws: true } };
const sdkVersion: string = JSON.parse(readFileSync(here('../../libs/sdk/package.json'), 'utf8')).version;

/** The web console: Preact (TSX through Vite's own transform), served by every gateway at /console/. */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  // The SDK's version, as its own build injects it (libs/sdk/src/version.ts).
  define: { __PARLEY_SDK_VERSION__: JSON.stringify(sdkVersion) },
  resolve: {
    alias: {
      '@parley/rtm-sdk': here('../../libs/sdk/src/index.ts'),
      '@parley/contracts': here('../../libs/contracts/src/index.ts'),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: here('../../dist/apps/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2020',
  },
});
