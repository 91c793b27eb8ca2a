import type { BrowserContext, Page } from 'playwright-core';
import { screenshot } from './screenshots';

/** A page opened by the harness, with what its console and page errors said. */
export interface TestPage {
  /** The name given to openPage (used for screenshots and in failure reports). */
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console messages (`[type] text`) and uncaught page errors (`[pageerror] …`), in order. */
  readonly log: string[];
  /** Saves dist/screenshots/<name>.png (default: the page's name) and returns the path. */
  screenshot(name?: string): Promise<string>;
}

const open = new Set<TestPage>();
const MAX_LINES = 200;

/** Records the page's console and errors into a new TestPage and tracks it for failure reports. */
export function trackPage(name: string, context: BrowserContext, page: Page): TestPage {
  const log: string[] = [];
  const push = (line: string): void => {
    log.push(line);
    if (log.length > MAX_LINES) log.shift();
  };
  page.on('console', (msg) => push(`[${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => push(`[pageerror] ${err.stack ?? err.message}`));
  page.on('crash', () => push('[crash] the page crashed'));
  const tp: TestPage = { name, context, page, log, screenshot: (n) => screenshot(page, n ?? name) };
  open.add(tp);
  context.once('close', () => open.delete(tp));
  return tp;
}

/** Closes every page context still open (the harness calls it after each test). */
export async function closeTrackedPages(): Promise<void> {
  const pages = [...open];
  open.clear();
  await Promise.all(pages.map((p) => p.context.close().catch(() => undefined)));
}

/**
 * Appends each open page's console log and page errors to the failing error's message, and saves a
 * screenshot of each as dist/screenshots/FAILED-<test>-<page>.png. Called by jest.environment.cjs.
 */
export async function reportFailure(error: unknown, title: string): Promise<void> {
  if (!(error instanceof Error) || open.size === 0) return;
  const parts: string[] = [];
  for (const p of open) {
    let shot: string;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      shot = await Promise.race([
        p.screenshot(`FAILED-${title}-${p.name}`.slice(0, 150)),
        new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error('screenshot timed out')), 5_000))),
      ]);
    } catch (err) {
      shot = `no screenshot: ${(err as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
    // Stack lines reworded: jest would take lines starting with "at" for the failing test's own stack.
    const lines = p.log.length ? p.log.map((l) => `    ${l.replace(/^\s*at /gm, '      ↳ ')}`).join('\n') : '    (nothing)';
    parts.push(`  Browser page "${p.name}" (${shot}) console and errors:\n${lines}`);
  }
  const extra = `\n\n${parts.join('\n')}`;
  // V8 renders the stack lazily, with the message of that moment: read it before changing the message.
  const original = error.message;
  const stack = error.stack;
  error.message = original + extra;
  if (stack?.includes(original)) error.stack = stack.replace(original, error.message);
}
