import type { AppId } from '@parley/contracts';
import type { AppRecord } from '../apps.repository';
import type { Args } from '../args';
import { CliError } from '../cli-error';
import { JSON_OPTION, printJson, type Command, type CommandContext } from './command';

export const STATIC_APP_TEXT = 'none (static app: no token needed)';

const time = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function findOrFail(ctx: CommandContext, appId: AppId): Promise<AppRecord> {
  const app = await ctx.apps.find(appId);
  if (!app) throw new CliError(`unknown app ${appId} (see: parley app list)`);
  return app;
}

function appJson(app: AppRecord) {
  return {
    id: app.id,
    name: app.name,
    certified: app.certificate !== null,
    certificate: app.certificate,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

function printIdAndCertificate(ctx: CommandContext, app: AppRecord): void {
  ctx.output.out(`app id: ${app.id}`);
  if (app.name !== null) ctx.output.out(`name: ${app.name}`);
  ctx.output.out(`certificate: ${app.certificate ?? STATIC_APP_TEXT}`);
}

export const appCreate: Command = {
  path: ['app', 'create'],
  synopsis: '[--name NAME] [--certificate] [--id ID] [--json]',
  description: [
    'Creates an app; its id is 32 random hex digits unless --id (32 letters or digits).',
    'With --certificate it gets an App Certificate: logins then need a token (parley token);',
    'without, the app is static: clients log in without a token.',
  ].join('\n'),
  options: { name: { type: 'string' }, certificate: { type: 'boolean' }, id: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const id = args.optionalAppId('id') ?? (ctx.generateAppId() as AppId);
    const name = args.appName('name');
    const certificate = args.flag('certificate') ? ctx.generateCertificate() : null;
    const app = await ctx.apps.create(id, { name, certificate });
    if (!app) throw new CliError(`app ${id} already exists`);
    if (args.flag('json')) return printJson(ctx, appJson(app));
    printIdAndCertificate(ctx, app);
    if (certificate) ctx.output.err(`Keep the certificate secret. Make a login token with: parley token --app ${app.id} --uid <uid>`);
  },
};

export const appList: Command = {
  path: ['app', 'list'],
  synopsis: '[--json]',
  description: 'Lists all apps: id, name, whether it has a certificate, creation time.',
  options: { ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const apps = await ctx.apps.list();
    if (args.flag('json')) {
      return printJson(
        ctx,
        apps.map((a) => ({ id: a.id, name: a.name, certified: a.certificate !== null, createdAt: a.createdAt.toISOString() })),
      );
    }
    if (apps.length === 0) return ctx.output.out('no apps yet (create one with: parley app create)');
    const rows = [['ID', 'NAME', 'CERTIFIED', 'CREATED'], ...apps.map((a) => [a.id, a.name ?? '-', a.certificate ? 'yes' : 'no', time(a.createdAt)])];
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
    for (const r of rows) ctx.output.out(r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  '));
  },
};

export const appShow: Command = {
  path: ['app', 'show'],
  synopsis: '--app ID [--json]',
  description: 'Shows one app, with its certificate.',
  options: { app: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const app = await findOrFail(ctx, args.appId('app'));
    if (args.flag('json')) return printJson(ctx, appJson(app));
    ctx.output.out(`app id: ${app.id}`);
    ctx.output.out(`name: ${app.name ?? '-'}`);
    ctx.output.out(`certificate: ${app.certificate ?? STATIC_APP_TEXT}`);
    ctx.output.out(`created: ${time(app.createdAt)}`);
    ctx.output.out(`updated: ${time(app.updatedAt)}`);
  },
};

export const appCertificate: Command = {
  path: ['app', 'certificate'],
  synopsis: '--app ID (--generate | --remove) [--json]',
  description: [
    '--generate gives the app a new App Certificate (logins with tokens of the old one fail',
    "after the gateways' app cache, ~10 s); --remove makes the app static (no token needed).",
  ].join('\n'),
  options: { app: { type: 'string' }, generate: { type: 'boolean' }, remove: { type: 'boolean' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const generate = args.flag('generate');
    if (generate === args.flag('remove')) throw new CliError('give exactly one of --generate and --remove');
    const app = await ctx.apps.setCertificate(appId, generate ? ctx.generateCertificate() : null);
    if (!app) throw new CliError(`unknown app ${appId} (see: parley app list)`);
    if (args.flag('json')) return printJson(ctx, appJson(app));
    printIdAndCertificate(ctx, app);
  },
};

export const appDelete: Command = {
  path: ['app', 'delete'],
  synopsis: '--app ID [--json]',
  description: 'Deletes the app. Its clients can no longer log in.',
  options: { app: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    if (!(await ctx.apps.delete(appId))) throw new CliError(`unknown app ${appId} (see: parley app list)`);
    if (args.flag('json')) return printJson(ctx, { id: appId, deleted: true });
    ctx.output.out(`deleted app ${appId}`);
  },
};

export const appEnsure: Command = {
  path: ['app', 'ensure'],
  synopsis: '--id ID [--name NAME] [--json]',
  description: [
    "Creates the static app --id unless it exists (idempotent; npm start's demo app).",
    'An existing app is left as it is; one with a certificate is an error.',
  ].join('\n'),
  options: { id: { type: 'string' }, name: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const id = args.appId('id');
    const name = args.appName('name');
    const created = await ctx.apps.create(id, { name, certificate: null });
    const app = created ?? (await findOrFail(ctx, id));
    if (app.certificate !== null) {
      throw new CliError(`app ${id} exists but has a certificate, so it is not static (make it static: parley app certificate --app ${id} --remove)`);
    }
    if (args.flag('json')) return printJson(ctx, { ...appJson(app), created: created !== null });
    ctx.output.out(`app ${id} ${created ? 'created' : 'exists'} (static: log in without a token)`);
  },
};

export const appCommands: readonly Command[] = [appCreate, appList, appShow, appCertificate, appDelete, appEnsure];
