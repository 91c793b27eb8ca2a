import type { AppId } from '@parley/contracts';
import type { AppRecord } from '../apps.repository';
import type { Args } from '../args';
import { CliError } from '../cli-error';
import { JSON_OPTION, printJson, printTable, time, type Command, type CommandContext } from './command';

export const STATIC_APP_TEXT = 'none (static app: no token needed)';
/** Through the admin API a certificate is shown only when it is made. */
export const HIDDEN_CERTIFICATE_TEXT = 'set (the admin API shows it only at creation and rotation)';
/** The admin API's default and largest rotation overlap. */
const OVERLAP_DEFAULT_SECONDS = 86_400;
const OVERLAP_MAX_SECONDS = 604_800;

async function findOrFail(ctx: CommandContext, appId: AppId): Promise<AppRecord> {
  const app = await ctx.apps.find(appId);
  if (!app) throw unknownApp(appId);
  return app;
}

const unknownApp = (appId: AppId) => new CliError(`unknown app ${appId} (see: parley app list)`);
const certificateText = (app: AppRecord) => app.certificate ?? (app.certified ? HIDDEN_CERTIFICATE_TEXT : STATIC_APP_TEXT);

function appJson(app: AppRecord) {
  return {
    id: app.id,
    name: app.name,
    certified: app.certified,
    certificate: app.certificate,
    previousCertificateValidUntil: app.previousCertificateUntil?.toISOString() ?? null,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

function printIdAndCertificate(ctx: CommandContext, app: AppRecord): void {
  ctx.output.out(`app id: ${app.id}`);
  if (app.name !== null) ctx.output.out(`name: ${app.name}`);
  ctx.output.out(`certificate: ${certificateText(app)}`);
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
    const app = await ctx.apps.create(id, { name, certified: args.flag('certificate') });
    if (!app) throw new CliError(`app ${id} already exists`);
    if (args.flag('json')) return printJson(ctx, appJson(app));
    printIdAndCertificate(ctx, app);
    if (app.certified) ctx.output.err(`Keep the certificate secret. Make a login token with: parley token --app ${app.id} --uid <uid>`);
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
        apps.map((a) => ({ id: a.id, name: a.name, certified: a.certified, createdAt: a.createdAt.toISOString() })),
      );
    }
    if (apps.length === 0) return ctx.output.out('no apps yet (create one with: parley app create)');
    printTable(ctx, [['ID', 'NAME', 'CERTIFIED', 'CREATED'], ...apps.map((a) => [a.id, a.name ?? '-', a.certified ? 'yes' : 'no', time(a.createdAt)])]);
  },
};

export const appShow: Command = {
  path: ['app', 'show'],
  synopsis: '--app ID [--json]',
  description: 'Shows one app, with its certificate (from the database; the admin API shows it only when made).',
  options: { app: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const app = await findOrFail(ctx, args.appId('app'));
    if (args.flag('json')) return printJson(ctx, appJson(app));
    ctx.output.out(`app id: ${app.id}`);
    ctx.output.out(`name: ${app.name ?? '-'}`);
    ctx.output.out(`certificate: ${certificateText(app)}`);
    if (app.previousCertificateUntil) ctx.output.out(`previous certificate: valid until ${time(app.previousCertificateUntil)}`);
    ctx.output.out(`created: ${time(app.createdAt)}`);
    ctx.output.out(`updated: ${time(app.updatedAt)}`);
  },
};

export const appCertificate: Command = {
  path: ['app', 'certificate'],
  synopsis: '--app ID (--generate | --remove) [--json]',
  description: [
    '--generate gives the app a new App Certificate at once: tokens of the old one stop verifying',
    "after the gateways' app cache, ~10 s (to keep them working for a while: parley app rotate-cert);",
    '--remove makes the app static (no token needed).',
  ].join('\n'),
  options: { app: { type: 'string' }, generate: { type: 'boolean' }, remove: { type: 'boolean' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const generate = args.flag('generate');
    if (generate === args.flag('remove')) throw new CliError('give exactly one of --generate and --remove');
    const app = generate ? await ctx.apps.rotateCertificate(appId, 0) : await ctx.apps.removeCertificate(appId);
    if (!app) throw unknownApp(appId);
    if (args.flag('json')) return printJson(ctx, appJson(app));
    printIdAndCertificate(ctx, app);
  },
};

export const appRotateCert: Command = {
  path: ['app', 'rotate-cert'],
  synopsis: '<appid> [--overlap SECONDS] [--json]',
  description: [
    'Gives the app a new App Certificate and prints it. Tokens signed with the old one keep',
    `working for --overlap seconds (default ${OVERLAP_DEFAULT_SECONDS}, at most ${OVERLAP_MAX_SECONDS}; 0: they stop at once),`,
    'time to hand out new tokens. A static app becomes certified.',
  ].join('\n'),
  options: { overlap: { type: 'string' }, ...JSON_OPTION },
  positionals: ['appid'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appIdArgument('appid');
    const overlap = args.integer('overlap', OVERLAP_DEFAULT_SECONDS, 0, OVERLAP_MAX_SECONDS);
    const app = await ctx.apps.rotateCertificate(appId, overlap);
    if (!app) throw unknownApp(appId);
    if (args.flag('json')) return printJson(ctx, appJson(app));
    printIdAndCertificate(ctx, app);
    ctx.output.out(`previous certificate: ${app.previousCertificateUntil ? `valid until ${time(app.previousCertificateUntil)}` : 'none'}`);
    ctx.output.err(`Keep the certificate secret. Make new login tokens with: parley token --app ${app.id} --uid <uid>`);
  },
};

export const appDelete: Command = {
  path: ['app', 'delete'],
  synopsis: '--app ID [--json]',
  description: [
    'Deletes the app with all its data (sessions, offline messages, channels, attributes,',
    'invitations, media records, events) and removes it from customer credentials.',
  ].join('\n'),
  options: { app: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    if (!(await ctx.apps.delete(appId))) throw unknownApp(appId);
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
    const created = await ctx.apps.create(id, { name, certified: false });
    const app = created ?? (await findOrFail(ctx, id));
    if (app.certified) {
      throw new CliError(`app ${id} exists but has a certificate, so it is not static (make it static: parley app certificate --app ${id} --remove)`);
    }
    if (args.flag('json')) return printJson(ctx, { ...appJson(app), created: created !== null });
    ctx.output.out(`app ${id} ${created ? 'created' : 'exists'} (static: log in without a token)`);
  },
};

export const appCommands: readonly Command[] = [appCreate, appList, appShow, appCertificate, appRotateCert, appDelete, appEnsure];
