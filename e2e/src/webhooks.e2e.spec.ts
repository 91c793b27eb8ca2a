import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createTestApp, Stack, startTestS3, testDatabaseUrl, waitFor, WebhookReceiver, type TestApp, type TestS3 } from '@parley/testing';
import { Client } from 'pg';
import { connectionStates, logoutAll, newClient, waitForState, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Verifies a body the way Agora's sample receiver does: HMAC-SHA256 of the raw body, hex. */
const signedBy = (secret: string, raw: string, signature: unknown) => createHmac('sha256', secret).update(raw).digest('hex') === signature;

function metadataItems(client: RtmClient, ...list: { key: string; value?: string; revision?: number }[]) {
  return list.map(({ key, value, revision }) => {
    const item = client.createMetadataItem();
    item.setKey(key);
    if (value !== undefined) item.setValue(value);
    if (revision !== undefined) item.setRevision(revision);
    return item;
  });
}

/**
 * Webhooks (apps/webhooks ×2) with real receivers: every event once, signed, in order per user;
 * retries with one noticeId; a replica killed mid-delivery loses nothing; a hanging endpoint does
 * not delay another. Endpoints are inserted directly (the admin API manages them in production).
 */
describe('webhooks', () => {
  let stack: Stack;
  let s3: TestS3;
  let db: Client;
  let app: TestApp;
  const receivers: WebhookReceiver[] = [];

  async function addEndpoint(
    appId: string,
    url: string,
    secret = randomBytes(16).toString('hex'),
    options: { eventTypes?: string[]; includePayload?: boolean } = {},
  ): Promise<string> {
    await db.query('INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, include_payload, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())', [
      randomUUID(),
      appId,
      url,
      secret,
      options.eventTypes ?? [],
      options.includePayload ?? false,
    ]);
    return secret;
  }

  async function receiver(): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  }

  beforeAll(async () => {
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, attributes: 1, invitation: 1, media: 1, webhooks: 2 },
      env: { ...FAST_TIMERS },
      appEnv: {
        media: s3.env,
        webhooks: {
          WEBHOOK_ALLOW_PRIVATE: 'true',
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_BACKOFF_BASE_MS: '200',
          WEBHOOK_BACKOFF_MAX_MS: '400',
          WEBHOOK_TIMEOUT_MS: '3000',
          WEBHOOK_LEASE_MARGIN_MS: '500',
          WEBHOOK_DISPATCH_POLL_MS: '200',
          WEBHOOK_IDLE_POLL_MS: '300',
        },
      },
    });
  });

  beforeEach(async () => {
    app = await createTestApp();
  });

  afterEach(async () => {
    await logoutAll();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
    // Endpoints left behind would be retried by every later run's webhooks replicas (one database).
    await db.query('DELETE FROM webhook_deliveries WHERE app_id = $1', [app.appId]);
    await db.query('DELETE FROM webhook_endpoints WHERE app_id = $1', [app.appId]);
  });

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    await db?.end();
  });

  it('delivers login, join, leave and logout once each, signed, in order per user', async () => {
    const hook = await receiver();
    const secret = await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const alice = newClient(app.appId, stack.gatewayUrls);
    await alice.login({ uid: 'alice' });
    const channel = alice.createChannel('room');
    await channel.join();
    await channel.leave();
    await alice.logout();
    await waitFor(() => hook.received.length >= 6, { timeoutMs: 15_000, what: `6 webhooks (got ${hook.events().join(', ')})` });
    await sleep(1_000);
    // In order per user and per channel (the two keys go out independently).
    const events = hook.events('alice');
    expect(events.filter((e) => e.startsWith('user.'))).toEqual(['user.online', 'user.offline']);
    expect(events.filter((e) => e.startsWith('channel.'))).toEqual(['channel.occupied', 'channel.join', 'channel.leave', 'channel.vacated']);
    for (const h of hook.received) {
      expect(signedBy(secret, h.raw, h.headers['agora-signature-v2'])).toBe(true);
      expect(h.headers['agora-signature']).toBe(createHmac('sha1', secret).update(h.raw).digest('hex'));
    }
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(6);
    const byEvent = new Map(hook.received.map((h) => [h.body.event, h.body]));
    expect([...byEvent.values()].map((b) => `${b.event} ${b.eventType}`).sort()).toEqual([
      'channel.join 111',
      'channel.leave 112',
      'channel.occupied 113',
      'channel.vacated 114',
      'user.offline 102',
      'user.online 101',
    ]);
    expect(byEvent.get('channel.join')!.payload).toMatchObject({ channelName: 'room', userId: 'alice', memberCount: 1 });
    expect(byEvent.get('user.offline')!.payload).toMatchObject({ userId: 'alice', reason: 'logout' });
  });

  it('reports occupied and vacated once per channel, a remote login as its reason, in order per channel', async () => {
    const hook = await receiver();
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const [a, b] = stack.gatewayUrls;
    const ann = newClient(app.appId, a!);
    const ben = newClient(app.appId, b!);
    await Promise.all([ann.login({ uid: 'ann' }), ben.login({ uid: 'ben' })]);
    const annRoom = ann.createChannel('hall');
    const benRoom = ben.createChannel('hall');
    await annRoom.join();
    await benRoom.join();
    await annRoom.leave();
    await benRoom.leave();
    const ann2 = newClient(app.appId, b!); // a second client of ann: the first one's session ends
    await ann2.login({ uid: 'ann' });
    await waitFor(() => hook.events().filter((e) => e.startsWith('channel.')).length >= 6 && hook.events('ann').includes('user.offline'), {
      timeoutMs: 15_000,
      what: `channel events and ann's offline (got ${hook.events().join(', ')})`,
    });
    await sleep(1_000);
    const hall = hook.received.filter((h) => h.body.payload['channelName'] === 'hall').map((h) => `${h.body.event} ${String(h.body.payload['userId'])}`);
    expect(hall).toEqual(['channel.occupied ann', 'channel.join ann', 'channel.join ben', 'channel.leave ann', 'channel.leave ben', 'channel.vacated ben']);
    const offline = hook.received.filter((h) => h.body.event === 'user.offline');
    expect(offline.map((h) => h.body.payload)).toEqual([expect.objectContaining({ userId: 'ann', reason: 'remote_login' })]);
  });

  it('reports messages (opt-in, with the message when asked), ended invitations and uploads', async () => {
    const all = await receiver();
    const bare = await receiver();
    const everything = ['user.online', 'message.peer', 'message.channel', 'invitation.ended', 'media.uploaded'];
    const secret = await addEndpoint(app.appId, all.url, undefined, { eventTypes: everything, includePayload: true });
    await addEndpoint(app.appId, bare.url, undefined, { eventTypes: ['message.peer'] });
    // Gateways re-read which apps capture messages when the webhooks replicas relay the database's
    // notification (their 60 s safety re-read would be too late for this test: it proves the relay).
    await sleep(6_500);
    const [a, b] = stack.gatewayUrls;
    const cat = newClient(app.appId, a!);
    const dan = newClient(app.appId, b!);
    await Promise.all([cat.login({ uid: 'cat' }), dan.login({ uid: 'dan' })]);
    expect(await cat.sendMessageToPeer({ text: 'hello dan' }, 'dan')).toMatchObject({ hasPeerReceived: true });
    expect(await cat.sendMessageToPeer({ text: 'for later' }, 'nobody', { enableOfflineMessaging: true })).toMatchObject({ hasPeerReceived: false });
    const catRoom = cat.createChannel('lobby');
    const danRoom = dan.createChannel('lobby');
    await Promise.all([catRoom.join(), danRoom.join()]);
    await catRoom.sendMessage({ messageType: 'RAW', rawMessage: new Uint8Array([1, 2, 3]), description: 'bytes' });
    // An invitation dan refuses.
    dan.on('RemoteInvitationReceived', (inv) => void inv.refuse());
    const call = cat.createLocalInvitation('dan');
    call.channelId = 'call-7';
    const refused = new Promise<void>((resolve) => call.on('LocalInvitationRefused', () => resolve()));
    call.send();
    await refused;
    const media = await cat.createMediaMessageByUploading(new Blob([randomBytes(2_000)]), { fileName: 'notes.bin' });
    const wanted = ['message.peer', 'message.peer', 'message.channel', 'invitation.ended', 'media.uploaded'];
    await waitFor(() => wanted.every((w) => all.events().filter((e) => e === w).length >= wanted.filter((x) => x === w).length), {
      timeoutMs: 20_000,
      what: `message, invitation and upload events (got ${all.events().join(', ')})`,
    });
    await waitFor(() => bare.received.length >= 2, { timeoutMs: 10_000, what: 'the bare endpoint’s peer messages' });
    await sleep(1_000);
    const byEvent = (name: string) => all.received.filter((h) => h.body.event === name).map((h) => h.body.payload);
    expect(byEvent('message.peer')).toEqual([
      expect.objectContaining({ fromUserId: 'cat', toUserId: 'dan', messageType: 'TEXT', delivery: 'received', text: 'hello dan' }),
      expect.objectContaining({ fromUserId: 'cat', toUserId: 'nobody', delivery: 'cached', text: 'for later' }),
    ]);
    expect(byEvent('message.channel')).toEqual([
      expect.objectContaining({ fromUserId: 'cat', channelName: 'lobby', messageType: 'RAW', rawMessage: 'AQID', description: 'bytes' }),
    ]);
    expect(byEvent('invitation.ended')).toEqual([
      expect.objectContaining({ callerUserId: 'cat', calleeUserId: 'dan', channelName: 'call-7', outcome: 'REFUSED' }),
    ]);
    expect(byEvent('media.uploaded')).toEqual([expect.objectContaining({ mediaId: media.mediaId, userId: 'cat', size: 2_000, fileName: 'notes.bin' })]);
    // Each once, signed; user.online was asked for, the other types (joins…) were not.
    expect(all.events().filter((e) => e === 'user.online')).toHaveLength(2);
    expect(all.events().some((e) => e.startsWith('channel.'))).toBe(false);
    expect(new Set(all.received.map((h) => h.body.noticeId)).size).toBe(all.received.length);
    for (const h of all.received) expect(signedBy(secret, h.raw, h.headers['agora-signature-v2'])).toBe(true);
    // Without includePayload: the message's facts, not its text; only the type it named.
    expect(bare.events()).toEqual(['message.peer', 'message.peer']);
    expect(bare.received[0]!.body.payload).not.toHaveProperty('text');
    expect(bare.received[0]!.body.payload).toMatchObject({ fromUserId: 'cat', toUserId: 'dan', messageType: 'TEXT' });
  });

  it('reports metadata writes per user and per channel in revision order, with the items written and the keys removed; not refused ones', async () => {
    const hook = await receiver();
    await addEndpoint(app.appId, hook.url, undefined, { eventTypes: ['metadata.user', 'metadata.channel'] });
    await sleep(500);
    const [a, b] = stack.gatewayUrls;
    const eve = newClient(app.appId, a!);
    const fox = newClient(app.appId, b!);
    await Promise.all([eve.login({ uid: 'eve' }), fox.login({ uid: 'fox' })]);
    await eve.setLocalUserMetadata(metadataItems(eve, { key: 'mood', value: 'happy' }, { key: 'city', value: 'Oslo' }), { enableRecordUserId: true });
    await eve.updateLocalUserMetadata(metadataItems(eve, { key: 'mood', value: 'calm' }));
    await expect(eve.addLocalUserMetadata(metadataItems(eve, { key: 'mood', value: 'twice' }))).rejects.toBeDefined();
    await eve.deleteLocalUserMetadata(metadataItems(eve, { key: 'city' }));
    const room = fox.createChannel('stage');
    await room.join();
    await room.setChannelMetadata(metadataItems(fox, { key: 'host', value: 'fox' }));
    await room.clearChannelMetadata();
    await waitFor(() => hook.received.length >= 5, { timeoutMs: 15_000, what: `5 metadata webhooks (got ${hook.events().join(', ')})` });
    await sleep(1_000);
    const payloads = (name: string) => hook.received.filter((h) => h.body.event === name).map((h) => h.body.payload);
    const user = payloads('metadata.user');
    expect(user.map((p) => [p['operation'], p['items'], p['deletedKeys']])).toEqual([
      [
        'set',
        [
          expect.objectContaining({ key: 'city', value: 'Oslo', authorUserId: 'eve' }),
          expect.objectContaining({ key: 'mood', value: 'happy', authorUserId: 'eve' }),
        ],
        [],
      ],
      ['update', [expect.objectContaining({ key: 'mood', value: 'calm', authorUserId: '' })], []],
      ['delete', [], ['city']],
    ]);
    const revisions = user.map((p) => p['majorRevision'] as number);
    expect([...revisions].sort((x, y) => x - y)).toEqual(revisions);
    expect(new Set(revisions).size).toBe(3);
    expect(user.every((p) => p['userId'] === 'eve' && p['authorUserId'] === 'eve')).toBe(true);
    expect(payloads('metadata.channel')).toEqual([
      expect.objectContaining({ channelName: 'stage', operation: 'set', authorUserId: 'fox', items: [expect.objectContaining({ key: 'host', value: 'fox' })] }),
      expect.objectContaining({ channelName: 'stage', operation: 'clear', authorUserId: 'fox', items: [], deletedKeys: ['host'] }),
    ]);
    expect(hook.received).toHaveLength(5);
  });

  it('retries a failing receiver with one noticeId: 500 three times, then 200, is 4 requests', async () => {
    const hook = await receiver();
    let failures = 3;
    hook.respond = (_h, res) => void res.writeHead(failures-- > 0 ? 500 : 200).end();
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const bob = newClient(app.appId, stack.gatewayUrls);
    await bob.login({ uid: 'bob' });
    await waitFor(() => hook.received.length >= 4, { timeoutMs: 20_000, what: `4 attempts (got ${hook.received.length})` });
    await sleep(1_500);
    expect(hook.received).toHaveLength(4);
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(1);
    expect(new Set(hook.received.map((h) => h.raw)).size).toBe(1);
  });

  it('a hanging receiver does not delay another endpoint', async () => {
    const hanging = await receiver();
    hanging.respond = () => undefined;
    const fine = await receiver();
    await addEndpoint(app.appId, hanging.url);
    await addEndpoint(app.appId, fine.url);
    await sleep(500);
    const carol = newClient(app.appId, stack.gatewayUrls);
    const started = Date.now();
    await carol.login({ uid: 'carol' });
    await waitFor(() => fine.received.length >= 1, { timeoutMs: 2_500, what: 'the second endpoint got the event while the first hangs' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(hanging.received.length).toBeGreaterThanOrEqual(1);
  });

  it('loses nothing when a webhooks replica is killed mid-delivery (redelivered with the same noticeId)', async () => {
    const hook = await receiver();
    // Every first request hangs until the replica holding it is killed.
    const seen = new Set<string>();
    hook.respond = (h, res) => {
      if (seen.has(h.body.noticeId)) return void res.end();
      seen.add(h.body.noticeId);
    };
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const dave = newClient(app.appId, stack.gatewayUrls);
    await dave.login({ uid: 'dave' });
    await waitFor(() => hook.received.length >= 1, { timeoutMs: 10_000, what: 'first attempt' });
    // Kill both replicas' in-flight attempts' owner: whichever holds it, kill -9 one, then the other restarts.
    const [w0, w1] = stack.processes.filter((p) => p.app === 'webhooks');
    await stack.kill(w0!);
    await stack.spawn('webhooks', 0);
    await stack.kill(w1!);
    await stack.spawn('webhooks', 1);
    await waitFor(() => hook.received.length >= 2, { timeoutMs: 20_000, what: 'redelivery after the kill' });
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(1);
    expect(hook.events('dave')).toEqual(['user.online', 'user.online']);
  });

  it('sends nothing for a drop that reconnects within the window', async () => {
    const hook = await receiver();
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const [a, b] = stack.gateways;
    const erin = newClient(app.appId, [a!.url, b!.url]);
    const states = connectionStates(erin);
    await erin.login({ uid: 'erin' });
    await waitFor(() => hook.received.length >= 1, { timeoutMs: 10_000, what: 'online' });
    await stack.kill(a!);
    // A real drop: erin was on the killed gateway and came back on the other within the window.
    await waitForState(erin, states, 'RECONNECTING');
    const dropAt = states.findIndex(([s]) => s === 'RECONNECTING');
    await waitFor(() => states.slice(dropAt).some(([s]) => s === 'CONNECTED'), { timeoutMs: 15_000, what: `reconnected (saw ${JSON.stringify(states)})` });
    await sleep(6_000);
    expect(hook.events('erin')).toEqual(['user.online']);
    await stack.spawn('gateway', a!.index);
  });
});
