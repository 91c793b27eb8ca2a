import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, Stack, workspaceRoot, type TestApp } from '@parley/testing';

const run = promisify(execFile);
const root = workspaceRoot();
const sdkVersion: string = JSON.parse(readFileSync(join(root, 'libs/sdk/package.json'), 'utf8')).version;
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** A strict app of its own, outside the workspace, resolving the package as ESM (.mts) and as CommonJS (.cts). */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: [],
    skipLibCheck: false,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
  },
  include: ['*.mts', '*.cts'],
};

const ESM_APP = `import AgoraRTM, { END_CALL_PREFIX } from '@parley/rtm-sdk';
import type { RtmChannel, RtmClient, RtmMessage, RtmTextMessage } from '@parley/rtm-sdk';

AgoraRTM.setServerUrl(['ws://127.0.0.1:8080/v1/ws']);
const client: RtmClient = AgoraRTM.createInstance('0123456789abcdef0123456789abcdef');
client.on('ConnectionStateChanged', (state: string, reason: string) => void [state, reason]);
client.on('MessageFromPeer', (message: RtmMessage, peerId: string) => {
  if (message.messageType === 'TEXT') void (message as RtmTextMessage).text, peerId;
});
const channel: RtmChannel = client.createChannel('lobby');
export async function send(): Promise<boolean> {
  await client.login({ uid: 'alice' });
  await channel.join();
  const result = await client.sendMessageToPeer({ text: 'hi' }, 'bob', { enableOfflineMessaging: true });
  return result.hasPeerReceived;
}
export const prefix: string = END_CALL_PREFIX;
export const version: string = AgoraRTM.VERSION;
`;

/** CommonJS: `require()` gives the AgoraRTM object itself (dist/index.d.cts says `export =`); a default import is the same object. */
const CJS_APP = `import AgoraRTM = require('@parley/rtm-sdk');
import Default from '@parley/rtm-sdk';
import type { RtmClient, RtmStatusCode } from '@parley/rtm-sdk';

const client: RtmClient = AgoraRTM.createInstance('0123456789abcdef0123456789abcdef', { logFilter: AgoraRTM.LOG_FILTER_OFF });
client.on('ConnectionStateChanged', (state: string) => void state);
export const initial: RtmStatusCode.ConnectionState = AgoraRTM.ConnectionState.DISCONNECTED;
export const same: RtmClient = Default.createInstance('0123456789abcdef0123456789abcdef');
export const prefix: string = AgoraRTM.END_CALL_PREFIX + AgoraRTM.default.VERSION;
`;

/** A bundler's resolution (Vite, webpack, esbuild with TypeScript's `moduleResolution: bundler`). */
const TSCONFIG_BUNDLER = {
  compilerOptions: { ...TSCONFIG.compilerOptions, module: 'esnext', moduleResolution: 'bundler' },
  files: ['bundled.ts'],
};

/** Two users of the installed package, each on its own gateway, exchange a peer message. */
const RUN_ESM = `import AgoraRTM from '@parley/rtm-sdk';
const [gw0, gw1, appId] = process.argv.slice(2);
const a = AgoraRTM.createInstance(appId, { serverUrl: gw0, logFilter: AgoraRTM.LOG_FILTER_OFF });
const b = AgoraRTM.createInstance(appId, { serverUrl: gw1, logFilter: AgoraRTM.LOG_FILTER_OFF });
await a.login({ uid: 'pkg-alice' });
await b.login({ uid: 'pkg-bob' });
const received = new Promise((resolve) => b.on('MessageFromPeer', (m, from) => resolve({ text: m.text, from })));
const result = await a.sendMessageToPeer({ text: 'hello from the tarball' }, 'pkg-bob');
const got = await received;
await Promise.all([a.logout(), b.logout()]);
console.log(JSON.stringify({ version: AgoraRTM.VERSION, hasPeerReceived: result.hasPeerReceived, got }));
`;

const RUN_CJS = `const AgoraRTM = require('@parley/rtm-sdk');
console.log(JSON.stringify({ createInstance: typeof AgoraRTM.createInstance, version: AgoraRTM.VERSION, esModule: '__esModule' in AgoraRTM }));
`;

/**
 * The SDK as an app gets it: `npm run sdk:pack` → a tarball installed into a project outside the
 * workspace, type-checked strictly with ESM and CommonJS resolution, and used against a running
 * stack; `npm publish --dry-run` accepts it; every gateway serves its script-tag bundle at /sdk/.
 */
describe('the SDK package', () => {
  let stack: Stack;
  let app: TestApp;
  let scratch: string;
  let tarball: string;

  beforeAll(async () => {
    [stack, app] = await Promise.all([Stack.start({ replicas: { gateway: 2, presence: 1 } }), createTestApp()]);
    const { stdout } = await run(process.execPath, [join(root, 'tools/sdk/pack.mjs'), '--skip-build', '--json'], { cwd: root });
    tarball = JSON.parse(stdout.trim().split('\n').pop()!).file;
    scratch = mkdtempSync(join(tmpdir(), 'parley-sdk-app-'));
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, version: '1.0.0' }));
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: scratch, timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('packs as parley-rtm-sdk-<version>.tgz with the bundles, typings, README and LICENSE only', async () => {
    expect(tarball).toBe(join(root, `dist/parley-rtm-sdk-${sdkVersion}.tgz`));
    const installed = JSON.parse(readFileSync(join(scratch, 'node_modules/@parley/rtm-sdk/package.json'), 'utf8'));
    expect(installed).toMatchObject({ name: '@parley/rtm-sdk', version: sdkVersion, license: 'Apache-2.0' });
    expect(JSON.stringify(installed.dependencies)).not.toMatch(/@parley\//);
  });

  it('type-checks a strict app against it, as ESM and as CommonJS (nodenext) and through a bundler', async () => {
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    writeFileSync(join(scratch, 'tsconfig.bundler.json'), JSON.stringify(TSCONFIG_BUNDLER));
    writeFileSync(join(scratch, 'app.mts'), ESM_APP);
    writeFileSync(join(scratch, 'app.cts'), CJS_APP);
    writeFileSync(join(scratch, 'bundled.ts'), ESM_APP);
    for (const project of ['tsconfig.json', 'tsconfig.bundler.json']) {
      const result = await run(process.execPath, [tsc, '--pretty', 'false', '-p', join(scratch, project)], { cwd: scratch }).catch(
        (err: { stdout: string }) => err,
      );
      expect([project, 'stdout' in result ? result.stdout : '']).toEqual([project, '']);
    }
    // A misuse is an error (the check is real): a number is no RtmMessage.
    writeFileSync(join(scratch, 'wrong.mts'), `import type { RtmMessage } from '@parley/rtm-sdk';\nexport const m: RtmMessage = 42;\n`);
    const wrong = await run(process.execPath, [tsc, '--pretty', 'false', '-p', scratch], { cwd: scratch }).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    rmSync(join(scratch, 'wrong.mts'));
    expect(wrong).toMatch(/wrong\.mts.*error TS2322/);
    // …and in CommonJS, the module is the AgoraRTM object: no such property.
    writeFileSync(join(scratch, 'wrong.cts'), `import AgoraRTM = require('@parley/rtm-sdk');\nexport const n: number = AgoraRTM.VERSION;\n`);
    const wrongCjs = await run(process.execPath, [tsc, '--pretty', 'false', '-p', scratch], { cwd: scratch }).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    rmSync(join(scratch, 'wrong.cts'));
    expect(wrongCjs).toMatch(/wrong\.cts.*error TS2322/);
  }, 90_000);

  it('logs two users in on two gateways and delivers a peer message, from ESM and CommonJS', async () => {
    writeFileSync(join(scratch, 'run.mjs'), RUN_ESM);
    writeFileSync(join(scratch, 'run.cjs'), RUN_CJS);
    const [gw0, gw1] = stack.gatewayUrls;
    const { stdout } = await run(process.execPath, ['run.mjs', gw0!, gw1!, app.appId], { cwd: scratch, timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      version: sdkVersion,
      hasPeerReceived: true,
      got: { text: 'hello from the tarball', from: 'pkg-alice' },
    });
    const cjs = await run(process.execPath, ['run.cjs'], { cwd: scratch });
    expect(JSON.parse(cjs.stdout)).toEqual({ createInstance: 'function', version: sdkVersion, esModule: false });
  }, 60_000);

  it('passes npm publish --dry-run', async () => {
    const { stdout, stderr } = await run('npm', ['publish', tarball, '--dry-run', '--json'], { cwd: scratch, timeout: 60_000 });
    const report = JSON.parse(stdout);
    const summary = report['@parley/rtm-sdk'] ?? report;
    expect(summary.name).toBe('@parley/rtm-sdk');
    const files = (summary.files as { path: string }[]).map((f) => f.path).sort();
    expect(files.every((f) => f.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(f))).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['dist/parley-rtm.js', 'dist/parley-rtm.min.js', 'dist/index.mjs', 'dist/index.d.ts']));
    expect(stderr).not.toMatch(/npm error/i);
  }, 60_000);

  it('is served by every gateway as a script-tag bundle, revalidated by ETag, and for ever under its version', async () => {
    for (const gateway of stack.gateways) {
      const base = `http://127.0.0.1:${gateway.port}`;
      const res = await fetch(`${base}/sdk/parley-rtm.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text()).toMatch(/^"use strict";\nvar AgoraRTM = /);
      const etag = res.headers.get('etag')!;
      expect((await fetch(`${base}/sdk/parley-rtm.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const versioned = await fetch(`${base}/sdk/${sdkVersion}/parley-rtm.min.js`);
      expect(versioned.status).toBe(200);
      expect(versioned.headers.get('cache-control')).toContain('immutable');
    }
  });
});
