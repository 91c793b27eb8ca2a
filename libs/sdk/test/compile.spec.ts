/**
 * Source compatibility: test/agora-app/app.ts — an app written for agora-rtm-sdk 1.6.0 (+1.4.5
 * media API) — must type-check against the SDK source, and, once `nx build sdk` ran, against the
 * published typings (ESM .d.mts with bundler resolution, CJS .d.ts with node10 resolution; both
 * without @types/node and with skipLibCheck off, so the typings are self-contained).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const appDir = path.join(__dirname, 'agora-app');
const distDir = path.resolve(__dirname, '../../../dist/libs/sdk/dist');
const tsc = require.resolve('typescript/bin/tsc');

function typecheck(config: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', path.join(appDir, config)], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('agora-rtm-sdk 1.6.0 app compiles against Parley', () => {
  const builtEsm = fs.existsSync(path.join(distDir, 'index.d.mts'));
  const builtCjs = fs.existsSync(path.join(distDir, 'index.d.ts'));
  // Started together: each tsc takes a few seconds.
  const runs = {
    source: typecheck('tsconfig.json'),
    esm: builtEsm ? typecheck('tsconfig.dist.json') : undefined,
    cjs: builtCjs ? typecheck('tsconfig.dist-cjs.json') : undefined,
  };

  it('against the SDK source', async () => {
    expect(await runs.source).toEqual({ code: 0, output: '' });
  }, 60_000);

  (builtEsm ? it : it.skip)(
    'against the built ESM typings (dist/libs/sdk/dist/index.d.mts)',
    async () => {
      expect(await runs.esm).toEqual({ code: 0, output: '' });
    },
    60_000,
  );

  (builtCjs ? it : it.skip)(
    'against the built CJS typings (dist/libs/sdk/dist/index.d.ts)',
    async () => {
      expect(await runs.cjs).toEqual({ code: 0, output: '' });
    },
    60_000,
  );
});
