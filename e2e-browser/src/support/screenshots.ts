import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { workspaceRoot } from '@parley/testing';
import type { Page } from 'playwright-core';

/** Where screenshots go: <workspace>/dist/screenshots. */
export function screenshotDir(): string {
  return join(workspaceRoot(), 'dist/screenshots');
}

/** Saves a full-page PNG as dist/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = screenshotDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
