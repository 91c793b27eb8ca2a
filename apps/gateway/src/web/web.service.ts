import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { readWebDir, type WebFile } from './web-files';

/** Where a request came to: the page's gateway URL (and so its CSP) is derived from it. */
export interface RequestOrigin {
  host: string | undefined;
  forwardedProto: string | undefined;
  secure: boolean;
}

/** What a handler sends: status, headers and body (none for 304 / HEAD handled by Express). */
export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** The script-tag bundles and their maps: the only files of the SDK's build served. */
const SDK_FILES = new Set(['parley-rtm.js', 'parley-rtm.min.js', 'parley-rtm.js.map', 'parley-rtm.min.js.map']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff' };
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Where this build runs from (dist/apps/gateway/main.js → dist/apps/gateway). */
const buildDir = (): string => dirname(resolve(process.argv[1] ?? '.'));

/**
 * Files the gateway serves over HTTP next to its WebSocket: the SDK's script-tag bundle
 * (`/sdk/parley-rtm.js`, `.min.js`, their source maps, and the same under `/sdk/<version>/`, which
 * never changes and is cached for a year) and the web console (`/console/`, a single-page app:
 * any path without an extension is its index.html; `/console/config.json` tells the page where the
 * gateways and the server API are). Both are read into memory at start: a request is an exact
 * lookup, never a file-system path.
 */
@Injectable()
export class WebService implements OnModuleInit {
  private readonly log = new Logger('Web');
  private sdk = new Map<string, WebFile>();
  private console = new Map<string, WebFile>();
  private sdkVersion: string | null = null;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: Readonly<GatewayConfig>) {}

  onModuleInit(): void {
    const sdkDir = this.config.SDK_BUNDLE_DIR ?? join(buildDir(), '../../libs/sdk/dist');
    this.sdk = new Map([...readWebDir(sdkDir)].filter(([name]) => SDK_FILES.has(name)));
    this.sdkVersion = readVersion(join(sdkDir, '../package.json'));
    if (this.config.CONSOLE_ENABLED) this.console = readWebDir(this.config.CONSOLE_DIR ?? join(buildDir(), '../console'));
    if (!this.sdk.has('parley-rtm.js')) this.log.warn(`no SDK bundle in ${sdkDir}: /sdk/parley-rtm.js answers 404 (build it: nx run sdk:build)`);
    if (this.config.CONSOLE_ENABLED && !this.console.has('index.html'))
      this.log.warn('no console build: /console/ answers 404 (build it: nx run console:build)');
  }

  /** GET /sdk/:file and /sdk/:version/:file. */
  sdkFile(name: string, version: string | undefined, ifNoneMatch: string | undefined): WebAnswer {
    const file = this.sdk.get(name);
    if (!file || (version !== undefined && version !== this.sdkVersion)) return notFound('no such file');
    return cached(file, version === undefined ? REVALIDATE : IMMUTABLE, ifNoneMatch);
  }

  /** GET /console and /console/*path. */
  consoleFile(path: string | undefined, originalUrl: string, ifNoneMatch: string | undefined, origin: RequestOrigin): WebAnswer {
    if (!this.config.CONSOLE_ENABLED) return notFound('the console is disabled on this gateway (CONSOLE_ENABLED=false)');
    if (path === undefined && !originalUrl.split('?')[0]!.endsWith('/')) return { status: 308, headers: { ...BASE_HEADERS, Location: '/console/' } };
    const key = path ?? '';
    const file = this.console.get(key);
    if (file) return cached(file, key.startsWith('assets/') ? IMMUTABLE : REVALIDATE, ifNoneMatch, key.endsWith('.html') ? this.csp(origin) : undefined);
    const index = this.console.get('index.html');
    // A client-side route (no extension) is the app itself; a missing asset is a 404.
    if (index && !/\.[A-Za-z0-9]+$/.test(key)) return cached(index, REVALIDATE, ifNoneMatch, this.csp(origin));
    return notFound(index ? 'no such file' : 'the console is not built on this gateway (run: npx nx run console:build)');
  }

  /** GET /console/config.json: where the page's SDK and admin views connect. */
  consoleConfig(origin: RequestOrigin): WebAnswer {
    if (!this.config.CONSOLE_ENABLED) return notFound('the console is disabled on this gateway (CONSOLE_ENABLED=false)');
    const body = JSON.stringify({
      gatewayUrls: this.gatewayUrls(origin),
      apiUrl: this.config.CONSOLE_API_URL ?? null,
      demoAppId: this.config.CONSOLE_DEMO_APP_ID ?? null,
      version: this.sdkVersion,
    });
    return { status: 200, headers: { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body };
  }

  private gatewayUrls({ host, forwardedProto, secure }: RequestOrigin): string[] {
    if (this.config.CONSOLE_GATEWAY_URLS) return this.config.CONSOLE_GATEWAY_URLS;
    const safeHost = host && HOST.test(host) ? host : `127.0.0.1:${this.config.PORT}`;
    const tls = secure || forwardedProto?.split(',')[0]?.trim() === 'https';
    return [`${tls ? 'wss' : 'ws'}://${safeHost}/v1/ws`];
  }

  /**
   * The console page may run its own scripts and styles and connect to its gateways (the ones
   * config.json names for this request) and the API only.
   */
  private csp(origin: RequestOrigin): string {
    const connect = ["'self'", ...this.gatewayUrls(origin).map((url) => new URL(url).origin)];
    if (this.config.CONSOLE_API_URL) connect.push(new URL(this.config.CONSOLE_API_URL).origin);
    return [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' blob: data:",
      `connect-src ${[...new Set(connect)].join(' ')}`,
      "object-src 'none'",
      "base-uri 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join('; ');
  }
}

function cached(file: WebFile, cacheControl: string, ifNoneMatch: string | undefined, csp?: string): WebAnswer {
  const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': file.type, 'Cache-Control': cacheControl, ETag: file.etag };
  if (csp) headers['Content-Security-Policy'] = csp;
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, file.etag)) return { status: 304, headers };
  return { status: 200, headers: { ...headers, 'Content-Length': String(file.body.length) }, body: file.body };
}

/** If-None-Match: `*` or a list of (possibly weak) tags. */
function matches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

function notFound(message: string): WebAnswer {
  return { status: 404, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }, body: `${message}\n` };
}

function readVersion(packageJson: string): string | null {
  if (!existsSync(packageJson)) return null;
  try {
    const version: unknown = JSON.parse(readFileSync(packageJson, 'utf8')).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}
