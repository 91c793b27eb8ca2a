import { MessageKind } from '@parley/contracts';
import type { CapturedMessage } from '@parley/contracts/internal';
import { derivedNoticeId, noticeOfMessage, noticesOf, outboxRows, webhookBody, type EndpointTarget, type RecordedEvent } from './webhook-body';

const login: RecordedEvent = { seq: '7', appId: 'a1', kind: 'user', type: 'Login', uid: 'alice', channelId: null, ts: 1_000 };
const join: RecordedEvent = { seq: '8', appId: 'a1', kind: 'channel', type: 'Join', uid: 'alice', channelId: 'room', ts: 1_001, detail: { count: 2 } };
const endpoint = (over: Partial<EndpointTarget> = {}): EndpointTarget => ({ id: 'e1', appId: 'a1', eventTypes: [], createdAtMs: 0, ...over });
const names = (e: RecordedEvent) => noticesOf(e).map((n) => n.name);
const peer: CapturedMessage = { k: 'peer', appId: 'a1', from: 'alice', to: 'bob', id: 'm1', ts: 2_000, m: { k: MessageKind.TEXT, text: 'hi' }, d: 'received' };

describe('webhook body', () => {
  it('is the Agora shape with the Parley event name, fixed notifyMs and the record id as sid', () => {
    expect(JSON.parse(webhookBody(noticesOf(login)[0]!, 'n1', 5_000))).toEqual({
      noticeId: 'n1',
      productId: 8,
      eventType: 101,
      notifyMs: 5_000,
      sid: '7',
      payload: { userId: 'alice', ts: 1_000 },
      event: 'user.online',
    });
    expect(JSON.parse(webhookBody(noticesOf(join)[0]!, 'n2', 5_000))).toMatchObject({
      eventType: 111,
      payload: { channelName: 'room', userId: 'alice', ts: 1_001, memberCount: 2 },
    });
  });

  it('makes one row per (notice, endpoint that wants it), in order, keyed per user and per channel', () => {
    let n = 0;
    const notices = [login, join].flatMap(noticesOf);
    const rows = outboxRows(notices, [endpoint(), endpoint({ id: 'e2', eventTypes: ['channel.join'] })], 5_000, () => `n${++n}`);
    expect(rows.map((r) => [r.endpointId, r.eventType, r.orderingKey, r.noticeId])).toEqual([
      ['e1', 'user.online', 'user:alice', 'n1'],
      ['e1', 'channel.join', 'channel:room', 'n2'],
      ['e2', 'channel.join', 'channel:room', 'n3'],
    ]);
    expect(JSON.parse(rows[2]!.body)).toMatchObject({ noticeId: 'n3' });
  });

  it("skips other apps' endpoints, events older than the endpoint and unknown types", () => {
    const notices = [login, { ...login, type: 'Other' }, { ...login, kind: 'other' }].flatMap(noticesOf);
    expect(outboxRows(notices, [endpoint({ appId: 'a2' }), endpoint({ id: 'late', createdAtMs: 2_000 })], 0, () => 'x')).toEqual([]);
  });

  it('maps logouts with their reason, and leaves', () => {
    const [offline] = noticesOf({ ...login, type: 'Logout', detail: { reason: 'remote_login' } });
    expect(offline).toMatchObject({ name: 'user.offline', payload: { userId: 'alice', reason: 'remote_login' } });
    expect(names({ ...join, type: 'Leave', detail: { count: 3 } })).toEqual(['channel.leave']);
  });

  it('adds channel.occupied before the first member’s join and channel.vacated after the last one’s leave', () => {
    expect(names({ ...join, detail: { count: 1 } })).toEqual(['channel.occupied', 'channel.join']);
    expect(names({ ...join, type: 'Leave', detail: { count: 0 } })).toEqual(['channel.leave', 'channel.vacated']);
    expect(names({ ...join, detail: null })).toEqual(['channel.join']); // recorded before counts were
    const [occupied] = noticesOf({ ...join, detail: { count: 1 } });
    expect(occupied).toMatchObject({ orderingKey: 'channel:room', payload: { channelName: 'room', userId: 'alice', ts: 1_001 } });
  });

  it('maps ended invitations and uploads to the caller’s and the uploader’s key', () => {
    const [ended] = noticesOf({
      seq: '9',
      appId: 'a1',
      kind: 'invite',
      type: 'Ended',
      uid: 'carol',
      channelId: 'call-1',
      ts: 3,
      detail: { id: 'i1', callee: 'dave', outcome: 'FAILED', reason: 'PEER_OFFLINE' },
    });
    expect(ended).toMatchObject({
      name: 'invitation.ended',
      orderingKey: 'user:carol',
      payload: { invitationId: 'i1', callerUserId: 'carol', calleeUserId: 'dave', channelName: 'call-1', outcome: 'FAILED', reason: 'PEER_OFFLINE' },
    });
    const [uploaded] = noticesOf({
      seq: '10',
      appId: 'a1',
      kind: 'media',
      type: 'Uploaded',
      uid: 'erin',
      channelId: null,
      ts: 4,
      detail: { id: 'md1', size: 10, type: 'IMAGE', name: 'a.png', contentType: 'image/png', width: 2, height: 3 },
    });
    expect(uploaded).toMatchObject({
      name: 'media.uploaded',
      orderingKey: 'user:erin',
      payload: { mediaId: 'md1', userId: 'erin', size: 10, type: 'IMAGE', fileName: 'a.png', contentType: 'image/png', width: 2, height: 3 },
    });
  });

  it('maps metadata writes to the user’s key and the channel’s key, with the items written and the keys removed', () => {
    const item = { key: 'seat', value: '3', revision: 12, updateTs: 5, authorUserId: 'frank' };
    const detail = { op: 'set', majorRevision: 12, author: 'frank', items: [item], deleted: ['old'] };
    const [user] = noticesOf({ seq: '11', appId: 'a1', kind: 'metadata', type: 'User', uid: 'frank', channelId: null, ts: 5, detail });
    expect(user).toMatchObject({
      name: 'metadata.user',
      orderingKey: 'user:frank',
      payload: { userId: 'frank', operation: 'set', majorRevision: 12, authorUserId: 'frank', items: [item], deletedKeys: ['old'], ts: 5 },
    });
    const [channel] = noticesOf({ seq: '12', appId: 'a1', kind: 'metadata', type: 'Channel', uid: 'frank', channelId: 'room', ts: 6, detail });
    expect(channel).toMatchObject({
      name: 'metadata.channel',
      orderingKey: 'channel:room',
      payload: { channelName: 'room', operation: 'set', majorRevision: 12, authorUserId: 'frank', items: [item], deletedKeys: ['old'] },
    });
    expect(noticesOf({ seq: '13', appId: 'a1', kind: 'metadata', type: 'Other', uid: 'frank', channelId: null, ts: 7 })).toEqual([]);
  });

  it('sends message events only to endpoints that name them, with the message only when asked', () => {
    const notice = noticeOfMessage(peer, '41');
    expect(outboxRows([notice], [endpoint()], 0, () => 'x')).toEqual([]); // opt-in
    const rows = outboxRows(
      [notice],
      [endpoint({ eventTypes: ['message.peer'] }), endpoint({ id: 'e2', eventTypes: ['message.peer'], includePayload: true })],
      0,
      () => 'x',
    );
    expect(rows.map((r) => r.orderingKey)).toEqual(['user:alice', 'user:alice']);
    const [bare, full] = rows.map((r) => JSON.parse(r.body) as { sid: string; payload: Record<string, unknown> });
    expect(bare!.sid).toBe('41');
    expect(bare!.payload).toEqual({ messageId: 'm1', fromUserId: 'alice', toUserId: 'bob', messageType: 'TEXT', delivery: 'received', ts: 2_000 });
    expect(full!.payload).toMatchObject({ text: 'hi' });
    const raw = noticeOfMessage({ ...peer, k: 'channel', to: undefined, ch: 'room', m: { k: MessageKind.RAW, raw: new Uint8Array([1, 2]) } }, '42');
    expect(raw).toMatchObject({
      name: 'message.channel',
      orderingKey: 'channel:room',
      payload: { channelName: 'room', messageType: 'RAW' },
      content: { rawMessage: 'AQI=' },
    });
  });

  it('derives message notice ids from the message and the endpoint: the same on a second fan-out, distinct otherwise', () => {
    const notice = noticeOfMessage(peer, '41');
    const once = outboxRows([notice], [endpoint({ eventTypes: ['message.peer'] })], 0, () => 'random');
    const again = outboxRows([noticeOfMessage(peer, '41')], [endpoint({ eventTypes: ['message.peer'] })], 5, () => 'random');
    expect(once[0]!.noticeId).toBe(again[0]!.noticeId);
    expect(once[0]!.noticeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedNoticeId(notice.dedupeKey!, 'e2')).not.toBe(once[0]!.noticeId);
    expect(noticeOfMessage({ ...peer, id: 'm2' }, '43').dedupeKey).not.toBe(notice.dedupeKey);
  });
});
