import { createCustomerCredential, createTestApp, Stack, testDatabaseUrl, waitFor, type TestApp } from '@parley/testing';
import { Client } from 'pg';
import { logoutAll, newClient } from './support/clients';
import { ApiRecorder, lintOpenApi, validateAgainstOpenApi } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const QUERY = '/dev/v2/project/{appid}/rtm/message/history/query';
const HANDLE = '/dev/v2/project/{appid}/rtm/message/history/query/{handle}';
const COUNT = '/dev/v2/project/{appid}/rtm/message/history/count';
const CHANNEL_PAGE = '/v1/apps/{appid}/history/channels/{channel}';
const PEER_PAGE = '/v1/apps/{appid}/history/users/{uid}/peers/{peer}';
const CHANNEL_SEND = '/dev/v2/project/{appid}/rtm/users/{user_id}/channel_messages';

/**
 * Message history over two gateways and two history replicas: only messages sent with
 * enableHistoricalMessaging are stored; members page back through a channel and the parties through
 * their conversation (others are refused); a send acknowledged while every history replica is down
 * (killed -9) is stored once one comes back; a gateway killed right after answering loses nothing;
 * other apps see nothing.
 */
describe('message history', () => {
  let stack: Stack;
  let db: Client;
  let app: TestApp;

  const storedCount = async (appId: string) => Number((await db.query('SELECT count(*) AS n FROM history_messages WHERE app_id = $1', [appId])).rows[0].n);
  const texts = (page: { messages: { message: { text?: string } }[] }) => page.messages.map((m) => m.message.text);

  beforeAll(async () => {
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, history: 2, api: 2 },
      env: { ...FAST_TIMERS },
      appEnv: { history: { HISTORY_FETCH_WAIT_MS: '1000', HISTORY_ACK_WAIT_MS: '2000' } },
    });
  });

  beforeEach(async () => {
    app = await createTestApp();
  });

  afterEach(async () => {
    await logoutAll();
    await db.query('DELETE FROM history_messages WHERE app_id = $1', [app.appId]);
    await db.query('DELETE FROM history_usage WHERE app_id = $1', [app.appId]);
  });

  afterAll(async () => {
    await stack?.stop();
    await db?.end();
  });

  it('stores flagged messages only; members page a channel and parties their conversation, newest first', async () => {
    const [a, b] = stack.gatewayUrls;
    const ann = newClient(app.appId, a!);
    const bob = newClient(app.appId, b!);
    const cat = newClient(app.appId, b!);
    await Promise.all([ann.login({ uid: 'ann' }), bob.login({ uid: 'bob' }), cat.login({ uid: 'cat' })]);
    const annRoom = ann.createChannel('room');
    const bobRoom = bob.createChannel('room');
    await Promise.all([annRoom.join(), bobRoom.join()]);
    for (let i = 0; i < 5; i++) await annRoom.sendMessage({ text: `kept ${i}` }, { enableHistoricalMessaging: true });
    await annRoom.sendMessage({ text: 'not kept' });
    expect(await ann.sendMessageToPeer({ text: 'hello bob' }, 'bob', { enableHistoricalMessaging: true })).toMatchObject({ hasPeerReceived: true });
    await bob.sendMessageToPeer({ text: 'hi ann' }, 'ann', { enableHistoricalMessaging: true });
    await bob.sendMessageToPeer({ text: 'unflagged' }, 'ann');
    await waitFor(async () => (await storedCount(app.appId)) >= 7, { what: '7 stored messages' });

    const first = await bobRoom.getHistory({ limit: 3 });
    expect(texts(first)).toEqual(['kept 4', 'kept 3', 'kept 2']);
    expect(first.hasMore).toBe(true);
    expect(first.messages[0]).toMatchObject({ senderId: 'ann', message: { messageType: 'TEXT' } });
    expect(first.messages[0]!.serverReceivedTs).toBeGreaterThan(0);
    const next = await bobRoom.getHistory({ limit: 3, before: first.nextBefore });
    expect(texts(next)).toEqual(['kept 1', 'kept 0']);
    expect(next.hasMore).toBe(false);

    const conversation = await ann.getPeerHistory('bob');
    expect(texts(conversation)).toEqual(['hi ann', 'hello bob']);
    expect(conversation.messages.map((m) => m.senderId)).toEqual(['bob', 'ann']);
    expect(texts(await bob.getPeerHistory('ann'))).toEqual(['hi ann', 'hello bob']);
    // Not a party, not a member: nothing of theirs.
    expect(texts(await cat.getPeerHistory('ann'))).toEqual([]);
    await expect(cat.createChannel('room').getHistory()).rejects.toBeDefined();
    expect(await storedCount(app.appId)).toBe(7);

    // Another app: the same names, nothing stored.
    const other = await createTestApp();
    const stranger = newClient(other.appId, a!);
    await stranger.login({ uid: 'ann' });
    const strangerRoom = stranger.createChannel('room');
    await strangerRoom.join();
    expect(texts(await strangerRoom.getHistory())).toEqual([]);
    expect(texts(await stranger.getPeerHistory('bob'))).toEqual([]);
  });

  it('answers Agora 1.x history queries (handle, filters, count) and /v1 pages for app backends, as the OpenAPI document says', async () => {
    const http = new ApiRecorder();
    const api = stack.apiUrls;
    const cred = await createCustomerCredential({ appIds: [app.appId] });
    const fay = newClient(app.appId, stack.gatewayUrls[0]!);
    await fay.login({ uid: 'fay' });
    const room = fay.createChannel('deck');
    await room.join();
    const t0 = Date.now() - 1_000;
    await fay.sendMessageToPeer({ text: 'to gus' }, 'gus', { enableHistoricalMessaging: true, enableOfflineMessaging: true });
    for (let i = 0; i < 3; i++) await room.sendMessage({ text: `deck ${i}` }, { enableHistoricalMessaging: true });
    const sent = await http.call(api[1]!, 'POST', `/dev/v2/project/${app.appId}/rtm/users/gus/channel_messages`, CHANNEL_SEND, {
      auth: cred.basic,
      body: { channel_name: 'deck', enable_historical_messaging: true, payload: 'from the backend' },
    });
    expect(sent.status).toBe(200);
    await waitFor(async () => (await storedCount(app.appId)) >= 5, { what: '5 stored messages' });
    const iso = (ms: number) => new Date(ms).toISOString();
    const window = { start_time: iso(t0), end_time: iso(Date.now() + 60_000) };

    const query = await http.call(api[0]!, 'POST', `/dev/v2/project/${app.appId}/rtm/message/history/query`, QUERY, {
      auth: cred.basic,
      body: { filter: { source: 'fay', ...window }, limit: 20, order: 'asc' },
    });
    expect(query.status).toBe(200);
    const location = (query.body as { location: string }).location;
    expect(location).toMatch(/^~\/rtm\/message\/history\/query\/.+/);
    const handle = location.split('/').at(-1)!;
    const messages = await http.call(api[1]!, 'GET', `/dev/v2/project/${app.appId}/rtm/message/history/query/${handle}`, HANDLE, { auth: cred.basic });
    expect(messages.body).toMatchObject({ result: 'success', code: 'ok' });
    const list = (messages.body as { messages: { src: string; dst: string; message_type: string; payload: string }[] }).messages;
    expect(list.map((m) => `${m.src}>${m.dst} ${m.message_type} ${m.payload}`)).toEqual([
      'fay>gus peer_message to gus',
      'fay>deck channel_message deck 0',
      'fay>deck channel_message deck 1',
      'fay>deck channel_message deck 2',
    ]);
    const count = await http.call(
      api[0]!,
      'GET',
      `/dev/v2/project/${app.appId}/rtm/message/history/count?destination=deck&start_time=${window.start_time}&end_time=${window.end_time}`,
      COUNT,
      { auth: cred.basic },
    );
    expect(count.body).toMatchObject({ result: 'success', count: 4 });
    // Another app's credential: its handle does not open this app's history.
    const other = await createTestApp();
    const otherCred = await createCustomerCredential({ appIds: [other.appId] });
    expect(
      (await http.call(api[0]!, 'GET', `/dev/v2/project/${other.appId}/rtm/message/history/query/${handle}`, HANDLE, { auth: otherCred.basic })).status,
    ).toBe(404);

    const page1 = await http.call(api[0]!, 'GET', `/v1/apps/${app.appId}/history/channels/deck?messageCount=2`, CHANNEL_PAGE, { auth: cred.basic });
    const body1 = page1.body as { messages: { text?: string; from: string }[]; newStart: number | null };
    expect(body1.messages.map((m) => m.text)).toEqual(['from the backend', 'deck 2']);
    expect(body1.newStart).not.toBeNull();
    const page2 = await http.call(api[1]!, 'GET', `/v1/apps/${app.appId}/history/channels/deck?messageCount=5&start=${body1.newStart}`, CHANNEL_PAGE, {
      auth: cred.basic,
    });
    const body2 = page2.body as { messages: { text?: string }[]; newStart: number | null };
    expect(body2.messages.map((m) => m.text)).toEqual(['deck 1', 'deck 0']);
    expect(body2.newStart).toBeNull();
    const peer = await http.call(api[0]!, 'GET', `/v1/apps/${app.appId}/history/users/gus/peers/fay`, PEER_PAGE, { auth: cred.basic });
    expect((peer.body as { messages: { text?: string; from: string; to?: string }[] }).messages).toEqual([
      expect.objectContaining({ text: 'to gus', from: 'fay', to: 'gus' }),
    ]);

    const doc = (await (await fetch(`${api[0]}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
  });

  it('loses nothing acknowledged: every history replica killed -9 before the sends, a gateway killed right after', async () => {
    const [a, b] = stack.gatewayUrls;
    const dan = newClient(app.appId, a!);
    const eve = newClient(app.appId, b!);
    await Promise.all([dan.login({ uid: 'dan' }), eve.login({ uid: 'eve' })]);
    const replicas = stack.processes.filter((p) => p.app === 'history');
    for (const p of replicas) await stack.kill(p, 'SIGKILL');
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const text = `durable ${i}`;
      expect(await dan.sendMessageToPeer({ text }, 'eve', { enableHistoricalMessaging: true })).toMatchObject({ hasPeerReceived: true });
      sent.push(text);
    }
    // The sender's gateway dies right after its last answer: the captures are in JetStream already.
    await stack.kill(stack.gateways[0]!, 'SIGKILL');
    expect(await storedCount(app.appId)).toBe(0);
    await Promise.all(replicas.map((p) => stack.spawn('history', p.index)));
    await waitFor(async () => (await storedCount(app.appId)) >= 20, { timeoutMs: 20_000, what: '20 stored messages after the restart' });
    const page = await eve.getPeerHistory('dan', { limit: 100 });
    expect(texts(page)).toEqual([...sent].reverse());
    expect(await storedCount(app.appId)).toBe(20);
    await stack.spawn('gateway', 0);
  });
});
