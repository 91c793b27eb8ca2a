// Completes dist/libs/sdk after tsup (run by the Nx build target, from any cwd):
//  - copies package.json (and README.md) next to dist/, so `npm pack dist/libs/sdk` works;
//  - makes the bundled .d.ts re-exports type-only: rollup-plugin-dts turns `export type { RtmClient }`
//    into `export { RtmClient }`, which would let apps import the (runtime-absent) classes as values
//    (the named runtime exports of src/index.ts, VALUE_EXPORTS, stay values).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkDir = path.resolve(here, '..');
const pkgDir = path.resolve(sdkDir, '../../dist/libs/sdk');

for (const file of ['package.json', 'README.md']) {
  const from = path.join(sdkDir, file);
  if (fs.existsSync(from)) fs.copyFileSync(from, path.join(pkgDir, file));
}

/** Named runtime exports of src/index.ts besides the default export. */
const VALUE_EXPORTS = new Set(['END_CALL_PREFIX']);

for (const file of ['index.d.ts', 'index.d.mts']) {
  const target = path.join(pkgDir, 'dist', file);
  const text = fs.readFileSync(target, 'utf8');
  const fixed = text.replace(/^export \{([^}]*)\};$/gm, (_all, list) => {
    const names = list
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const typed = names.map((n) => (n.startsWith('type ') || / as default$/.test(n) || VALUE_EXPORTS.has(n) ? n : `type ${n}`));
    return `export { ${typed.join(', ')} };`;
  });
  if (!/export \{[^}]*AgoraRTM as default/.test(fixed)) throw new Error(`${file}: default export missing`);
  fs.writeFileSync(target, fixed);
}
console.log(`finalized ${path.relative(process.cwd(), pkgDir)}`);
