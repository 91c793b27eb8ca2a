/**
 * The built package (after `nx run sdk:build`): CommonJS `require()` returns the AgoraRTM object
 * itself, ESM has it as the default export, and the IIFE defines the global; in plain Node (not
 * jest's transform) both load node:fs lazily for file uploads and downloads. Skipped when not built.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { HistoryPatterns, HistorySubjects, MetadataPatterns, Patterns, SERVICES } from '@parley/contracts/internal';
import { FakeGateway } from './fake-gateway';
import { APP_ID } from './helpers';

const pkgDir = path.resolve(__dirname, '../../../dist/libs/sdk');
const built = fs.existsSync(path.join(pkgDir, 'dist/index.js'));

(built ? describe : describe.skip)('built package dist/libs/sdk', () => {
  it('has package.json next to dist/ with the entry points', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@parley/rtm-sdk');
    const { import: esm, require: cjs } = pkg.exports['.'];
    for (const file of [pkg.main, pkg.module, pkg.types, pkg.unpkg, pkg.jsdelivr, esm.types, esm.default, cjs.types, cjs.default, 'LICENSE']) {
      expect([file, fs.existsSync(path.join(pkgDir, file))]).toEqual([file, true]);
    }
    expect(pkg.repository).toMatchObject({ type: 'git', directory: 'libs/sdk' });
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['events', 'msgpackr']);
  });

  it('every build reports the version of libs/sdk/package.json (the one place it is written)', () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../package.json'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version).toBe(version);
    expect(require(path.join(pkgDir, 'dist/index.js')).VERSION).toBe(version);
    const esmUrl = JSON.stringify(pathToFileURL(path.join(pkgDir, 'dist/index.mjs')).href);
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `console.log((await import(${esmUrl})).default.BUILD)`], { encoding: 'utf8' });
    expect(esm.trim()).toBe(`parley-rtm-sdk-${version}`);
    for (const file of ['parley-rtm.js', 'parley-rtm.min.js']) {
      const context = vm.createContext({ TextEncoder, TextDecoder, setTimeout, clearTimeout, console });
      vm.runInContext(fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8'), context);
      expect([file, (context as { AgoraRTM: { VERSION: string } }).AgoraRTM.VERSION]).toEqual([file, version]);
    }
  });

  it('the CommonJS typings are `export =` of the AgoraRTM object, with every runtime property and the types', () => {
    const dts = fs.readFileSync(path.join(pkgDir, 'dist/index.d.cts'), 'utf8');
    expect(dts.trimEnd().endsWith('export = _exports;')).toBe(true);
    expect(dts).toMatch(/export \{[^}]*type RtmClient,[^}]*AgoraRTM as default \};/);
    for (const key of Object.keys(require(path.join(pkgDir, 'dist/index.js')))) expect(dts).toContain(`export const ${key}: `);
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

  it.each(['parley-rtm.js', 'parley-rtm.min.js'])('the IIFE %s defines the global AgoraRTM and bundles everything', (file) => {
    const code = fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8');
    expect(code).not.toMatch(/\brequire\(/);
    expect(code.trimEnd().endsWith(`//# sourceMappingURL=${file}.map`)).toBe(true);
    expect(fs.existsSync(path.join(pkgDir, 'dist', `${file}.map`))).toBe(true);
    const context = vm.createContext({ TextEncoder, TextDecoder, setTimeout, clearTimeout, console });
    vm.runInContext(code, context);
    const AgoraRTM = (context as { AgoraRTM: { createInstance: unknown; VERSION: string } }).AgoraRTM;
    expect(typeof AgoraRTM.createInstance).toBe('function');
    expect(() => (AgoraRTM.createInstance as (id: string) => unknown)('bad')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
  });

  it('ships none of the internal contracts: no service subject, stream or NATS body kind', () => {
    const internalNames = [
      ...Object.values(Patterns).flatMap((group): string[] =>
        typeof group === 'function' ? SERVICES.map(group) : Object.values(group as Record<string, string>),
      ),
      ...Object.values(MetadataPatterns),
      ...Object.values(HistoryPatterns),
      HistorySubjects.consumer,
      'channel_recent',
      'svc.media.upload',
      // keys of the internal maps survive minification
      'OFFLINE_STORED',
      'leaveSession',
      'confirmAccept',
    ];
    expect(internalNames.length).toBeGreaterThan(30);
    for (const file of ['parley-rtm.js', 'parley-rtm.min.js', 'index.js', 'index.mjs', 'index.d.ts']) {
      const code = fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8');
      expect(internalNames.filter((name) => code.includes(name))).toEqual([]);
    }
  });

  it('the typings export the classes as types only', () => {
    for (const file of ['index.d.ts', 'index.d.mts']) {
      const dts = fs.readFileSync(path.join(pkgDir, 'dist', file), 'utf8');
      expect(dts).toMatch(/export \{[^}]*type RtmClient,[^}]*AgoraRTM as default \};/);
    }
  });

  describe('files in plain Node (node:fs loaded on first use)', () => {
    let gw: FakeGateway;
    let tmp: string;
    beforeAll(async () => {
      gw = await FakeGateway.start();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dist-'));
    });
    afterAll(async () => {
      await gw.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Uploads a file path and downloads it to another file with the built package, in a child node process. */
    function roundTrip(format: 'cjs' | 'esm'): Promise<{ code: number; output: string; source: string; target: string }> {
      const source = path.join(tmp, `${format}-in.txt`);
      const target = path.join(tmp, `${format}-out.txt`);
      fs.writeFileSync(source, `hello from ${format}`.repeat(1000));
      const load =
        format === 'cjs'
          ? `const AgoraRTM = require(${JSON.stringify(path.join(pkgDir, 'dist/index.js'))});`
          : `const { default: AgoraRTM } = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, 'dist/index.mjs')).href)});`;
      const script = `(async () => {
        ${load}
        AgoraRTM.setWebSocketImplementation(require(${JSON.stringify(require.resolve('ws'))}));
        const client = AgoraRTM.createInstance(${JSON.stringify(APP_ID)}, { serverUrl: ${JSON.stringify(gw.url)}, logFilter: AgoraRTM.LOG_FILTER_OFF });
        await client.login({ uid: '${format}' });
        const message = await client.createFileMessageByUploading(${JSON.stringify(source)});
        await client.downloadMediaToFile(message.mediaId, ${JSON.stringify(target)});
        await client.logout();
        console.log(message.fileName);
      })().catch((err) => { console.error(err); process.exit(1); });`;
      return new Promise((resolve) => {
        execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}`, source, target });
        });
      });
    }

    it.each(['cjs', 'esm'] as const)(
      '%s: uploads a file path and downloads to a file',
      async (format) => {
        const run = await roundTrip(format);
        expect(run).toMatchObject({ code: 0, output: `${format}-in.txt\n` });
        expect(fs.readFileSync(run.target).equals(fs.readFileSync(run.source))).toBe(true);
      },
      30_000,
    );
  });
});
