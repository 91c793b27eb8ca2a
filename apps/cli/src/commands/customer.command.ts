import type { Args } from '../args';
import { CliError } from '../cli-error';
import type { CustomerRecord } from '../customers.repository';
import { JSON_OPTION, printJson, printTable, time, type Command, type CommandContext } from './command';

const appsText = (c: CustomerRecord) => (c.allApps ? 'all apps' : c.appIds.length > 0 ? c.appIds.join(', ') : 'none');

const customerJson = (c: CustomerRecord) => ({
  customerKey: c.key,
  name: c.name,
  appIds: c.appIds,
  allApps: c.allApps,
  createdAt: c.createdAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
});

export const customerAdd: Command = {
  path: ['customer', 'add'],
  synopsis: '[--name NAME] (--app ID [--app ID …] | --all-apps) [--json]',
  description: [
    'Creates a customer credential of the server API (HTTP Basic, key:secret) that may act as any',
    'user of the apps given with --app (existing apps), or of every app with --all-apps.',
    'The secret is printed only now: Parley keeps its SHA-256 only.',
  ].join('\n'),
  options: { name: { type: 'string' }, app: { type: 'string', multiple: true }, 'all-apps': { type: 'boolean' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const name = args.appName('name');
    const appIds = args.appIds('app');
    const allApps = args.flag('all-apps');
    if (appIds.length > 0 === allApps) throw new CliError('give --app ID (one or more) or --all-apps, not both');
    const { customer, secret } = await ctx.customers.create({ name, appIds, allApps });
    if (args.flag('json')) return printJson(ctx, { ...customerJson(customer), customerSecret: secret });
    ctx.output.out(`customer key: ${customer.key}`);
    ctx.output.out(`customer secret: ${secret}`);
    if (customer.name !== null) ctx.output.out(`name: ${customer.name}`);
    ctx.output.out(`apps: ${appsText(customer)}`);
    ctx.output.err('Keep the secret: it is not shown again. Use key:secret as HTTP Basic credentials of the server API,');
    ctx.output.err(`e.g. curl -u ${customer.key}:<secret> "<api url>/v1/apps/<appid>/users/status?uids=alice"`);
  },
};

export const customerList: Command = {
  path: ['customer', 'list'],
  synopsis: '[--json]',
  description: 'Lists the customer credentials (never their secrets): key, name, apps, creation, revocation.',
  options: { ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const customers = await ctx.customers.list();
    if (args.flag('json')) return printJson(ctx, customers.map(customerJson));
    if (customers.length === 0) return ctx.output.out('no customer credentials yet (create one with: parley customer add)');
    printTable(ctx, [
      ['KEY', 'NAME', 'APPS', 'CREATED', 'REVOKED'],
      ...customers.map((c) => [c.key, c.name ?? '-', appsText(c), time(c.createdAt), c.revokedAt ? time(c.revokedAt) : '-']),
    ]);
  },
};

export const customerRevoke: Command = {
  path: ['customer', 'revoke'],
  synopsis: '<key> [--json]',
  description: [
    'Revokes a customer credential: the server API refuses it (401) once its replicas’ auth cache',
    'lets go of it (AUTH_CACHE_TTL_MS, 10 s by default). It stays listed as revoked.',
  ].join('\n'),
  options: { ...JSON_OPTION },
  positionals: ['key'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const key = args.customerKeyArgument('key');
    const customer = await ctx.customers.revoke(key);
    if (!customer) throw new CliError(`unknown customer key ${key} (see: parley customer list)`);
    if (args.flag('json')) return printJson(ctx, { customerKey: customer.key, revokedAt: customer.revokedAt!.toISOString() });
    ctx.output.out(`revoked customer key ${customer.key}`);
  },
};

export const customerCommands: readonly Command[] = [customerAdd, customerList, customerRevoke];
