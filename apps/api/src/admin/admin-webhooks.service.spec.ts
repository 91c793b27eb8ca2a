import type { AppId } from '@parley/contracts';
import { verifyWebhookSignature } from '@parley/platform';
import { ApiError } from '../http/api-error';
import type { AdminWebhooksRepository, WebhookRow } from './admin-webhooks.repository';
import { AdminWebhooksService, WEBHOOK_TEST_BODY_BYTES, WEBHOOK_TEST_TIMEOUT_MS } from './admin-webhooks.service';
import { PrivateAddressError, type WebhookPingClient } from './webhook-ping.client';

const APP = '0123456789abcdef0123456789abcdef' as AppId;
const ID = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
const SECRET = 's'.repeat(43);
const CREATED = new Date('2026-12-03T10:00:00.000Z');
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;

type Mocked<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : never };
const strict = (name: string) =>
  jest.fn().mockImplementation(() => {
    throw new Error(`unexpected call: ${name}`);
  });

function newRepositoryMock(): Mocked<
  Pick<AdminWebhooksRepository, 'create' | 'appExists' | 'list' | 'find' | 'update' | 'deleteWithDeliveries' | 'failures' | 'replay'>
> {
  return {
    create: strict('create'),
    appExists: strict('appExists'),
    list: strict('list'),
    find: strict('find'),
    update: strict('update'),
    deleteWithDeliveries: strict('deleteWithDeliveries'),
    failures: strict('failures'),
    replay: strict('replay'),
  };
}

const row = (over: Partial<WebhookRow> = {}): WebhookRow => ({
  id: ID,
  appId: APP,
  url: 'https://backend.example.com/hook',
  secret: SECRET,
  eventTypes: [],
  includePayload: false,
  enabled: true,
  createdAt: CREATED,
  updatedAt: CREATED,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('AdminWebhooksService', () => {
  let repository: ReturnType<typeof newRepositoryMock>;
  let ping: { post: jest.Mock };
  let config: { WEBHOOK_ALLOW_HTTP: boolean; WEBHOOK_ALLOW_PRIVATE: boolean };
  let sut: AdminWebhooksService;

  beforeEach(() => {
    repository = newRepositoryMock();
    ping = { post: strict('ping.post') };
    config = { WEBHOOK_ALLOW_HTTP: false, WEBHOOK_ALLOW_PRIVATE: false };
    sut = new AdminWebhooksService(repository as unknown as AdminWebhooksRepository, ping as unknown as WebhookPingClient, config);
  });

  describe('create', () => {
    it('makes a random base64url secret, dedupes event types, and shows the secret', async () => {
      repository.create.mockImplementation((appId, w) => Promise.resolve(row({ appId, ...w })));
      const created = await sut.create(APP, { url: 'https://backend.example.com/hook', eventTypes: ['user.online', 'user.online', 'message.peer'] });
      expect(repository.create).toHaveBeenCalledWith(
        APP,
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          url: 'https://backend.example.com/hook',
          secret: expect.stringMatching(BASE64URL_32),
          eventTypes: ['user.online', 'message.peer'],
          includePayload: false,
          enabled: true,
        },
        100,
      );
      expect(created).toEqual({
        id: expect.any(String),
        appId: APP,
        url: 'https://backend.example.com/hook',
        secret: expect.stringMatching(BASE64URL_32),
        eventTypes: ['user.online', 'message.peer'],
        includePayload: false,
        enabled: true,
        createdAt: CREATED.toISOString(),
        updatedAt: CREATED.toISOString(),
      });
    });

    it('keeps a given secret and flags', async () => {
      repository.create.mockImplementation((appId, w) => Promise.resolve(row({ appId, ...w })));
      expect(await sut.create(APP, { url: 'https://x.example/h', secret: 'my-own-secret-123', includePayload: true, enabled: false })).toMatchObject({
        secret: 'my-own-secret-123',
        includePayload: true,
        enabled: false,
      });
    });

    it.each([
      ['http://backend.example.com/hook', 'must be https://'],
      ['https://u:p@backend.example.com/hook', 'credentials'],
      ['https://127.0.0.1/hook', 'WEBHOOK_ALLOW_PRIVATE'],
    ])('refuses %s with 400 invalid_webhook_url before touching the database', async (url, message) => {
      const err = await rejection(sut.create(APP, { url }));
      expect(err).toMatchObject({ status: 400, code: 'invalid_webhook_url' });
      expect(err.message).toContain(message);
    });

    it('accepts http and private addresses when the config allows them', async () => {
      config.WEBHOOK_ALLOW_HTTP = true;
      config.WEBHOOK_ALLOW_PRIVATE = true;
      repository.create.mockImplementation((appId, w) => Promise.resolve(row({ appId, ...w })));
      expect(await sut.create(APP, { url: 'http://127.0.0.1:9000/hook' })).toMatchObject({ url: 'http://127.0.0.1:9000/hook' });
    });

    it('answers 404 for an unknown app and 409 when the app has too many webhooks', async () => {
      repository.create.mockResolvedValue(null);
      repository.appExists.mockResolvedValueOnce(false).mockResolvedValueOnce(true);
      expect(await rejection(sut.create(APP, { url: 'https://x.example/h' }))).toMatchObject({ status: 404, message: `unknown app ${APP}` });
      expect(await rejection(sut.create(APP, { url: 'https://x.example/h' }))).toMatchObject({ status: 409, code: 'too_many_webhooks' });
    });
  });

  describe('reads', () => {
    it('never shows a secret', async () => {
      repository.list.mockResolvedValue([row()]);
      repository.find.mockResolvedValue(row());
      expect(JSON.stringify(await sut.list(APP))).not.toContain(SECRET);
      expect(await sut.get(APP, ID)).not.toHaveProperty('secret');
    });

    it('lists nothing for an app without webhooks, 404 for an unknown app', async () => {
      repository.list.mockResolvedValue([]);
      repository.appExists.mockResolvedValueOnce(true).mockResolvedValueOnce(false);
      expect(await sut.list(APP)).toEqual({ webhooks: [] });
      expect(await rejection(sut.list(APP))).toMatchObject({ status: 404 });
    });

    it('answers 404 for an unknown webhook', async () => {
      repository.find.mockResolvedValue(null);
      expect(await rejection(sut.get(APP, ID))).toMatchObject({ status: 404, message: `unknown webhook ${ID}` });
    });
  });

  describe('update', () => {
    it('passes only the given changes, without secret', async () => {
      repository.update.mockResolvedValue(row({ enabled: false }));
      const updated = await sut.update(APP, ID, { enabled: false });
      expect(repository.update).toHaveBeenCalledWith(APP, ID, {
        url: undefined,
        eventTypes: undefined,
        includePayload: undefined,
        enabled: false,
        secret: undefined,
      });
      expect(updated).not.toHaveProperty('secret');
    });

    it('rotates the secret and shows the new one once', async () => {
      repository.update.mockImplementation((_a, _i, c) => Promise.resolve(row({ secret: c.secret! })));
      const updated = await sut.update(APP, ID, { rotateSecret: true });
      expect(updated).toMatchObject({ secret: expect.stringMatching(BASE64URL_32) });
      expect((updated as { secret: string }).secret).not.toBe(SECRET);
    });

    it('checks a new URL, and answers 404 for an unknown webhook', async () => {
      expect(await rejection(sut.update(APP, ID, { url: 'ftp://x' }))).toMatchObject({ status: 400, code: 'invalid_webhook_url' });
      repository.update.mockResolvedValue(null);
      expect(await rejection(sut.update(APP, ID, { enabled: true }))).toMatchObject({ status: 404 });
    });
  });

  it('deletes an endpoint with its outbox rows; 404 when unknown', async () => {
    repository.deleteWithDeliveries.mockResolvedValueOnce({ deletedDeliveries: 3 }).mockResolvedValueOnce(null);
    expect(await sut.delete(APP, ID)).toEqual({ id: ID, deletedDeliveries: 3 });
    expect(await rejection(sut.delete(APP, ID))).toMatchObject({ status: 404 });
  });

  describe('test', () => {
    it('sends an Agora-shaped ping signed with the secret, and reports the answer', async () => {
      repository.find.mockResolvedValue(row());
      ping.post.mockResolvedValue({ status: 204, body: '', durationMs: 12, error: null });
      expect(await sut.test(APP, ID)).toEqual({ ok: true, status: 204, durationMs: 12, body: '', error: null });
      const sent = ping.post.mock.calls[0]![0] as {
        url: string;
        body: string;
        headers: Record<string, string>;
        timeoutMs: number;
        maxBodyBytes: number;
        allowPrivate: boolean;
      };
      expect(sent).toMatchObject({ url: row().url, timeoutMs: WEBHOOK_TEST_TIMEOUT_MS, maxBodyBytes: WEBHOOK_TEST_BODY_BYTES, allowPrivate: false });
      expect(JSON.parse(sent.body)).toEqual({
        noticeId: expect.any(String),
        productId: expect.any(Number),
        eventType: 0,
        notifyMs: expect.any(Number),
        sid: expect.any(String),
        payload: { ping: true },
        event: 'webhook.test',
      });
      expect(verifyWebhookSignature(SECRET, sent.body, sent.headers['Agora-Signature-V2']!)).toBe(true);
      expect(sent.headers['Agora-Signature']).toMatch(/^[0-9a-f]{40}$/);
    });

    it.each([
      [{ status: 500, body: 'boom', durationMs: 3, error: null }, false],
      [{ status: 302, body: '', durationMs: 3, error: null }, false],
      [{ status: null, body: '', durationMs: 10_000, error: 'no answer within 10000 ms' }, false],
    ])('is not ok for %j', async (answer, ok) => {
      repository.find.mockResolvedValue(row());
      ping.post.mockResolvedValue(answer);
      expect(await sut.test(APP, ID)).toEqual({ ok, ...answer });
    });

    it('answers 400 private_address when the URL resolves to a private address', async () => {
      repository.find.mockResolvedValue(row());
      ping.post.mockRejectedValue(new PrivateAddressError('x resolves to 10.0.0.1'));
      expect(await rejection(sut.test(APP, ID))).toMatchObject({ status: 400, code: 'private_address', message: 'x resolves to 10.0.0.1' });
    });
  });

  describe('failures and replay', () => {
    const failure = (id: bigint) => ({
      id,
      noticeId: 'n',
      eventType: 'user.online',
      attempts: 7,
      lastStatus: 500,
      lastError: 'HTTP 500',
      createdAt: CREATED,
      body: '{}',
    });

    it('pages dead deliveries by id', async () => {
      repository.find.mockResolvedValue(row());
      repository.failures.mockResolvedValue([failure(5n), failure(9n), failure(12n)]);
      expect(await sut.failures(APP, ID, { limit: 2, after: '4' })).toEqual({
        failures: [
          { id: 5, noticeId: 'n', eventType: 'user.online', attempts: 7, lastStatus: 500, lastError: 'HTTP 500', createdAt: CREATED.toISOString(), body: '{}' },
          expect.objectContaining({ id: 9 }),
        ],
        next: '9',
      });
      expect(repository.failures).toHaveBeenCalledWith(APP, ID, 3, 4n);
    });

    it('replays the given ids (deduped) or all', async () => {
      repository.find.mockResolvedValue(row());
      repository.replay.mockResolvedValueOnce(2).mockResolvedValueOnce(5);
      expect(await sut.replay(APP, ID, { ids: [3, 3, 4] })).toEqual({ replayed: 2 });
      expect(await sut.replay(APP, ID, {})).toEqual({ replayed: 5 });
      expect(repository.replay.mock.calls).toEqual([
        [APP, ID, [3, 4]],
        [APP, ID, undefined],
      ]);
    });

    it('answers 404 for an unknown webhook', async () => {
      repository.find.mockResolvedValue(null);
      expect(await rejection(sut.failures(APP, ID, {}))).toMatchObject({ status: 404 });
      expect(await rejection(sut.replay(APP, ID, {}))).toMatchObject({ status: 404 });
    });
  });
});
