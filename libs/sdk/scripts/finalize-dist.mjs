// Completes dist/libs/sdk after tsup (run by the Nx build target, from any cwd):
//  - copies package.json, README.md and the repository LICENSE next to dist/, so `npm pack dist/libs/sdk` works;
//  - makes the bundled .d.ts re-exports type-only: rollup-plugin-dts turns `export type { RtmClient }`
//    into `export { RtmClient }`, which would let apps import the (runtime-absent) classes as values
//    (the named runtime exports of src/index.ts, VALUE_EXPORTS, stay values);
//  - writes dist/index.d.cts, the typings of `require('@parley/rtm-sdk')` (package.json's `require`
//    condition): the CommonJS build's module.exports IS the AgoraRTM object (its `default` too), so
//    those typings say `export =` of it, with every type as a member of its namespace
//    (`import AgoraRTM = require(...)`, `import type { RtmClient } from ...` in a .cts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkDir = path.resolve(here, '..');
const pkgDir = path.resolve(sdkDir, '../../dist/libs/sdk');

for (const file of ['package.json', 'README.md', '../../LICENSE']) {
  const from = path.join(sdkDir, file);
  if (fs.existsSync(from)) fs.copyFileSync(from, path.join(pkgDir, path.basename(file)));
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
  if (file === 'index.d.ts') fs.writeFileSync(path.join(pkgDir, 'dist/index.d.cts'), commonJsTypings(fixed));
}

/**
 * `export { type A, B, AgoraRTM as default };` → `export =` of a namespace holding AgoraRTM's
 * properties (read from the CommonJS build itself), `default` (the object again) and the types.
 */
function commonJsTypings(esm) {
  const exportLines = esm.match(/^export .*$/gm) ?? [];
  if (exportLines.length !== 1) throw new Error(`index.d.ts: expected one export statement, found ${exportLines.length}`);
  const types = /^export \{([^}]*)\};$/
    .exec(exportLines[0])[1]
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.startsWith('type '));
  const members = Object.keys(require(path.join(pkgDir, 'dist/index.js')));
  const clash = members.filter((m) => types.some((t) => t.split(' ').at(-1) === m));
  if (clash.length) throw new Error(`index.d.cts: ${clash.join(', ')} would be both a property and a type`);
  return `${esm.replace(exportLines[0], '')}
/** require('@parley/rtm-sdk') is the AgoraRTM object itself (also as its \`default\`); the types are members. */
declare namespace _exports {
  export { ${types.join(', ')}, AgoraRTM as default };
${members.map((m) => `  export const ${m}: (typeof AgoraRTM)['${m}'];`).join('\n')}
}
export = _exports;
`;
}
