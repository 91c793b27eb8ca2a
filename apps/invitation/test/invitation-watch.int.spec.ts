import { InvitationState, PeerState } from '@parley/contracts';
import { type InvitationActionRequest } from '@parley/contracts/internal';
import { waitFor } from '@parley/testing';
import { InvitationHarness, sleep, type Replica } from './invitation-harness';

const { SENT, RECEIVED, ACCEPT_PENDING, CANCELED, FAILED, REFUSED } = InvitationState;

/** Short timers (with room for a busy machine between the steps of a test), a sweep every 50 ms. */
const ACK_MS = 800;
const EXPIRE_MS = 1_200;
const ACCEPT_MS = 800;
const FAST = {
  INVITATION_ACK_TIMEOUT_MS: String(ACK_MS),
  INVITATION_EXPIRE_MS: String(EXPIRE_MS),
  INVITATION_ACCEPT_TIMEOUT_MS: String(ACCEPT_MS),
  INVITATION_SWEEP_MS: '50',
};

/** "Medium" test: invitations ended by their deadlines and by a party going OFFLINE, against the real Postgres and NATS. */
describe('InvitationWatchService (Postgres, NATS)', () => {
  let h: InvitationHarness;
  let fast: Replica;
  let other: Replica;
  let n = 0;
  const pair = async () => {
    n += 1;
    const p = { caller: `caller${n}`, callee: `callee${n}`, id: `inv-${n}` };
    await h.listen(p.caller, p.callee);
    return p;
  };
  const create = (p: { caller: string; callee: string; id: string }, replica = fast) => replica.service.create({ appId: h.appId, content: '', ch: '', ...p });
  const act = (p: { caller: string; id: string }, uid: string): InvitationActionRequest => ({ appId: h.appId, caller: p.caller, id: p.id, uid });
  const stateOf = async (p: { caller: string; id: string }) => (await h.row(p.caller, p.id))!.state;
  /** The states pushed to both parties (the same to each). */
  const pushedStates = async (p: { caller: string; callee: string; id: string }) => {
    await h.settle();
    expect(h.pushed(p.callee, p.id)).toEqual(h.pushed(p.caller, p.id));
    return h.pushed(p.caller, p.id).map((s) => (s.reason ? `${s.state}/${s.reason}` : s.state));
  };

  beforeAll(async () => {
    h = await InvitationHarness.start();
    fast = await h.replica(FAST, true);
    other = await h.replica(FAST, true);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('fails an invitation the callee never acknowledges with PEER_NO_RESPONSE after the ack timeout', async () => {
    const p = await pair();
    const t0 = Date.now();
    await create(p);
    await sleep(ACK_MS / 2);
    expect(await stateOf(p)).toBe(SENT);
    await waitFor(async () => (await stateOf(p)) === FAILED, { what: 'ack timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(ACK_MS - 10);
    expect(await h.row(p.caller, p.id)).toMatchObject({ reason: 'PEER_NO_RESPONSE', ended: true, deadline_in_ms: null });
    await waitFor(() => h.pushed(p.callee, p.id).length === 2, { what: 'failure push' });
    expect(await pushedStates(p)).toEqual([SENT, 'FAILED/PEER_NO_RESPONSE']);
    // a late ack or answer changes nothing
    expect(await fast.service.received(act(p, p.callee))).toMatchObject({ state: FAILED, reason: 'PEER_NO_RESPONSE' });
    expect(await fast.service.accept(act(p, p.callee))).toMatchObject({ state: FAILED });
  });

  it('restarts the clock on the ack: a RECEIVED invitation expires after the expiry with INVITATION_EXPIRE', async () => {
    const p = await pair();
    await create(p);
    await sleep(ACK_MS / 2);
    const t1 = Date.now();
    await other.service.received(act(p, p.callee));
    await sleep(ACK_MS / 2 + 200); // past the ack timeout of the creation
    expect(await stateOf(p)).toBe(RECEIVED);
    await waitFor(async () => (await stateOf(p)) === FAILED, { what: 'expiry' });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(EXPIRE_MS - 10);
    expect((await h.row(p.caller, p.id))!.reason).toBe('INVITATION_EXPIRE');
    await waitFor(() => h.pushed(p.caller, p.id).length === 3, { what: 'failure push' });
    expect(await pushedStates(p)).toEqual([SENT, RECEIVED, 'FAILED/INVITATION_EXPIRE']);
  });

  it('fails an acceptance the caller does not confirm with ACCEPT_FAILURE', async () => {
    const p = await pair();
    await create(p);
    await fast.service.received(act(p, p.callee));
    const t2 = Date.now();
    await fast.service.accept(act(p, p.callee));
    await sleep(ACCEPT_MS / 2);
    expect(await stateOf(p)).toBe(ACCEPT_PENDING);
    await waitFor(async () => (await stateOf(p)) === FAILED, { what: 'accept timeout' });
    expect(Date.now() - t2).toBeGreaterThanOrEqual(ACCEPT_MS - 10);
    expect((await h.row(p.caller, p.id))!.reason).toBe('ACCEPT_FAILURE');
    expect(await other.service.confirmAccept(act(p, p.caller))).toMatchObject({ state: FAILED, reason: 'ACCEPT_FAILURE' });
    await waitFor(() => h.pushed(p.caller, p.id).length === 4, { what: 'failure push' });
    expect(await pushedStates(p)).toEqual([SENT, RECEIVED, ACCEPT_PENDING, 'FAILED/ACCEPT_FAILURE']);
  });

  it('leaves ended invitations alone when their old deadline passes', async () => {
    const p = await pair();
    await create(p);
    await fast.service.cancel(act(p, p.caller));
    const q = await pair();
    await create(q);
    await fast.service.refuse(act(q, q.callee));
    await sleep(ACK_MS + 300);
    expect(await stateOf(p)).toBe(CANCELED);
    expect(await stateOf(q)).toBe(REFUSED);
    expect(await pushedStates(p)).toEqual([SENT, CANCELED]);
    expect(await pushedStates(q)).toEqual([SENT, REFUSED]);
  });

  it('fails each overdue invitation once however many replicas sweep at the same time', async () => {
    const sweepers = [await h.replica(FAST), await h.replica(FAST), await h.replica(FAST)];
    const ps = await Promise.all(Array.from({ length: 30 }, () => pair()));
    await Promise.all(ps.map((p) => create(p)));
    await sleep(ACK_MS + 20);
    await Promise.all(sweepers.flatMap((r) => [r.watch.sweep(), r.watch.sweep()]));
    for (const p of ps) {
      expect(await h.row(p.caller, p.id)).toMatchObject({ state: FAILED, reason: 'PEER_NO_RESPONSE' });
    }
    await sleep(150); // the bootstrapped replicas' sweeps too
    for (const p of ps) expect(await pushedStates(p)).toEqual([SENT, 'FAILED/PEER_NO_RESPONSE']);
  });

  it('deletes invitations ended longer ago than INVITATION_KEEP_ENDED_MS, and only those', async () => {
    const keeper = await h.replica({ ...FAST, INVITATION_KEEP_ENDED_MS: '60000' });
    const old = await pair();
    await create(old);
    await fast.service.cancel(act(old, old.caller));
    await h.endedAgo(old.caller, old.id, 61_000);
    const recent = await pair();
    await create(recent);
    await fast.service.cancel(act(recent, recent.caller));
    await h.endedAgo(recent.caller, recent.id, 30_000);
    const open = await pair();
    await create(open, keeper);
    await keeper.watch.sweep();
    expect(await h.row(old.caller, old.id)).toBeUndefined();
    expect(await h.row(recent.caller, recent.id)).toMatchObject({ state: CANCELED });
    expect(await h.row(open.caller, open.id)).toMatchObject({ state: SENT });
    // once deleted, the id may be used again
    expect((await create(old)).state).toBe(SENT);
  });

  it('fails the open invitations of a uid that goes OFFLINE with PEER_OFFLINE, as caller or callee, and nothing else', async () => {
    // long timers: only the status event may end these
    const slow = await h.replica();
    const gone = 'going.away'; // not subject-safe: its subject token is escaped
    await h.listen(gone, 'peer1', 'peer2', 'peer3', 'peer4', 'peer5');
    const asCallee = { caller: 'peer1', callee: gone, id: 'o1' };
    const asCaller = { caller: gone, callee: 'peer2', id: 'o2' };
    const pending = { caller: gone, callee: 'peer3', id: 'o3' };
    const done = { caller: 'peer4', callee: gone, id: 'o4' };
    const others = { caller: 'peer4', callee: 'peer5', id: 'o5' };
    for (const p of [asCallee, asCaller, pending, done, others]) await create(p, slow);
    await slow.service.received(act(asCaller, asCaller.callee));
    await slow.service.accept(act(pending, pending.callee));
    await slow.service.cancel(act(done, done.caller));

    await h.status(gone, PeerState.UNREACHABLE);
    await h.status(gone, PeerState.ONLINE);
    await sleep(200);
    expect(await stateOf(asCallee)).toBe(SENT);

    await h.status(gone, PeerState.OFFLINE, 2);
    await waitFor(async () => (await stateOf(pending)) === FAILED && (await stateOf(asCallee)) === FAILED && (await stateOf(asCaller)) === FAILED, {
      what: 'offline failures',
    });
    for (const p of [asCallee, asCaller, pending]) {
      expect(await h.row(p.caller, p.id)).toMatchObject({ reason: 'PEER_OFFLINE', ended: true, deadline_in_ms: null });
    }
    expect(await stateOf(done)).toBe(CANCELED);
    expect(await stateOf(others)).toBe(SENT);
    await waitFor(() => h.pushed('peer3', 'o3').length === 3, { what: 'offline pushes' });
    await sleep(100);
    expect(await pushedStates(asCallee)).toEqual([SENT, 'FAILED/PEER_OFFLINE']);
    expect(await pushedStates(asCaller)).toEqual([SENT, RECEIVED, 'FAILED/PEER_OFFLINE']);
    expect(await pushedStates(pending)).toEqual([SENT, ACCEPT_PENDING, 'FAILED/PEER_OFFLINE']);
    expect(await pushedStates(done)).toEqual([SENT, CANCELED]);
    expect(await pushedStates(others)).toEqual([SENT]);
  });

  it('sweeps on its interval and takes status events until shutdown, then neither', async () => {
    const r = await h.replica(FAST, true);
    const sweep = jest.spyOn(r.watch, 'sweep');
    const onStatus = jest.spyOn(r.watch, 'onStatus');
    await waitFor(() => sweep.mock.calls.length >= 2, { what: 'interval sweeps' });
    // one replica of the queue group takes each event: send a few so this one gets some
    for (let i = 0; i < 30; i++) await h.status(`nobody${i}`, PeerState.ONLINE);
    await waitFor(() => onStatus.mock.calls.length > 0, { what: 'a status event' });
    await r.watch.beforeApplicationShutdown();
    sweep.mockClear();
    onStatus.mockClear();
    for (let i = 0; i < 30; i++) await h.status(`nobody${i}`, PeerState.OFFLINE);
    await sleep(300);
    expect(sweep).not.toHaveBeenCalled();
    expect(onStatus).not.toHaveBeenCalled();
  });
});
