import type { AppId } from '@parley/contracts';
import { buildLoginToken, LOGIN_TOKEN_FORMATS } from '@parley/tokens';
import { isHex32, type Args } from '../args';
import { CliError } from '../cli-error';
import { JSON_OPTION, printJson, type Command, type CommandContext } from './command';

export const TOKEN_FORMATS = LOGIN_TOKEN_FORMATS;
const DEFAULT_EXPIRE_SECONDS = 86_400;
const U32_MAX = 0xffff_ffff;

export const token: Command = {
  path: ['token'],
  synopsis: '--app ID --uid UID [--expire SECONDS] [--format 007|006] [--certificate HEX] [--json]',
  description: [
    'Prints an RTM login token for --uid, valid --expire seconds (default 86400), format',
    "007 (AccessToken2, default) or 006. Signed with the app's certificate from the database,",
    'or with --certificate (the database is then not used). Static apps take no token.',
  ].join('\n'),
  options: {
    app: { type: 'string' },
    uid: { type: 'string' },
    expire: { type: 'string' },
    format: { type: 'string' },
    certificate: { type: 'string' },
    ...JSON_OPTION,
  },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const uid = args.uid('uid');
    const nowSeconds = Math.floor(ctx.now() / 1000);
    // Absolute expiry times are uint32 unix seconds in both formats.
    const expire = args.integer('expire', DEFAULT_EXPIRE_SECONDS, 1, U32_MAX - nowSeconds);
    const format = args.oneOf('format', TOKEN_FORMATS, '007');
    if (!isHex32(appId)) throw new CliError(`tokens are only made for hex app ids (as Agora's); ${appId} has other letters`);
    const certificate = args.hex32('certificate') ?? (await certificateFromDatabase(ctx, appId));
    const { token: value, expiresAt } = buildLoginToken({ format, appId, certificate, uid, expireSeconds: expire, nowSeconds });
    if (args.flag('json')) return printJson(ctx, { token: value, appId, uid, format, expiresAt: new Date(expiresAt * 1000).toISOString() });
    ctx.output.out(value);
  },
};

async function certificateFromDatabase(ctx: CommandContext, appId: AppId): Promise<string> {
  const app = await ctx.localApps.find(appId);
  if (!app) throw new CliError(`unknown app ${appId} (see: parley app list)`);
  if (app.certificate === null) {
    throw new CliError(
      `app ${appId} is static (no certificate): its clients log in without a token. Give it a certificate first: parley app certificate --app ${appId} --generate`,
    );
  }
  if (!isHex32(app.certificate)) throw new CliError(`app ${appId} has a certificate that is not 32 hex digits; generate a new one`, 1);
  return app.certificate;
}

export const tokenCommands: readonly Command[] = [token];
