import type { AppId } from '@parley/contracts';
import { CliError } from '../cli-error';
import { runCli } from '../cli';
import { apiOnly } from '../webhooks.repository';
import { newAppsRepositoryMock, newCustomersRepositoryMock, newDeps, newWebhooksRepositoryMock, webhookRecord } from '../../test/cli.mocks';

const APP = '0123456789abcdef0123456789abcdef' as AppId;
const ID = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';

describe('webhook commands', () => {
  let webhooks: ReturnType<typeof newWebhooksRepositoryMock>;
  let sut: (...argv: string[]) => Promise<number>;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    webhooks = newWebhooksRepositoryMock();
    const d = newDeps(newAppsRepositoryMock(), newCustomersRepositoryMock(), webhooks);
    out = d.out;
    err = d.err;
    sut = (...argv) => runCli(argv, d.deps);
  });

  describe('webhook add', () => {
    it('adds an endpoint for every default event and prints the secret once, with how to test it', async () => {
      webhooks.create.mockImplementation((_app, w) => Promise.resolve({ webhook: webhookRecord(w), secret: SECRET }));
      expect(await sut('webhook', 'add', '--app', APP, '--url', 'https://backend.example.com/hook')).toBe(0);
      expect(webhooks.create).toHaveBeenCalledWith(APP, { url: 'https://backend.example.com/hook', eventTypes: [], includePayload: false, enabled: true });
      expect(out).toEqual([
        `webhook id: ${ID}`,
        'url: https://backend.example.com/hook',
        'events: all (except message.peer, message.channel)',
        `secret: ${SECRET}`,
      ]);
      expect(err.join('\n')).toContain('not shown again');
      expect(err.join('\n')).toContain(`parley webhook test --app ${APP} ${ID}`);
    });

    it('passes --events (deduped), --include-payload and --disabled; --json', async () => {
      webhooks.create.mockImplementation((_app, w) => Promise.resolve({ webhook: webhookRecord(w), secret: SECRET }));
      const args = [
        '--app',
        APP,
        '--url',
        'http://127.0.0.1:9000/h',
        '--events',
        'user.online, message.peer,user.online',
        '--include-payload',
        '--disabled',
        '--json',
      ];
      expect(await sut('webhook', 'add', ...args)).toBe(0);
      expect(webhooks.create).toHaveBeenCalledWith(APP, {
        url: 'http://127.0.0.1:9000/h',
        eventTypes: ['user.online', 'message.peer'],
        includePayload: true,
        enabled: false,
      });
      expect(JSON.parse(out.join('\n'))).toMatchObject({
        id: ID,
        eventTypes: ['user.online', 'message.peer'],
        includePayload: true,
        enabled: false,
        secret: SECRET,
      });
    });

    it.each([
      [[], '--app is required'],
      [['--app', APP], '--url is required'],
      [['--app', APP, '--url', '/relative'], '--url must be an absolute http(s) URL'],
      [['--app', APP, '--url', 'ftp://x.example/'], '--url must be an absolute http(s) URL'],
      [['--app', APP, '--url', 'https://u:p@x.example/'], 'must not contain credentials'],
      [['--app', APP, '--url', 'https://x.example/', '--events', 'user.online,user.nope'], '--events: unknown event type "user.nope"'],
    ])('refuses %j before touching anything (exit 2)', async (args, message) => {
      expect(await sut('webhook', 'add', ...args)).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(message);
    });

    it('passes an unknown app through as one line (exit 2)', async () => {
      webhooks.create.mockRejectedValue(new CliError(`unknown app ${APP} (see: parley app list)`));
      expect(await sut('webhook', 'add', '--app', APP, '--url', 'https://x.example/')).toBe(2);
      expect(err).toEqual([`parley: unknown app ${APP} (see: parley app list)`]);
    });
  });

  describe('webhook list', () => {
    it('prints a table without secrets, or a hint when there is none', async () => {
      webhooks.list.mockResolvedValueOnce([
        webhookRecord(),
        webhookRecord({ id: 'f'.repeat(8) + ID.slice(8), eventTypes: ['user.online', 'message.peer'], enabled: false, includePayload: true }),
      ]);
      webhooks.list.mockResolvedValueOnce([]);
      expect(await sut('webhook', 'list', '--app', APP)).toBe(0);
      expect(out).toEqual([
        'ID                                    ENABLED  PAYLOAD  CREATED               EVENTS                                      URL',
        `${ID}  yes      no       2026-11-25T10:00:00Z  all (except message.peer, message.channel)  https://backend.example.com/hook`,
        `ffffffff${ID.slice(8)}  no       yes      2026-11-25T10:00:00Z  user.online,message.peer                    https://backend.example.com/hook`,
      ]);
      out.length = 0;
      expect(await sut('webhook', 'list', '--app', APP)).toBe(0);
      expect(out).toEqual([`no webhooks yet (add one with: parley webhook add --app ${APP} --url <url>)`]);
    });
  });

  describe('webhook remove', () => {
    it('removes one; an unknown one is exit 2; a bad id is refused', async () => {
      webhooks.remove.mockResolvedValueOnce(true).mockResolvedValueOnce(false);
      expect(await sut('webhook', 'remove', '--app', APP, ID)).toBe(0);
      expect(out).toEqual([`removed webhook ${ID}`]);
      expect(await sut('webhook', 'remove', '--app', APP, ID)).toBe(2);
      expect(err).toEqual([`parley: unknown webhook ${ID} of app ${APP} (see: parley webhook list --app ${APP})`]);
      expect(await sut('webhook', 'remove', '--app', APP, 'nope')).toBe(2);
      expect(err[1]).toContain('<webhookId> must be a webhook id');
      expect(webhooks.remove).toHaveBeenCalledTimes(2);
    });
  });

  describe('webhook test', () => {
    it('prints the status, time and body; exit 0 on 2xx', async () => {
      webhooks.test.mockResolvedValue({ ok: true, status: 200, durationMs: 12, body: 'pong', error: null });
      expect(await sut('webhook', 'test', '--app', APP, ID)).toBe(0);
      expect(webhooks.test).toHaveBeenCalledWith(APP, ID);
      expect(out).toEqual(['HTTP 200 in 12 ms', 'pong']);
    });

    it('prints the answer and exits 1 when it is not 2xx or there is none', async () => {
      webhooks.test.mockResolvedValueOnce({ ok: false, status: 500, durationMs: 3, body: 'boom', error: null });
      webhooks.test.mockResolvedValueOnce({ ok: false, status: null, durationMs: 10_000, body: '', error: 'no answer within 10000 ms' });
      expect(await sut('webhook', 'test', '--app', APP, ID)).toBe(1);
      expect(await sut('webhook', 'test', '--app', APP, ID)).toBe(1);
      expect(out).toEqual(['HTTP 500 in 3 ms', 'boom', 'no answer after 10000 ms: no answer within 10000 ms']);
      expect(err).toEqual(['parley: the endpoint did not answer 2xx (HTTP 500)', 'parley: the endpoint did not answer 2xx']);
    });

    it('says it needs the admin API in database mode (exit 2)', async () => {
      webhooks.test.mockRejectedValue(apiOnly('test'));
      expect(await sut('webhook', 'test', '--app', APP, ID)).toBe(2);
      expect(err[0]).toContain('works only through the admin API');
      expect(err[0]).toContain('PARLEY_API_URL');
    });
  });

  describe('webhook failures and replay', () => {
    it('lists failures as a table', async () => {
      webhooks.failures.mockResolvedValue([
        {
          id: 7,
          noticeId: 'n',
          eventType: 'user.online',
          attempts: 12,
          lastStatus: 503,
          lastError: 'HTTP 503',
          createdAt: new Date('2026-11-25T10:00:00.000Z'),
          body: '{}',
        },
      ]);
      expect(await sut('webhook', 'failures', '--app', APP, ID)).toBe(0);
      expect(out).toEqual([
        'ID  EVENT        ATTEMPTS  STATUS  CREATED               ERROR',
        '7   user.online  12        503     2026-11-25T10:00:00Z  HTTP 503',
      ]);
    });

    it('replays the given ids or all', async () => {
      webhooks.replay.mockResolvedValueOnce(2).mockResolvedValueOnce(1);
      expect(await sut('webhook', 'replay', '--app', APP, ID, '--ids', '7, 9')).toBe(0);
      expect(await sut('webhook', 'replay', '--app', APP, ID)).toBe(0);
      expect(webhooks.replay.mock.calls).toEqual([
        [APP, ID, [7, 9]],
        [APP, ID, undefined],
      ]);
      expect(out).toEqual(['replayed 2 failed deliveries', 'replayed 1 failed delivery']);
      expect(await sut('webhook', 'replay', '--app', APP, ID, '--ids', '7,x')).toBe(2);
      expect(err[0]).toContain('--ids must be');
    });
  });
});
