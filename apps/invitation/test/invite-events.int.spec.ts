import { AppEventsRetention } from '@parley/platform';
import { InvitationState, PeerState } from '@parley/contracts';
import { Subjects, type InvitationActionRequest, type InvitationCreateRequest } from '@parley/contracts/internal';
import { readInvitationConfig } from '../src/config/invitation.config';
import type { InvitationsRepository } from '../src/invitations/invitations.repository';
import { InvitationHarness, type EventRow, type Replica } from './invitation-harness';

const { SENT, RECEIVED, ACCEPT_PENDING, ACCEPTED, REFUSED, CANCELED, FAILED } = InvitationState;

type Pair = { caller: string; callee: string; id: string };

/**
 * "Medium" test of the invitation service's part of the event record (kind `invite`, type `Ended`):
 * written by the very statement that ends an invitation, once per invitation, never by a statement
 * that changed nothing; and deleted EVENTS_RETENTION_MS after it happened. Against the real Postgres
 * (the harness's copy of `app_events`) and NATS.
 */
describe('invite events (Postgres, NATS)', () => {
  let h: InvitationHarness;
  let a: Replica;
  let b: Replica;
  let n = 0;
  const pair = async (): Promise<Pair> => {
    n += 1;
    const p = { caller: `evcaller${n}`, callee: `evcallee${n}`, id: `ev-${n}` };
    await h.listen(p.caller, p.callee);
    return p;
  };
  const create = (p: Pair, over: Partial<InvitationCreateRequest> = {}, replica = a) =>
    replica.service.create({ appId: h.appId, content: 'call me', ch: 'room', ...p, ...over });
  const act = (p: { caller: string; id: string }, uid: string, over: Partial<InvitationActionRequest> = {}): InvitationActionRequest => ({
    appId: h.appId,
    caller: p.caller,
    id: p.id,
    uid,
    ...over,
  });
  /** The one `Ended` event an ended invitation must have. */
  const ended = (p: Pair, detail: Record<string, unknown>, channel: string | null = 'room'): EventRow => ({
    kind: 'invite',
    type: 'Ended',
    uid: p.caller,
    channel_id: channel,
    ts: expect.any(Number),
    detail: { id: p.id, callee: p.callee, ...detail },
  });
  /** Moves the invitation's deadline into the past (the sweep then fails it). */
  const overdue = (p: Pair) => h.prisma.$executeRaw`
    UPDATE invitations SET deadline = now() - interval '1 second' WHERE app_id = ${h.appId} AND caller_uid = ${p.caller} AND id = ${p.id}`;

  beforeAll(async () => {
    h = await InvitationHarness.start();
    // not bootstrapped: nothing sweeps unless a test asks
    a = await h.replica();
    b = await h.replica();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('records one Ended for an accepted invitation, none for the steps before it or for calls that change nothing', async () => {
    const p = await pair();
    const before = Date.now();
    await create(p);
    await a.service.received(act(p, p.callee));
    await b.service.received(act(p, p.callee)); // repeated ack: no change
    await a.service.accept(act(p, p.callee, { response: 'yes' }));
    expect(await h.events(p.caller, p.id)).toEqual([]); // SENT, RECEIVED, ACCEPT_PENDING are not ends
    expect((await b.service.confirmAccept(act(p, p.caller))).state).toBe(ACCEPTED);
    await a.service.confirmAccept(act(p, p.caller)); // resent: matches no row
    await a.service.cancel(act(p, p.caller)); // too late: matches no row
    await a.service.refuse(act(p, p.callee));
    const events = await h.events(p.caller, p.id);
    expect(events).toEqual([ended(p, { outcome: ACCEPTED })]);
    expect(events[0]!.detail).not.toHaveProperty('reason');
    expect(Math.abs(events[0]!.ts - before)).toBeLessThan(5_000);
  });

  it('records one Ended for a refused and for a canceled invitation; no channel is a null channel_id', async () => {
    const refused = await pair();
    await create(refused, { ch: '' });
    await a.service.refuse(act(refused, refused.callee, { response: 'busy' }));
    await b.service.refuse(act(refused, refused.callee)); // again: no change
    expect(await h.events(refused.caller, refused.id)).toEqual([ended(refused, { outcome: REFUSED }, null)]);

    const canceled = await pair();
    await create(canceled);
    await a.service.accept(act(canceled, canceled.callee));
    await b.service.cancel(act(canceled, canceled.caller));
    await a.service.cancel(act(canceled, canceled.caller)); // again: no change
    await a.service.confirmAccept(act(canceled, canceled.caller)); // lost to the cancel
    expect(await h.events(canceled.caller, canceled.id)).toEqual([ended(canceled, { outcome: CANCELED })]);
  });

  it('records one Ended, with the reason, for an invitation that timed out in each open state', async () => {
    const sent = await pair();
    await create(sent);
    const received = await pair();
    await create(received);
    await a.service.received(act(received, received.callee));
    const pending = await pair();
    await create(pending);
    await a.service.accept(act(pending, pending.callee));
    const open = await pair(); // not overdue: stays
    await create(open);
    for (const p of [sent, received, pending]) await overdue(p);

    const swept = await Promise.all([a.watch.sweep(), b.watch.sweep()]); // crossing sweeps fail each once
    expect(swept[0] + swept[1]).toBe(3);
    expect(await a.watch.sweep()).toBe(0);
    expect((await h.row(sent.caller, sent.id))!.state).toBe(FAILED);
    expect(await h.events(sent.caller, sent.id)).toEqual([ended(sent, { outcome: FAILED, reason: 'PEER_NO_RESPONSE' })]);
    expect(await h.events(received.caller, received.id)).toEqual([ended(received, { outcome: FAILED, reason: 'INVITATION_EXPIRE' })]);
    expect(await h.events(pending.caller, pending.id)).toEqual([ended(pending, { outcome: FAILED, reason: 'ACCEPT_FAILURE' })]);
    expect((await h.row(open.caller, open.id))!.state).toBe(SENT);
    expect(await h.events(open.caller, open.id)).toEqual([]);
    // a late action on a failed invitation changes nothing and records nothing
    await a.service.accept(act(sent, sent.callee));
    expect(await h.events(sent.caller, sent.id)).toHaveLength(1);
  });

  it('records one Ended for an invitation that fails at once (callee OFFLINE), none for its resends', async () => {
    const p = await pair();
    h.states.set(p.callee, PeerState.OFFLINE);
    expect((await create(p)).state).toBe(FAILED);
    await create(p, {}, b);
    await Promise.all([create(p), create(p, {}, b)]);
    expect(await h.events(p.caller, p.id)).toEqual([ended(p, { outcome: FAILED, reason: 'PEER_OFFLINE' })]);
  });

  it("records one Ended for each of a party's open invitations when it goes OFFLINE, and none for its ended ones", async () => {
    const gone = 'evgone';
    await h.listen(gone);
    const asCaller = { caller: gone, callee: 'evpeer1', id: 'off-1' };
    const asCallee = { caller: 'evpeer2', callee: gone, id: 'off-2' };
    const alreadyEnded = { caller: gone, callee: 'evpeer3', id: 'off-3' };
    await h.listen('evpeer1', 'evpeer2', 'evpeer3');
    await create(asCaller);
    await create(asCallee, { ch: '' });
    await a.service.received(act(asCallee, gone));
    await create(alreadyEnded);
    await a.service.cancel(act(alreadyEnded, gone));

    const offline = [gone, PeerState.OFFLINE, 1];
    expect(await a.watch.onStatus(offline, Subjects.status(h.appId, gone))).toBe(2);
    expect(await b.watch.onStatus(offline, Subjects.status(h.appId, gone))).toBe(0); // a duplicate: nothing left open
    expect(await h.events(gone, 'off-1')).toEqual([ended(asCaller, { outcome: FAILED, reason: 'PEER_OFFLINE' })]);
    expect(await h.events('evpeer2', 'off-2')).toEqual([ended(asCallee, { outcome: FAILED, reason: 'PEER_OFFLINE' }, null)]);
    expect(await h.events(gone, 'off-3')).toEqual([ended(alreadyEnded, { outcome: CANCELED })]);
  });

  it('fails the open invitations of the uids going OFFLINE in one turn with one statement: each status its own count, each invitation one Ended', async () => {
    const [g1, g2, g3, peer] = ['evbatch1', 'evbatch2', 'evbatch3', 'evbatchpeer'];
    await h.listen(g1, g2, g3, peer);
    const between = { caller: g1, callee: g2, id: 'bat-1' };
    const toPeer = { caller: g1, callee: peer, id: 'bat-2' };
    const fromPeer = { caller: peer, callee: g3, id: 'bat-3' };
    for (const p of [between, toPeer, fromPeer]) await create(p);
    const repository = (a.watch as unknown as { repository: InvitationsRepository }).repository;
    const statements = jest.spyOn(repository, 'failOpenOfMany');
    const offline = (uid: string) => a.watch.onStatus([uid, PeerState.OFFLINE, 1], Subjects.status(h.appId, uid));
    // an invitation between two of them fails once, and counts for both
    expect(await Promise.all([offline(g1), offline(g2), offline(g3), offline('evbatchnobody')])).toEqual([2, 1, 1, 0]);
    expect(statements).toHaveBeenCalledTimes(1);
    statements.mockRestore();
    for (const p of [between, toPeer, fromPeer]) {
      expect(await h.events(p.caller, p.id)).toEqual([ended(p, { outcome: FAILED, reason: 'PEER_OFFLINE' })]);
      expect(await h.row(p.caller, p.id)).toMatchObject({ state: FAILED, reason: 'PEER_OFFLINE', ended: true });
    }
    // a duplicate batch on the other replica: nothing left open
    expect(await Promise.all([g1, g2].map((uid) => b.watch.onStatus([uid, PeerState.OFFLINE, 1], Subjects.status(h.appId, uid))))).toEqual([0, 0]);
  });

  it('records only the winner of crossing refuses, cancels and accepts on two replicas', async () => {
    const races = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const p = { caller: `evracer${i}`, callee: `evracee${i}`, id: `evrace-${i}` };
        await h.listen(p.caller, p.callee);
        await create(p, {}, i % 2 ? a : b);
        return p;
      }),
    );
    await Promise.all(
      races.map((p, i) => {
        const [x, y] = i % 2 ? [a, b] : [b, a];
        return Promise.all([
          x.service.refuse(act(p, p.callee)),
          y.service.cancel(act(p, p.caller)),
          y.service.accept(act(p, p.callee)).then(() => x.service.confirmAccept(act(p, p.caller))),
          x.service.cancel(act(p, p.caller)),
        ]);
      }),
    );
    for (const p of races) {
      const row = await h.row(p.caller, p.id);
      expect([ACCEPTED, REFUSED, CANCELED]).toContain(row!.state);
      expect(await h.events(p.caller, p.id)).toEqual([ended(p, { outcome: row!.state })]);
    }
    // every event of the app belongs to an ended invitation, and no invitation has two
    const all = await h.events();
    const keys = all.map((e) => `${e.uid}/${String(e.detail?.['id'])}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of all) {
      expect(e).toMatchObject({ kind: 'invite', type: 'Ended' });
      expect([SENT, RECEIVED, ACCEPT_PENDING]).not.toContain(e.detail?.['outcome']);
    }
  });

  it('retention deletes only invite events older than EVENTS_RETENTION_MS, in batches', async () => {
    const config = readInvitationConfig({ EVENTS_RETENTION_MS: '60000' });
    const service = new AppEventsRetention(h.prisma, { kind: 'invite', retentionMs: config.EVENTS_RETENTION_MS, intervalMs: config.EVENTS_SWEEP_MS });
    const appId = 'ffffffffffffffffffffffffffffffff';
    await h.prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, ts)
      SELECT ${appId}, k.kind, k.type, 'old-' || g, now() - interval '61 seconds'
      FROM (VALUES ('invite', 'Ended'), ('user', 'Login'), ('channel', 'Join'), ('media', 'Uploaded')) AS k(kind, type), generate_series(1, 3) AS g`;
    await h.prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, ts)
      SELECT ${appId}, k.kind, k.type, 'recent', now() - interval '50 seconds'
      FROM (VALUES ('invite', 'Ended'), ('user', 'Login')) AS k(kind, type)`;
    const left = async () => {
      const rows = await h.prisma.$queryRaw<{ kind: string; uid: string }[]>`
        SELECT kind, uid FROM app_events WHERE app_id = ${appId} ORDER BY kind, uid`;
      return rows.map((r) => `${r.kind}:${r.uid}`);
    };
    const recentOfThisTest = (await h.events()).length;

    expect(await service.deleteExpired(2)).toBe(2); // one batch
    expect((await left()).filter((k) => k.startsWith('invite:old-'))).toHaveLength(1);
    expect(await service.sweep()).toBe(1);
    expect(await service.sweep()).toBe(0);
    expect(await left()).toEqual([
      'channel:old-1',
      'channel:old-2',
      'channel:old-3',
      'invite:recent',
      'media:old-1',
      'media:old-2',
      'media:old-3',
      'user:old-1',
      'user:old-2',
      'user:old-3',
      'user:recent',
    ]);
    expect(await h.events()).toHaveLength(recentOfThisTest); // the events the other tests wrote are fresh
  });
});
