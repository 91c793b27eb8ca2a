import type { ParseArgsConfig } from 'node:util';
import type { AppsRepository } from '../apps.repository';
import type { Args } from '../args';
import type { Output } from '../output';

export interface CommandContext {
  apps: AppsRepository;
  output: Output;
  /** Wall clock in ms (tests pin it). */
  now: () => number;
  /** New App IDs and App Certificates (tests pin them). */
  generateAppId: () => string;
  generateCertificate: () => string;
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
  run(args: Args, ctx: CommandContext): Promise<void>;
}

export const JSON_OPTION = { json: { type: 'boolean' } } as const;

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.output.out(JSON.stringify(value, null, 2));
}
