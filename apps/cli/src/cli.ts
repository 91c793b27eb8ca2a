import { parseArgs } from 'node:util';
import { generateAppId } from '@parley/tokens';
import type { AppsRepository } from './apps.repository';
import { Args, type OptionValues } from './args';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { appCommands } from './commands/app.command';
import type { Command, CommandContext } from './commands/command';
import { customerCommands } from './commands/customer.command';
import { tokenCommands } from './commands/token.command';
import { webhookCommands } from './commands/webhook.command';
import type { CustomersRepository } from './customers.repository';
import type { Output } from './output';
import type { WebhooksRepository } from './webhooks.repository';

export const COMMANDS: readonly Command[] = [...appCommands, ...customerCommands, ...tokenCommands, ...webhookCommands];
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/parley';

export interface CliDeps extends Partial<Omit<CommandContext, 'apps' | 'customers' | 'webhooks' | 'output'>> {
  apps: AppsRepository;
  customers: CustomersRepository;
  webhooks: WebhooksRepository;
  output: Output;
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;
const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';
const usageLine = (c: Command) => `parley ${c.path.join(' ')} ${c.synopsis}`;

export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'parley — administer a Parley deployment (apps, certificates, customer credentials, login tokens, webhooks)',
    '',
    'Usage:',
    ...commands.map((c) => `  ${usageLine(c)}`),
    '',
    'Commands:',
    ...commands.flatMap((c) => c.description.split('\n').map((line, i) => `  ${(i === 0 ? c.path.join(' ') : '').padEnd(width)}  ${line}`)),
    '',
    'Options:',
    '  --json        machine-readable output',
    "  -h, --help    this text; after a command, that command's help (parley app create --help)",
    '',
    'Environment:',
    `  DATABASE_URL        Postgres with the migrated schema (default ${DEFAULT_DATABASE_URL})`,
    '  PARLEY_API_URL      set: the app, customer and webhook commands go through the api’s admin API at this',
    '                      base URL (e.g. http://127.0.0.1:8090) instead of the database',
    '  PARLEY_ADMIN_TOKEN  the api’s ADMIN_TOKEN, with PARLEY_API_URL',
    '',
    'Exit codes: 0 ok, 1 failure (database or api unreachable, …), 2 usage error, unknown app or refused request.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${usageLine(c)}`, '', c.description].join('\n');
}

type Resolved = { kind: 'run'; command: Command; rest: string[] } | { kind: 'help'; text: string; exitCode: number };
type Parsed = { values: OptionValues; positionals: Record<string, string> };

/** The longest command path that prefixes argv; help for "parley", "parley --help", "parley app". */
function resolve(argv: readonly string[]): Resolved {
  if (argv.length === 0) return { kind: 'help', text: usage(), exitCode: EXIT_USAGE };
  if (isHelp(argv[0])) return { kind: 'help', text: usage(), exitCode: EXIT_OK };
  const matches = COMMANDS.filter((c) => c.path.every((word, i) => argv[i] === word));
  const command = matches.sort((a, b) => b.path.length - a.path.length)[0];
  if (command) return { kind: 'run', command, rest: argv.slice(command.path.length) };
  const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
  if (group.length > 0) {
    const sub = argv[1];
    if (sub === undefined) return { kind: 'help', text: usage(group), exitCode: EXIT_USAGE };
    if (isHelp(sub)) return { kind: 'help', text: usage(group), exitCode: EXIT_OK };
    throw new CliError(`unknown command "${argv[0]} ${sub}" (commands: ${group.map((c) => c.path[1]).join(', ')})`);
  }
  throw new CliError(`unknown command "${argv[0]}" (run parley --help)`);
}

function printHelp(output: Output, text: string, exitCode: number): number {
  if (exitCode === EXIT_OK) output.out(text);
  else output.err(text);
  return exitCode;
}

function parse(command: Command, rest: string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, ...HELP }, strict: true, allowPositionals: true });
    const names = command.positionals ?? [];
    if (positionals.length > names.length) throw new CliError(`unexpected argument "${positionals[names.length]}" (usage: ${usageLine(command)})`);
    return { values, positionals: Object.fromEntries(positionals.map((v, i) => [names[i]!, v])) };
  } catch (err) {
    if (err instanceof CliError) throw err;
    // util.parseArgs: unknown option, missing value, value given to a flag, …
    throw new CliError(`${(err as Error).message.replace(/\s*\n\s*/g, ' ')} (usage: ${usageLine(command)})`);
  }
}

/** Parses argv (the words after "parley"), runs the command, returns the process exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { output } = deps;
  try {
    const resolved = resolve(argv);
    if (resolved.kind === 'help') return printHelp(output, resolved.text, resolved.exitCode);
    const { command, rest } = resolved;
    const { values, positionals } = parse(command, rest);
    if (values['help'] === true) return printHelp(output, commandHelp(command), EXIT_OK);
    await command.run(new Args(values, positionals), {
      apps: deps.apps,
      customers: deps.customers,
      webhooks: deps.webhooks,
      localApps: deps.localApps ?? deps.apps,
      output,
      now: deps.now ?? Date.now,
      generateAppId: deps.generateAppId ?? generateAppId,
    });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CliError) {
      output.err(`parley: ${err.message}`);
      return err.exitCode;
    }
    output.err(`parley: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return EXIT_FAILURE;
  }
}
