import type { AppId } from '@parley/contracts';
import type { Args } from '../args';
import { CliError, EXIT_FAILURE } from '../cli-error';
import { WEBHOOK_EVENT_NAMES } from '@parley/contracts/internal';
import type { WebhookRecord } from '../webhooks.repository';
import { JSON_OPTION, printJson, printTable, time, type Command, type CommandContext } from './command';

const URL_MAX = 2048; // webhook_endpoints.url is varchar(2048)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REPLAY_IDS_MAX = 1_000;
const ALL_EVENTS_TEXT = 'all (except message.peer, message.channel)';

/** Absolute http(s), no credentials; the admin API adds the server's rules (https unless allowed, no private addresses). */
function webhookUrl(args: Args): string {
  const raw = args.required('url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--url must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`--url must be an absolute http(s) URL, got "${raw}"`);
  if (url.username !== '' || url.password !== '')
    throw new CliError('--url must not contain credentials (user:password@): receivers check the signature instead');
  if (raw.length > URL_MAX) throw new CliError(`--url must be at most ${URL_MAX} characters`);
  return raw;
}

/** --events a,b (known names, deduped); [] when absent: every type except the opt-in message ones. */
function eventTypes(args: Args): string[] {
  const v = args.string('events');
  if (v === undefined) return [];
  const names = v.split(',').map((s) => s.trim());
  const unknown = names.find((n) => !(WEBHOOK_EVENT_NAMES as readonly string[]).includes(n));
  if (unknown !== undefined) throw new CliError(`--events: unknown event type "${unknown}" (known: ${WEBHOOK_EVENT_NAMES.join(', ')})`);
  return [...new Set(names)];
}

function webhookId(args: Args): string {
  const v = args.argument('webhookId');
  if (!UUID.test(v)) throw new CliError(`<webhookId> must be a webhook id (a UUID, see: parley webhook list), got "${v}"`);
  return v.toLowerCase();
}

const unknownWebhook = (appId: AppId, id: string) => new CliError(`unknown webhook ${id} of app ${appId} (see: parley webhook list --app ${appId})`);
const eventsText = (w: WebhookRecord) => (w.eventTypes.length > 0 ? w.eventTypes.join(',') : ALL_EVENTS_TEXT);

const webhookJson = (w: WebhookRecord) => ({
  id: w.id,
  appId: w.appId,
  url: w.url,
  eventTypes: w.eventTypes,
  includePayload: w.includePayload,
  enabled: w.enabled,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

export const webhookAdd: Command = {
  path: ['webhook', 'add'],
  synopsis: '--app ID --url URL [--events a,b] [--include-payload] [--disabled] [--json]',
  description: [
    'Adds a webhook endpoint: events of the app are POSTed to --url, signed with a new secret',
    '(Agora-Signature: HMAC-SHA1, Agora-Signature-V2: HMAC-SHA256 of the body), printed only now.',
    `--events: any of ${WEBHOOK_EVENT_NAMES.join(', ')};`,
    'default: all except message.peer and message.channel (those only when listed).',
    '--include-payload: message events carry the payload. --disabled: add it without delivering yet.',
  ].join('\n'),
  options: {
    app: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'string' },
    'include-payload': { type: 'boolean' },
    disabled: { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const webhook = { url: webhookUrl(args), eventTypes: eventTypes(args), includePayload: args.flag('include-payload'), enabled: !args.flag('disabled') };
    const { webhook: w, secret } = await ctx.webhooks.create(appId, webhook);
    if (args.flag('json')) return printJson(ctx, { ...webhookJson(w), secret });
    ctx.output.out(`webhook id: ${w.id}`);
    ctx.output.out(`url: ${w.url}`);
    ctx.output.out(`events: ${eventsText(w)}`);
    ctx.output.out(`secret: ${secret}`);
    ctx.output.err('Keep the secret: it is not shown again. Receivers check Agora-Signature-V2 = HMAC-SHA256(secret, raw body), hex.');
    ctx.output.err(`Send a signed ping: parley webhook test --app ${appId} ${w.id}`);
  },
};

export const webhookList: Command = {
  path: ['webhook', 'list'],
  synopsis: '--app ID [--json]',
  description: 'Lists the app’s webhook endpoints (never their secrets).',
  options: { app: { type: 'string' }, ...JSON_OPTION },
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const webhooks = await ctx.webhooks.list(appId);
    if (args.flag('json')) return printJson(ctx, webhooks.map(webhookJson));
    if (webhooks.length === 0) return ctx.output.out(`no webhooks yet (add one with: parley webhook add --app ${appId} --url <url>)`);
    printTable(ctx, [
      ['ID', 'ENABLED', 'PAYLOAD', 'CREATED', 'EVENTS', 'URL'],
      ...webhooks.map((w) => [w.id, w.enabled ? 'yes' : 'no', w.includePayload ? 'yes' : 'no', time(w.createdAt), eventsText(w), w.url]),
    ]);
  },
};

export const webhookRemove: Command = {
  path: ['webhook', 'remove'],
  synopsis: '--app ID <webhookId> [--json]',
  description: 'Removes a webhook endpoint with its queued and failed events.',
  options: { app: { type: 'string' }, ...JSON_OPTION },
  positionals: ['webhookId'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const id = webhookId(args);
    if (!(await ctx.webhooks.remove(appId, id))) throw unknownWebhook(appId, id);
    if (args.flag('json')) return printJson(ctx, { id, removed: true });
    ctx.output.out(`removed webhook ${id}`);
  },
};

export const webhookTest: Command = {
  path: ['webhook', 'test'],
  synopsis: '--app ID <webhookId> [--json]',
  description: [
    'The api sends a signed ping ({"event":"webhook.test","payload":{"ping":true},…}) to the endpoint now',
    'and this prints the answer (status, time, first 1 KB). Exit 1 unless it answered 2xx.',
    'Through the admin API only (PARLEY_API_URL).',
  ].join('\n'),
  options: { app: { type: 'string' }, ...JSON_OPTION },
  positionals: ['webhookId'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const id = webhookId(args);
    const result = await ctx.webhooks.test(appId, id);
    if (!result) throw unknownWebhook(appId, id);
    if (args.flag('json')) printJson(ctx, result);
    else {
      ctx.output.out(
        result.status === null
          ? `no answer after ${result.durationMs} ms: ${result.error ?? 'unknown error'}`
          : `HTTP ${result.status} in ${result.durationMs} ms`,
      );
      if (result.body !== '') ctx.output.out(result.body);
    }
    if (!result.ok) throw new CliError(`the endpoint did not answer 2xx${result.status === null ? '' : ` (HTTP ${result.status})`}`, EXIT_FAILURE);
  },
};

export const webhookFailures: Command = {
  path: ['webhook', 'failures'],
  synopsis: '--app ID <webhookId> [--json]',
  description: [
    'Lists the endpoint’s dead deliveries (retried until the retry horizon, then kept), oldest first;',
    '--json shows their bodies. Through the admin API only (PARLEY_API_URL).',
  ].join('\n'),
  options: { app: { type: 'string' }, ...JSON_OPTION },
  positionals: ['webhookId'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const id = webhookId(args);
    const failures = await ctx.webhooks.failures(appId, id);
    if (!failures) throw unknownWebhook(appId, id);
    if (args.flag('json'))
      return printJson(
        ctx,
        failures.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })),
      );
    if (failures.length === 0) return ctx.output.out('no failed deliveries');
    printTable(ctx, [
      ['ID', 'EVENT', 'ATTEMPTS', 'STATUS', 'CREATED', 'ERROR'],
      ...failures.map((f) => [
        String(f.id),
        f.eventType,
        String(f.attempts),
        f.lastStatus === null ? '-' : String(f.lastStatus),
        time(f.createdAt),
        f.lastError ?? '-',
      ]),
    ]);
  },
};

export const webhookReplay: Command = {
  path: ['webhook', 'replay'],
  synopsis: '--app ID <webhookId> [--ids 1,2,…] [--json]',
  description: [
    'Queues dead deliveries of the endpoint again (those of --ids, default all), with their noticeId.',
    'Through the admin API only (PARLEY_API_URL).',
  ].join('\n'),
  options: { app: { type: 'string' }, ids: { type: 'string' }, ...JSON_OPTION },
  positionals: ['webhookId'],
  async run(args: Args, ctx: CommandContext): Promise<void> {
    const appId = args.appId('app');
    const id = webhookId(args);
    const raw = args.string('ids');
    const ids = raw === undefined ? undefined : raw.split(',').map((s) => s.trim());
    if (ids && (ids.length > REPLAY_IDS_MAX || ids.some((s) => !/^[1-9]\d{0,14}$/.test(s)))) {
      throw new CliError(`--ids must be up to ${REPLAY_IDS_MAX} delivery ids separated by commas (see: parley webhook failures), got "${raw}"`);
    }
    const replayed = await ctx.webhooks.replay(appId, id, ids?.map(Number));
    if (replayed === null) throw unknownWebhook(appId, id);
    if (args.flag('json')) return printJson(ctx, { replayed });
    ctx.output.out(`replayed ${replayed} failed deliver${replayed === 1 ? 'y' : 'ies'}`);
  },
};

export const webhookCommands: readonly Command[] = [webhookAdd, webhookList, webhookRemove, webhookTest, webhookFailures, webhookReplay];
