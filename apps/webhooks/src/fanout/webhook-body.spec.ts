import { outboxRows, webhookBody, type EndpointTarget, type RecordedEvent } from './webhook-body';

const login: RecordedEvent = { seq: '7', appId: 'a1', kind: 'user', type: 'Login', uid: 'alice', channelId: null, ts: 1_000 };
const join: RecordedEvent = { seq: '8', appId: 'a1', kind: 'channel', type: 'Join', uid: 'alice', channelId: 'room', ts: 1_001 };
const endpoint = (over: Partial<EndpointTarget> = {}): EndpointTarget => ({ id: 'e1', appId: 'a1', eventTypes: [], createdAtMs: 0, ...over });

describe('webhook body', () => {
  it('is the Agora shape with the Parley event name, fixed notifyMs and the record id as sid', () => {
    expect(JSON.parse(webhookBody('user.online', login, 'n1', 5_000))).toEqual({
      noticeId: 'n1',
      productId: 8,
      eventType: 101,
      notifyMs: 5_000,
      sid: '7',
      payload: { userId: 'alice', ts: 1_000 },
      event: 'user.online',
    });
    expect(JSON.parse(webhookBody('channel.join', join, 'n2', 5_000))).toMatchObject({
      eventType: 111,
      payload: { channelName: 'room', userId: 'alice', ts: 1_001 },
    });
  });

  it('makes one row per (event, endpoint that wants it), in event order, keyed per user and per channel', () => {
    let n = 0;
    const rows = outboxRows([login, join], [endpoint(), endpoint({ id: 'e2', eventTypes: ['channel.join'] })], 5_000, () => `n${++n}`);
    expect(rows.map((r) => [r.endpointId, r.eventType, r.orderingKey, r.noticeId])).toEqual([
      ['e1', 'user.online', 'user:alice', 'n1'],
      ['e1', 'channel.join', 'channel:room', 'n2'],
      ['e2', 'channel.join', 'channel:room', 'n3'],
    ]);
    expect(JSON.parse(rows[2]!.body)).toMatchObject({ noticeId: 'n3' });
  });

  it("skips other apps' endpoints, events older than the endpoint and unknown types", () => {
    const rows = outboxRows([login, { ...login, type: 'Other' }], [endpoint({ appId: 'a2' }), endpoint({ id: 'late', createdAtMs: 2_000 })], 0, () => 'x');
    expect(rows).toEqual([]);
  });

  it('maps logouts and leaves', () => {
    const rows = outboxRows(
      [
        { ...login, type: 'Logout' },
        { ...join, type: 'Leave' },
      ],
      [endpoint()],
      0,
      () => 'x',
    );
    expect(rows.map((r) => r.eventType)).toEqual(['user.offline', 'channel.leave']);
  });
});
