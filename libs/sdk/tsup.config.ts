/**
 * Build of @parley/rtm-sdk into dist/libs/sdk (run from the workspace root:
 * `tsup --config libs/sdk/tsup.config.ts`):
 *   dist/index.js         CommonJS; `require('@parley/rtm-sdk')` returns the AgoraRTM object itself
 *   dist/index.mjs        ESM (default export)
 *   dist/parley-rtm.js    IIFE for <script>: global `AgoraRTM`, all dependencies bundled (readable)
 *   dist/parley-rtm.min.js  the same, minified (both with a source map; every gateway serves them at /sdk/)
 *   dist/index.d.ts / .d.mts  typings (`export default`); finalize-dist adds dist/index.d.cts (`export =`, for `require`)
 * AgoraRTM.VERSION is libs/sdk/package.json's version, injected here (`define`).
 * @parley/contracts is bundled in; msgpackr and events stay dependencies (except in the IIFE).
 * The Nx `build` target then runs scripts/finalize-dist.mjs (package.json + README next to dist/,
 * type-only exports in the .d.ts) so that `npm pack dist/libs/sdk` yields the package.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defineConfig, type Options } from 'tsup';

const root = path.resolve(__dirname, '../..');
const pkgDir = path.join(root, 'dist/libs/sdk');
/** The one place the SDK's version is written (src/version.ts reads the injected global). */
const { version } = JSON.parse(readFileSync(path.join(__dirname, 'package.json'), 'utf8')) as { version: string };
const common: Options = {
  entry: { index: path.join(__dirname, 'src/index.ts') },
  tsconfig: path.join(__dirname, 'tsconfig.lib.json'),
  outDir: path.join(pkgDir, 'dist'),
  target: 'es2020',
  sourcemap: true,
  noExternal: ['@parley/contracts'],
  define: { __PARLEY_SDK_VERSION__: JSON.stringify(version) },
};

/** The script-tag build: `window.AgoraRTM`, every dependency inside. */
function iife(name: string, minify: boolean): Options {
  return {
    ...common,
    entry: { [name]: path.join(__dirname, 'src/index.ts') },
    format: ['iife'],
    platform: 'browser',
    globalName: 'AgoraRTM',
    minify,
    noExternal: [/.*/],
    outExtension: () => ({ js: '.js' }),
    // The IIFE namespace object holds `default`; expose the AgoraRTM object itself as the global.
    footer: { js: 'AgoraRTM = AgoraRTM.default;' },
  };
}

export default defineConfig([
  {
    ...common,
    format: ['cjs', 'esm'],
    platform: 'neutral',
    clean: true,
    dts: true,
    // agora-rtm-sdk's UMD shape: require() returns the AgoraRTM object itself, not { default }.
    // (tsup's cjsInterop would also rewrite the CJS typings to `export =`; we keep `export default`.)
    footer: ({ format }) => (format === 'cjs' ? { js: 'module.exports = module.exports.default;' } : {}),
    splitting: false,
    external: ['msgpackr', 'events'],
  },
  iife('parley-rtm', false),
  iife('parley-rtm.min', true),
]);
