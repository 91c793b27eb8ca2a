/**
 * The built package (after `nx run sdk:build`): CommonJS `require()` returns the AgoraRTM object
 * itself, ESM has it as the default export, and the IIFE defines the global. Skipped when not built.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

const pkgDir = path.resolve(__dirname, '../../../dist/libs/sdk');
const built = fs.existsSync(path.join(pkgDir, 'dist/index.js'));

(built ? describe : describe.skip)('built package dist/libs/sdk', () => {
  it('has package.json next to dist/ with the entry points', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@parley/rtm-sdk');
    for (const file of [pkg.main, pkg.module, pkg.types, pkg.exports['.'].import.types, pkg.exports['.'].require.default]) {
      expect(fs.existsSync(path.join(pkgDir, file))).toBe(true);
    }
  });

  it('require() returns the AgoraRTM object itself (no .default wrapper, no __esModule)', () => {
    const AgoraRTM = require(path.join(pkgDir, 'dist/index.js'));
    expect(typeof AgoraRTM.createInstance).toBe('function');
    expect(AgoraRTM.ConnectionState.CONNECTED).toBe('CONNECTED');
    expect('__esModule' in AgoraRTM).toBe(false);
    expect(AgoraRTM.default).toBe(AgoraRTM);
    expect(AgoraRTM.END_CALL_PREFIX).toBe('AgoraRTMLegacyEndcallCompatibleMessagePrefix');
  });

  it('ESM exports END_CALL_PREFIX by name too, and the typings declare it as a value', () => {
    const esm = fs.readFileSync(path.join(pkgDir, 'dist/index.mjs'), 'utf8');
    expect(esm).toMatch(/export \{[^}]*\bEND_CALL_PREFIX\b[^}]*\}/);
    for (const file of ['index.d.ts', 'index.d.mts']) {
      const dts = fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8');
      expect(dts).toMatch(/export \{[^}]*[ ,]END_CALL_PREFIX,[^}]*\};/);
      expect(dts).not.toMatch(/type END_CALL_PREFIX/);
    }
  });

  it('the IIFE defines the global AgoraRTM and bundles everything', () => {
    const code = fs.readFileSync(path.join(pkgDir, 'dist/index.global.js'), 'utf8');
    expect(code).not.toMatch(/\brequire\(/);
    const context = vm.createContext({ TextEncoder, TextDecoder, setTimeout, clearTimeout, console });
    vm.runInContext(code, context);
    const AgoraRTM = (context as { AgoraRTM: { createInstance: unknown; VERSION: string } }).AgoraRTM;
    expect(typeof AgoraRTM.createInstance).toBe('function');
    expect(() => (AgoraRTM.createInstance as (id: string) => unknown)('bad')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
  });

  it('the typings export the classes as types only', () => {
    for (const file of ['index.d.ts', 'index.d.mts']) {
      const dts = fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8');
      expect(dts).toMatch(/export \{[^}]*type RtmClient,[^}]*AgoraRTM as default \};/);
    }
  });
});
