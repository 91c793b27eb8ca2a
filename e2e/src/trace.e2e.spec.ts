import { randomUUID } from 'node:crypto';
import {
  createCustomerCredential,
  createTestApp,
  OtlpCollector,
  Stack,
  startTestS3,
  testDatabaseUrl,
  waitFor,
  WebhookReceiver,
  type TestApp,
  type TestS3,
} from '@parley/testing';
import { Client } from 'pg';
import { logoutAll, newClient, type RtmClient } from './support/clients';

/** One OpenTelemetry trace follows a login from the gateway's WebSocket handling over NATS into presence. */
describe('trace context across gateway, NATS and presence', () => {
  let stack: Stack;
  let collector: OtlpCollector;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    stack = await Stack.start({ replicas: { gateway: 1, presence: 2 }, env: collector.env() });
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await collector?.stop();
  });

  it('links the gateway login span, the NATS request span and the presence span in one trace', async () => {
    const app = await createTestApp();
    await newClient(app.appId, stack.gatewayUrls[0]!).login({ uid: 'traced' });

    const register = `${stack.prefix}.svc.presence.register`;
    const [login, send, process] = await waitFor(
      () => {
        const login = collector.spans.find((s) => s.service === 'parley-gateway' && s.name === 'ws login');
        const send = login && collector.spans.find((s) => s.traceId === login.traceId && s.name === `send ${register}`);
        const process = send && collector.spans.find((s) => s.traceId === login.traceId && s.name === `process ${register}`);
        return process ? ([login, send, process] as const) : undefined;
      },
      { timeoutMs: 10_000, what: `login trace (spans so far: ${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` },
    );

    expect(login.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(login.traceId).not.toBe('0'.repeat(32));
    expect(send.service).toBe('parley-gateway');
    expect(send.parentSpanId).toBe(login.spanId);
    expect(process.service).toBe('parley-presence');
    expect(process.parentSpanId).toBe(send.spanId);
    expect(process.attributes['messaging.system']).toBe('nats');
  });
});

/**
 * One SDK call, one trace: a peer message (both gateways), a channel join (gateway → channel), a
 * channel-attribute write (gateway → attributes) and an upload (its many requests → media) each
 * yield one trace whose spans cover the gateway and every service the call touched.
 */
describe('one trace per SDK call across gateways and services', () => {
  let stack: Stack;
  let collector: OtlpCollector;
  let s3: TestS3;
  let app: TestApp;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, attributes: 1, media: 1 },
      env: collector.env(),
      appEnv: { media: s3.env },
    });
    app = await createTestApp();
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await collector?.stop();
    await s3?.stop();
  });

  const root = (name: string) =>
    collector.spans.find((s) => s.service === 'parley-gateway' && s.name === name && !collector.spans.some((p) => p.spanId === s.parentSpanId));
  const inTrace = (traceId: string) => collector.spans.filter((s) => s.traceId === traceId);

  it('follows a peer message from the sender’s gateway over NATS into the receiver’s gateway', async () => {
    const [alice, bob] = [newClient(app.appId, stack.gatewayUrls[0]!), newClient(app.appId, stack.gatewayUrls[1]!)];
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    await alice.sendMessageToPeer({ text: 'traced' }, 'bob');
    const [send, process] = await waitFor(
      () => {
        const ws = root('ws send_peer');
        const send = ws && inTrace(ws.traceId).find((s) => s.name.startsWith('send ') && s.parentSpanId === ws.spanId);
        const process = send && inTrace(ws.traceId).find((s) => s.name.startsWith('process ') && s.parentSpanId === send.spanId);
        return process ? ([send, process] as const) : undefined;
      },
      { what: `peer message trace (${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` },
    );
    expect(send.name).toBe('send {prefix}.{app}.user.{uid}');
    expect(send.attributes['messaging.operation.type']).toBe('send');
    expect(process.service).toBe('parley-gateway');
    expect(process.attributes['messaging.operation.type']).toBe('process');
    expect(process.attributes['messaging.destination.name']).toBe(`${stack.prefix}.${app.appId}.user.bob`);
  });

  it.each([
    ['a channel join', 'ws join', 'channel.join', 'parley-channel', async (c: RtmClient): Promise<void> => c.createChannel('traced-room').join()],
    [
      'a channel-attribute write',
      'ws set_channel_attrs',
      'attributes.channel-write',
      'parley-attributes',
      async (c: RtmClient): Promise<void> => c.setChannelAttributes('traced-room', { k: 'v' }),
    ],
  ] as const)('follows %s from the gateway into the service', async (_what, wsName, op, service, call) => {
    const client = newClient(app.appId, stack.gatewayUrls[0]!);
    await client.login({ uid: `u-${wsName.replace(/\W/g, '')}` });
    await call(client);
    const subject = `${stack.prefix}.svc.${op}`;
    const spans = await waitFor(
      () => {
        const ws = root(wsName);
        const all = ws ? inTrace(ws.traceId) : [];
        const send = all.find((s) => s.name === `send ${subject}`);
        const process = all.find((s) => s.name === `process ${subject}` && s.service === service);
        return process && send ? { ws: ws!, send, process } : undefined;
      },
      { what: `${wsName} trace (${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` },
    );
    expect(spans.send.parentSpanId).toBe(spans.ws.spanId);
    expect(spans.process.parentSpanId).toBe(spans.send.spanId);
    expect(spans.process.attributes['messaging.system']).toBe('nats');
  });

  it('puts every request of one upload, and the media service’s work on it, in one trace', async () => {
    const client = newClient(app.appId, stack.gatewayUrls[1]!);
    await client.login({ uid: 'uploader' });
    await client.createFileMessageByUploading(new Uint8Array(200_000).fill(7));
    const trace = await waitFor(
      () => {
        const begin = collector.spans.find((s) => s.service === 'parley-gateway' && s.name === 'ws media_upload_begin');
        const all = begin ? inTrace(begin.traceId) : [];
        const ok =
          all.some((s) => s.name === 'ws media_upload_chunk') &&
          all.some((s) => s.name === 'ws media_upload_end') &&
          all.some((s) => s.service === 'parley-media' && s.name === `process ${stack.prefix}.svc.media.begin`) &&
          all.filter((s) => s.service === 'parley-media' && s.name.startsWith(`process ${stack.prefix}.svc.media.upload.`)).length >= 2;
        return ok ? all : undefined;
      },
      { what: `upload trace (${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` },
    );
    const chunks = trace.filter((s) => s.name === 'ws media_upload_chunk');
    expect(chunks.length).toBe(Math.ceil(200_000 / (48 * 1024)));
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['parley-gateway', 'parley-media']));
  });
});

/** A REST send through the server API is one trace: the HTTP span (route template), the NATS request, the receiving gateway. */
describe('one trace per server API request', () => {
  let stack: Stack;
  let collector: OtlpCollector;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    stack = await Stack.start({ replicas: { gateway: 1, presence: 1, api: 1 }, env: collector.env() });
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await collector?.stop();
  });

  it('names the HTTP span by its route template and continues it into the receiver’s gateway', async () => {
    const app = await createTestApp();
    const cred = await createCustomerCredential({ appIds: [app.appId] });
    const bob = newClient(app.appId, stack.gatewayUrls[0]!);
    await bob.login({ uid: 'bob' });
    const res = await fetch(`${stack.apiUrls[0]}/dev/v2/project/${app.appId}/rtm/users/system/peer_messages?wait_for_ack=true`, {
      method: 'POST',
      headers: { authorization: cred.basic, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: 'bob', payload: 'traced' }),
    });
    expect(await res.json()).toMatchObject({ code: 'message_delivered' });
    const route = 'POST /dev/v2/project/{appid}/rtm/users/{user_id}/peer_messages';
    const [http, processed] = await waitFor(
      () => {
        const http = collector.spans.find((s) => s.service === 'parley-api' && s.name === route);
        const processed = http && collector.spans.find((s) => s.traceId === http.traceId && s.service === 'parley-gateway' && s.name.startsWith('process '));
        return processed ? ([http, processed] as const) : undefined;
      },
      { timeoutMs: 10_000, what: `api trace (spans so far: ${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` },
    );
    expect(http.attributes['http.route']).toBe('/dev/v2/project/{appid}/rtm/users/{user_id}/peer_messages');
    expect(JSON.stringify(http)).not.toContain(app.appId.slice(0, 12) + '/rtm/users/system'); // no ids in the name
    const send = collector.spans.find((s) => s.spanId === processed.parentSpanId);
    expect(send).toMatchObject({ service: 'parley-api', traceId: http.traceId });
  });
});

/** A webhook attempt runs in a trace of its own (retries come later) linked to the action that caused the event. */
describe('webhook attempts linked to the causing action', () => {
  let stack: Stack;
  let collector: OtlpCollector;
  let db: Client;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    stack = await Stack.start({
      replicas: { gateway: 1, presence: 1, channel: 1, webhooks: 1 },
      env: collector.env(),
      appEnv: { webhooks: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_IDLE_POLL_MS: '300' } },
    });
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await collector?.stop();
    await db?.end();
  });

  it('links the attempt spans of user.online, channel.join and message.peer to the login, join and send traces', async () => {
    const app = await createTestApp();
    const hook = await WebhookReceiver.start();
    try {
      await db.query('INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, updated_at) VALUES ($1, $2, $3, $4, $5, now())', [
        randomUUID(),
        app.appId,
        hook.url,
        'secret',
        ['user.online', 'channel.join', 'message.peer'],
      ]);
      await new Promise((r) => setTimeout(r, 6_500)); // gateways re-read which apps capture messages when the webhooks replicas relay the change
      const ann = newClient(app.appId, stack.gatewayUrls[0]!);
      const bo = newClient(app.appId, stack.gatewayUrls[0]!);
      // One after the other: logins arriving in one event-loop turn are registered by one presence
      // request, whose events carry the first login's trace (per-login traceparents in a batch: not yet).
      await ann.login({ uid: 'ann' });
      await bo.login({ uid: 'bo' });
      await ann.createChannel('traced').join();
      await ann.sendMessageToPeer({ text: 'hi' }, 'bo');
      await waitFor(() => hook.received.length >= 4, { timeoutMs: 15_000, what: `4 webhooks (got ${hook.events().join(', ')})` });
      const gatewayRoots = (name: string) => collector.spans.filter((s) => s.service === 'parley-gateway' && s.name === name).map((s) => s.traceId);
      const attempts = () => collector.spans.filter((s) => s.service === 'parley-webhooks' && s.name === 'webhook.deliver');
      const linkedTraces = (event: string) =>
        attempts()
          .filter((s) => s.attributes['parley.webhook.event'] === event)
          .flatMap((s) => s.links.map((l) => l.traceId));
      // Each of this test's actions (the only ones on this stack's gateway) is linked from its event's attempt.
      const unlinked = () => [
        ...gatewayRoots('ws login').filter((t) => !linkedTraces('user.online').includes(t)),
        ...gatewayRoots('ws join').filter((t) => !linkedTraces('channel.join').includes(t)),
        ...gatewayRoots('ws send_peer').filter((t) => !linkedTraces('message.peer').includes(t)),
      ];
      await waitFor(() => attempts().length >= 4 && unlinked().length === 0, {
        timeoutMs: 10_000,
        what: `attempt spans linked to the actions (unlinked: ${unlinked().join(', ')})`,
      });
      expect(gatewayRoots('ws login')).toHaveLength(2);
      expect(gatewayRoots('ws join')).toHaveLength(1);
      expect(gatewayRoots('ws send_peer')).toHaveLength(1);
      for (const s of attempts()) expect(s.parentSpanId).toBe(''); // a root of its own trace
    } finally {
      await hook.stop();
      await db.query('DELETE FROM webhook_deliveries WHERE app_id = $1', [app.appId]);
      await db.query('DELETE FROM webhook_endpoints WHERE app_id = $1', [app.appId]);
    }
  });
});
