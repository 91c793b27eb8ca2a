import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GATEWAY_CONFIG, readGatewayConfig } from '../config/gateway.config';
import { WebController } from './web.controller';
import { WebService } from './web.service';

/** A gateway's HTTP side over real sockets: an SDK build and a console build in a temp dir. */
async function serve(env: Record<string, string>, dirs: { console?: boolean } = { console: true }) {
  const root = mkdtempSync(join(tmpdir(), 'parley-web-'));
  const sdk = join(root, 'sdk/dist');
  mkdirSync(sdk, { recursive: true });
  writeFileSync(join(root, 'sdk/package.json'), JSON.stringify({ name: '@parley/rtm-sdk', version: '9.8.7' }));
  writeFileSync(join(sdk, 'parley-rtm.js'), 'var AgoraRTM = {};\n//# sourceMappingURL=parley-rtm.js.map\n');
  writeFileSync(join(sdk, 'parley-rtm.js.map'), '{"version":3}');
  writeFileSync(join(sdk, 'parley-rtm.min.js'), 'var AgoraRTM={};');
  writeFileSync(join(sdk, 'index.js'), 'module.exports = {};'); // in the build, not served
  writeFileSync(join(root, 'sdk/secret.txt'), 'not for you');
  const consoleDir = join(root, 'console');
  if (dirs.console) {
    mkdirSync(join(consoleDir, 'assets'), { recursive: true });
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Parley console</title>');
    writeFileSync(join(consoleDir, 'assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(join(consoleDir, '.env'), 'SECRET=1');
  }
  const config = readGatewayConfig({ SDK_BUNDLE_DIR: sdk, CONSOLE_DIR: consoleDir, PORT: '8080', ...env });
  const moduleRef = await Test.createTestingModule({
    controllers: [WebController],
    providers: [WebService, { provide: GATEWAY_CONFIG, useValue: config }],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    port,
    get: (path: string, headers: Record<string, string> = {}, method = 'GET') => get(port, path, headers, method),
    close: async () => {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** node:http, not fetch: the tests set Host, and send paths exactly as written (no normalization). */
function get(port: number, path: string, headers: Record<string, string>, method: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
          text: async () => body,
          json: async () => JSON.parse(body),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway web: SDK bundle and console', () => {
  let web: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    web = await serve({ CONSOLE_API_URL: 'http://127.0.0.1:8090', CONSOLE_DEMO_APP_ID: '0123456789abcdef0123456789abcdef' });
  });
  afterAll(() => web.close());

  it('serves the script bundle as JavaScript with a strong ETag and revalidation, 304 when unchanged', async () => {
    const res = await web.get('/sdk/parley-rtm.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(await res.text()).toContain('var AgoraRTM');
    const again = await web.get('/sdk/parley-rtm.js', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await web.get('/sdk/parley-rtm.js', { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await web.get('/sdk/parley-rtm.js', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('serves the minified bundle and the source maps; HEAD answers without a body', async () => {
    expect((await web.get('/sdk/parley-rtm.min.js')).status).toBe(200);
    const map = await web.get('/sdk/parley-rtm.js.map');
    expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const head = await web.get('/sdk/parley-rtm.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBeTruthy();
    expect(await head.text()).toBe('');
  });

  it('caches the versioned path for a year; another version is not there', async () => {
    const res = await web.get('/sdk/9.8.7/parley-rtm.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await web.get('/sdk/9.8.6/parley-rtm.min.js')).status).toBe(404);
  });

  it.each([
    '/sdk/index.js',
    '/sdk/',
    '/sdk/../package.json',
    '/sdk/%2e%2e/package.json',
    '/sdk/%2e%2e%2fpackage.json',
    '/sdk/..%2fsecret.txt',
    '/sdk/9.8.7/..%2f..%2fsecret.txt',
    '/sdk/parley-rtm.js%00.map',
    '/console/.env',
    '/console/..%2f..%2fsdk%2fsecret.txt',
    '/console/assets/missing.js',
  ])('refuses %s (only the listed files exist)', async (path) => {
    const res = await web.get(path);
    expect([400, 404]).toContain(res.status);
    const text = await res.text();
    expect(text).not.toContain('not for you');
    expect(text).not.toContain('SECRET');
  });

  it('redirects /console to /console/ and serves the app with a content security policy', async () => {
    const redirect = await web.get('/console');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await web.get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' blob: data:");
    // The page connects to its own gateway (the one config.json names for it) and the API, nowhere else.
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${web.port} http://127.0.0.1:8090;`);
    const proxied = await web.get('/console/', { Host: 'rtm.example.com', 'X-Forwarded-Proto': 'https' });
    expect(proxied.headers.get('content-security-policy')).toContain("connect-src 'self' wss://rtm.example.com http://127.0.0.1:8090;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('Parley console');
  });

  it('answers a client-side route with the app, hashed assets with immutable caching', async () => {
    const route = await web.get('/console/operator/users');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('Parley console');
    const asset = await web.get('/console/assets/index-abc123.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('tells the page where the gateways and the API are', async () => {
    const res = await web.get('/console/config.json', { Host: 'rtm.example.com:8443', 'X-Forwarded-Proto': 'https' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      gatewayUrls: ['wss://rtm.example.com:8443/v1/ws'],
      apiUrl: 'http://127.0.0.1:8090',
      demoAppId: '0123456789abcdef0123456789abcdef',
      version: '9.8.7',
    });
  });
});

describe('gateway web: without a console build, or with it disabled', () => {
  it('answers 404 with a hint when the console is not built, and still serves the SDK', async () => {
    const web = await serve({}, { console: false });
    try {
      const res = await web.get('/console/');
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/not built/);
      expect((await web.get('/sdk/parley-rtm.js')).status).toBe(200);
      const config = await (await web.get('/console/config.json', { Host: 'localhost:8080' })).json();
      expect(config).toEqual({ gatewayUrls: ['ws://localhost:8080/v1/ws'], apiUrl: null, demoAppId: null, version: '9.8.7' });
    } finally {
      await web.close();
    }
  });

  it('CONSOLE_ENABLED=false: no console, no config; CONSOLE_GATEWAY_URLS is what the page gets otherwise', async () => {
    const off = await serve({ CONSOLE_ENABLED: 'false' });
    try {
      expect((await off.get('/console/')).status).toBe(404);
      expect((await off.get('/console/config.json')).status).toBe(404);
    } finally {
      await off.close();
    }
    const listed = await serve({ CONSOLE_GATEWAY_URLS: 'wss://a.example.com/v1/ws, wss://b.example.com/v1/ws' });
    try {
      const config = await (await listed.get('/console/config.json', { Host: 'evil"host' })).json();
      expect(config.gatewayUrls).toEqual(['wss://a.example.com/v1/ws', 'wss://b.example.com/v1/ws']);
      expect((await listed.get('/console/')).headers.get('content-security-policy')).toContain("connect-src 'self' wss://a.example.com wss://b.example.com;");
    } finally {
      await listed.close();
    }
  });

  it('a Host header that is no host name is not reflected', async () => {
    const web = await serve({});
    try {
      for (const host of ['a"b', 'x.example.com/evil', 'x.example.com:99999999']) {
        const config = await (await web.get('/console/config.json', { Host: host })).json();
        expect(config.gatewayUrls).toEqual(['ws://127.0.0.1:8080/v1/ws']);
      }
    } finally {
      await web.close();
    }
  });
});
