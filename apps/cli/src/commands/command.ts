import type { ParseArgsConfig } from 'node:util';
import type { AppsRepository } from '../apps.repository';
import type { Args } from '../args';
import type { CustomersRepository } from '../customers.repository';
import type { Output } from '../output';
import type { WebhooksRepository } from '../webhooks.repository';

export interface CommandContext {
  /** Apps: in Postgres, or through the admin API when PARLEY_API_URL is set. */
  apps: AppsRepository;
  /** Customer credentials, likewise. */
  customers: CustomersRepository;
  /** Webhook endpoints, likewise (test, failures and replay only through the admin API). */
  webhooks: WebhooksRepository;
  /** Apps in Postgres always: `parley token` needs the certificate, which the admin API never shows again. */
  localApps: Pick<AppsRepository, 'find'>;
  output: Output;
  /** Wall clock in ms (tests pin it). */
  now: () => number;
  /** New App IDs (tests pin them). */
  generateAppId: () => string;
}

/** One `parley …` command: its words, help and options; cli.ts parses and dispatches. */
export interface Command {
  /** Words after "parley", e.g. ["app", "create"]. */
  path: readonly string[];
  /** Options part of the usage line. */
  synopsis: string;
  /** What it does, one or more lines (shown by --help). */
  description: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Names of its positional arguments, in order (`<appid>`); none when absent. */
  positionals?: readonly string[];
  run(args: Args, ctx: CommandContext): Promise<void>;
}

export const JSON_OPTION = { json: { type: 'boolean' } } as const;

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.output.out(JSON.stringify(value, null, 2));
}

/** 2026-11-25T10:00:00.123Z → 2026-11-25T10:00:00Z */
export const time = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Rows as aligned columns (two spaces apart; the last column not padded). */
export function printTable(ctx: CommandContext, rows: string[][]): void {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  for (const r of rows) ctx.output.out(r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  '));
}
