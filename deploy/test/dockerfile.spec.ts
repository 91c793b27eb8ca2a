import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DockerfileContext, dockerfileProblems, dockerignore, parseDockerfile } from './support/dockerfile';
import { ROOT, exists, listFiles, parleyApps, parseYamlDocuments, read } from './support/repo';

const ctx = (ignore = read('.dockerignore')): DockerfileContext => ({
  apps: parleyApps(),
  ignored: dockerignore(ignore),
  exists,
  filesUnder: (path) => (statSync(join(ROOT, path)).isDirectory() ? listFiles(path) : [path]),
  entrypoint: (path) => (exists(path) ? read(path) : undefined),
  nodeMajor: Number(/\d+/.exec((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node)?.[0]),
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');

  it('builds every app in one stage and runs them from a slim, non-root runtime stage', () => {
    expect(dockerfileProblems(text, ctx())).toEqual([]);
  });

  it('has a build, a production-dependencies and a runtime stage on one pinned Node image', () => {
    const { stages } = parseDockerfile(text);
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(new Set(stages.map((s) => s.image))).toEqual(new Set([expect.stringMatching(/^node:24\.\d+\.\d+-bookworm-slim$/)]));
  });

  it('builds what the gateways serve: the SDK bundle and the console come with the gateway build', () => {
    const gateway = JSON.parse(read('apps/gateway/project.json')) as { targets: { build: { dependsOn?: Array<{ projects?: string[]; target: string }> } } };
    const before = (gateway.targets.build.dependsOn ?? []).filter((d) => d.target === 'build').flatMap((d) => d.projects ?? []);
    expect(before).toContain('sdk');
    if (exists('apps/console/project.json')) expect(before).toContain('console');
  });

  it('starts each app with its Node/V8 flags from node-flags.json (the same file npm start and the tests read), PARLEY_NODE_FLAGS replacing them', () => {
    // A `node` first on PATH that prints how it was called, and runs the entrypoint's `node -e` for real.
    const bin = mkdtempSync(join(tmpdir(), 'parley-entry-'));
    writeFileSync(join(bin, 'node'), `#!/bin/sh\nif [ "$1" = "-e" ]; then exec "${process.execPath}" "$@"; fi\necho "$@"\n`, { mode: 0o755 });
    const run = (app: string, env: Record<string, string> = {}) =>
      execFileSync('sh', [join(ROOT, 'deploy/docker/entrypoint.sh'), app], { env: { PATH: `${bin}:${process.env['PATH']}`, ...env }, encoding: 'utf8' }).trim();
    try {
      const flags = JSON.parse(read('deploy/docker/node-flags.json')) as Record<string, unknown>;
      expect(flags['gateway']).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/), '--single-threaded-gc']);
      expect(run('gateway')).toBe(`--enable-source-maps ${(flags['gateway'] as string[]).join(' ')} dist/apps/gateway/main.js`);
      expect(run('presence')).toBe('--enable-source-maps dist/apps/presence/main.js');
      expect(run('gateway', { PARLEY_NODE_FLAGS: '--max-semi-space-size=32 --trace-gc' })).toBe(
        '--enable-source-maps --max-semi-space-size=32 --trace-gc dist/apps/gateway/main.js',
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('runs as the uid the Kubernetes manifests declare', () => {
    const user = parseDockerfile(text)
      .stages.at(-1)!
      .steps.findLast((s) => s.keyword === 'USER')!.args;
    const [deployment] = parseYamlDocuments(read('deploy/k8s/base/gateway.yaml'), 'gateway.yaml') as Array<{
      spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } };
    }>;
    const sc = deployment!.spec.template.spec.securityContext;
    expect(user).toBe(`${sc.runAsUser}:${sc.runAsGroup}`);
  });

  it('.dockerignore keeps installed and generated files out of the context, the image scripts in', () => {
    const ignored = dockerignore(read('.dockerignore'));
    for (const path of [
      'node_modules/x/index.js',
      'apps/gateway/node_modules/x',
      'dist/apps/gateway/main.js',
      '.git/HEAD',
      '.env',
      'deploy/compose/.env',
      'libs/platform/src/prisma/generated/client.ts',
      'deploy/k8s/base/gateway.yaml',
    ]) {
      expect([path, ignored(path)]).toEqual([path, true]);
    }
    for (const path of ['package.json', 'apps/gateway/src/main.ts', 'prisma/schema.prisma', 'tools/migrate/cli.mjs', 'deploy/docker/entrypoint.sh']) {
      expect([path, ignored(path)]).toEqual([path, false]);
    }
  });

  const replace = (from: RegExp, to: string) => (t: string) => {
    expect(t).toMatch(from);
    return t.replace(from, to);
  };
  const mutations: Array<[string, (t: string) => string, RegExp]> = [
    ['it runs as root', replace(/^USER .*$/m, 'USER 0'), /USER is root/],
    ['it has no USER', replace(/^USER .*$/m, ''), /no USER/],
    ['USER is a name Kubernetes cannot verify', replace(/^USER .*$/m, 'USER node'), /should be numeric/],
    ['it has no HEALTHCHECK', replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /no HEALTHCHECK/],
    ['the HEALTHCHECK probes something else', replace(/\/health\/live/, '/'), /HEALTHCHECK must probe \/health\/live/],
    ['the base image floats', replace(/^ARG NODE_VERSION=.*$/m, 'ARG NODE_VERSION=latest'), /floating tag|not a pinned version/],
    ['the base image is only a major version', replace(/^ARG NODE_VERSION=.*$/m, 'ARG NODE_VERSION=24'), /not a pinned version/],
    ['the base image is an old Node', replace(/^ARG NODE_VERSION=.*$/m, 'ARG NODE_VERSION=20.19.5'), /Node 24 or newer/],
    ['it is a single stage', () => 'FROM node:24.21.0-bookworm-slim\nUSER 1000\n', /multi-stage build expected/],
    ['production dependencies include dev ones', replace(/npm ci --omit=dev/, 'npm ci'), /node_modules must come from `npm ci --omit=dev`/],
    ['prisma generate may download engines', replace(/PRISMA_SCHEMA_ENGINE_BINARY=\/bin\/false /, ''), /PRISMA_SCHEMA_ENGINE_BINARY/],
    ['the migration tool is left out', replace(/^COPY tools\/migrate .*$/m, ''), /tools\/migrate is not copied/],
    ['the SDK bundle is left out', replace(/^COPY --from=build \/src\/dist\/libs\/sdk .*$/m, ''), /dist\/libs\/sdk must be copied/],
    [
      'the builds land elsewhere',
      replace(/^COPY --from=build \/src\/dist\/apps \.\/dist\/apps$/m, 'COPY --from=build /src/dist/apps ./apps'),
      /dist\/apps must be copied/,
    ],
    [
      'it copies a file that does not exist',
      replace(/^COPY prisma \.\/prisma$/m, 'COPY prisma ./prisma\nCOPY nonexistent.json ./'),
      /COPY nonexistent.json: no such file/,
    ],
    ['the apps listen on 127.0.0.1', replace(/HOST=0\.0\.0\.0 /, ''), /ENV HOST=0.0.0.0 missing/],
    ['the port is not exposed', replace(/^EXPOSE 8080$/m, 'EXPOSE 9090'), /EXPOSE must include ENV PORT/],
    ['an instruction is misspelled', replace(/^WORKDIR \/app$/m, 'WORKDR /app'), /dockerfile-utils: .*Unknown instruction: WORKDR/],
  ];

  describe('fails when', () => {
    it.each(mutations)('%s', (_what, mutate, expected) => {
      expect(dockerfileProblems(mutate(text), ctx()).join('\n')).toMatch(expected);
    });

    it('.dockerignore drops a file the image needs', () => {
      expect(dockerfileProblems(text, ctx(`${read('.dockerignore')}\ntools\n`)).join('\n')).toMatch(/COPY tools\/migrate: excluded by .dockerignore/);
    });
  });
});
