import { SERVICES } from '@parley/contracts/internal';
import { createTestApp, Stack, type AppName, type TestApp } from '@parley/testing';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { closeTrackedPages, reportFailure, trackPage, type TestPage } from './failures';
import { installRecorder, sdkPageHtml } from './in-page';
import { PageServer } from './page-server';

/** Short heartbeats and windows (as the e2e suites use) so presence changes show in seconds. */
export const FAST_TIMERS: Record<string, string> = {
  HEARTBEAT_MS: '500',
  GATEWAY_HEARTBEAT_MS: '500',
  GATEWAY_TTL_MS: '3000',
  RECONNECT_WINDOW_MS: '3000',
  SWEEP_INTERVAL_MS: '500',
};

export interface BrowserSuiteOptions {
  /** Replicas per app, merged into the default: gateway ×2, every service but media ×1 (it needs an S3 server), api ×1. */
  replicas?: Partial<Record<AppName, number>>;
  /** Extra environment for every process, after FAST_TIMERS. */
  env?: Record<string, string>;
  /** Extra environment per app (e.g. the api's ADMIN_TOKEN and API_CORS_ORIGINS for the console). */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Fixed HTTP ports per replica (e.g. so the gateways can be told the api's URL before it starts). */
  ports?: Partial<Record<AppName, number[]>>;
}

/** Where pages load the SDK from: the gateway's GET /sdk/parley-rtm.js, or the built bundle served by the PageServer. */
export type SdkSource = 'gateway' | 'dist';

/** What a browser test file has once its beforeAll ran (read it inside tests and hooks, not at collection time). */
export interface BrowserSuite {
  readonly stack: Stack;
  /** A static app (no token needed), created in the test database as the e2e suites do. */
  readonly app: TestApp;
  readonly browser: Browser;
  /** The test's own HTTP server for HTML pages (127.0.0.1). */
  readonly pages: PageServer;
  /** The gateways' WebSocket URLs (ws://127.0.0.1:port/v1/ws). */
  readonly gatewayUrls: string[];
  /** The gateways' HTTP base URLs (http://127.0.0.1:port). */
  readonly gatewayHttpUrls: string[];
  /** The server API's base URL. */
  readonly apiUrl: string;
  /** The SDK script URL the SDK pages use, and where it comes from. */
  readonly sdkScriptUrl: string;
  readonly sdkSource: SdkSource;
  /**
   * Opens `url` (or about:blank) in a page of a new browser context (its own cookies, storage and
   * network state: `context.setOffline()` affects only it). Its console and errors are attached to
   * a failing test; it is closed after the test.
   */
  openPage(name: string, url?: string): Promise<TestPage>;
  /**
   * Opens a plain HTML page that loads the SDK by `<script src>` (window.AgoraRTM), with
   * `window.rec` (see in-page.ts) installed and `AgoraRTM.setServerUrl(<gateway ws URL>)` called
   * for the given gateway index.
   */
  openSdkPage(name: string, gateway: number): Promise<TestPage>;
}

/**
 * Registers the hooks of one browser test file: beforeAll starts the stack (gateway ×2, services
 * but media, api), a static app, the page server and Chromium; afterEach closes the pages of the test;
 * afterAll stops everything. On a failure the open pages' console logs and errors are appended to
 * the error and screenshots are saved (jest.environment.cjs calls the harness).
 */
export function useBrowserSuite(optionsOrMake: BrowserSuiteOptions | (() => BrowserSuiteOptions | Promise<BrowserSuiteOptions>) = {}): BrowserSuite {
  let stack: Stack | undefined;
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  let pages: PageServer | undefined;
  let sdk: { url: string; source: SdkSource } | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use the browser suite inside tests and hooks`);
    return value;
  };

  beforeAll(async () => {
    (globalThis as Record<string, unknown>)['__parleyBrowserFailure'] = reportFailure;
    // Options may need what only a hook can make (free ports, an S3 server): computed here.
    const options = typeof optionsOrMake === 'function' ? await optionsOrMake() : optionsOrMake;
    const services = Object.fromEntries(SERVICES.filter((s) => s !== 'media').map((s) => [s, 1]));
    // Side by side; whatever started is stopped by afterAll even when another part failed.
    const started = await Promise.allSettled([
      launchChromium().then((b) => (browser = b)),
      PageServer.start().then((p) => (pages = p)),
      createTestApp().then((a) => (app = a)),
      Stack.start({
        replicas: { gateway: 2, api: 1, ...services, ...options.replicas },
        env: { ...FAST_TIMERS, ...options.env },
        appEnv: options.appEnv,
        ports: options.ports,
      }).then((s) => (stack = s)),
    ]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    stack = need(stack, 'the stack');
    pages = need(pages, 'the page server');
    sdk = await chooseSdkScript(stack, pages);
  }, 90_000);

  afterEach(() => closeTrackedPages());

  afterAll(async () => {
    await closeTrackedPages();
    await Promise.all([browser?.close(), pages?.close(), stack?.stop()]);
  }, 30_000);

  const suite: BrowserSuite = {
    get stack() {
      return need(stack, 'the stack');
    },
    get app() {
      return need(app, 'the app');
    },
    get browser() {
      return need(browser, 'Chromium');
    },
    get pages() {
      return need(pages, 'the page server');
    },
    get gatewayUrls() {
      return suite.stack.gatewayUrls;
    },
    get gatewayHttpUrls() {
      return suite.stack.gateways.map((g) => `http://127.0.0.1:${g.port}`);
    },
    get apiUrl() {
      return need(suite.stack.apiUrls[0], 'the server API');
    },
    get sdkScriptUrl() {
      return need(sdk, 'the SDK script').url;
    },
    get sdkSource() {
      return need(sdk, 'the SDK script').source;
    },
    async openPage(name, url) {
      const context = await suite.browser.newContext({ viewport: { width: 900, height: 700 } });
      const page = await context.newPage();
      const tp = trackPage(name, context, page);
      if (url) await page.goto(url);
      return tp;
    },
    async openSdkPage(name, gateway) {
      const wsUrl = need(suite.gatewayUrls[gateway], `gateway #${gateway}`);
      const url = suite.pages.add(`/${encodeURIComponent(name)}.html`, sdkPageHtml(suite.sdkScriptUrl, `Parley SDK page: ${name}`));
      const tp = await suite.openPage(name);
      await tp.context.addInitScript(installRecorder);
      await tp.page.goto(url);
      await tp.page.evaluate((u) => window.AgoraRTM.setServerUrl(u), wsUrl);
      return tp;
    },
  };
  return suite;
}

/**
 * The gateway's /sdk/parley-rtm.js, as an app's page loads it (one script tag). A gateway that does
 * not serve it fails the suite: that is what the pages test. (`pages` keeps the built bundle for
 * pages that must not depend on a gateway; none does today.)
 */
async function chooseSdkScript(stack: Stack, _pages: PageServer): Promise<{ url: string; source: SdkSource }> {
  const gateway = stack.gateways[0];
  if (!gateway) throw new Error('the browser suite needs a gateway');
  const url = `http://127.0.0.1:${gateway.port}/sdk/parley-rtm.js`;
  const res = await fetch(url);
  const body = res.ok ? await res.text() : '';
  if (!body.includes('var AgoraRTM')) throw new Error(`${url} answered ${res.status} without the SDK bundle (is dist/libs/sdk built? npx nx run sdk:build)`);
  return { url, source: 'gateway' };
}
