import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { workspaceRoot } from '@parley/testing';

/** The browser bundle of the SDK (global `AgoraRTM`) as `nx run sdk:build` leaves it. */
export function builtSdkBundle(): string {
  const dir = join(workspaceRoot(), 'dist/libs/sdk/dist');
  const candidates = ['parley-rtm.js'].map((f) => join(dir, f));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`no SDK browser bundle in ${dir} (${candidates.join(', ')}): run npx nx run sdk:build`);
  return found;
}

/**
 * A tiny HTTP server on 127.0.0.1 for the test's own pages (an app's origin, not the gateway's):
 * HTML registered with `add()`, and the built SDK bundle at /sdk/parley-rtm.js for pages that do
 * not load it from a gateway.
 */
export class PageServer {
  private readonly pages = new Map<string, string>();

  private readonly server: Server = createServer((req, res) => {
    void this.handle(req.url ?? '/').then(
      ([status, type, body]) => res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    );
  });

  /** Listens on a free port of 127.0.0.1. */
  static async start(): Promise<PageServer> {
    const self = new PageServer();
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serves `html` at `path` (e.g. "/chat.html") and returns its URL. */
  add(path: string, html: string): string {
    const p = path.startsWith('/') ? path : `/${path}`;
    this.pages.set(p, html);
    return this.origin + p;
  }

  /** The built bundle as served here. */
  get sdkScriptUrl(): string {
    return `${this.origin}/sdk/parley-rtm.js`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(url: string): Promise<[number, string, string | Buffer]> {
    const path = new URL(url, 'http://x').pathname;
    if (path === '/sdk/parley-rtm.js') return [200, 'text/javascript; charset=utf-8', await readFile(builtSdkBundle())];
    const html = this.pages.get(path);
    if (html !== undefined) return [200, 'text/html; charset=utf-8', html];
    if (path === '/favicon.ico') return [204, 'text/plain', ''];
    return [404, 'text/plain', `not found: ${path}`];
  }
}
