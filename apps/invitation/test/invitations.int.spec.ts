import { randomBytes } from 'node:crypto';
import { ErrorCode, InvitationState, PeerState, TERMINAL_INVITATION_STATES, type InvitationSnapshot } from '@parley/contracts';
import { type InvitationActionRequest, type InvitationCreateRequest } from '@parley/contracts/internal';
import { waitFor } from '@parley/testing';
import { InvitationHarness, rejection, settled, sleep, type Replica } from './invitation-harness';

const { SENT, RECEIVED, ACCEPT_PENDING, ACCEPTED, REFUSED, CANCELED, FAILED } = InvitationState;

/**
 * "Medium" test: the invitation service's requests through its SQL and its pushes, against the real
 * Postgres and NATS, with a presence stand-in. Timers are long here (see invitation-watch.int.spec.ts).
 */
describe('InvitationsService (Postgres, NATS)', () => {
  let h: InvitationHarness;
  let a: Replica;
  let b: Replica;
  let n = 0;
  /** A fresh caller/callee pair and invitation id per test. */
  const pair = async () => {
    n += 1;
    const caller = `caller${n}`;
    const callee = `callee${n}`;
    await h.listen(caller, callee);
    return { caller, callee, id: `inv-${n}` };
  };
  const create = (p: { caller: string; callee: string; id: string }, over: Partial<InvitationCreateRequest> = {}, replica = a) =>
    replica.service.create({ appId: h.appId, content: 'call me', ch: 'room', ...p, ...over });
  const act = (p: { caller: string; id: string }, uid: string, over: Partial<InvitationActionRequest> = {}) => ({
    appId: h.appId,
    caller: p.caller,
    id: p.id,
    uid,
    ...over,
  });
  /** Waits for `count` pushes of the invitation to each party and checks both got the same ones. */
  const bothGot = async (p: { caller: string; callee: string; id: string }, count: number): Promise<InvitationSnapshot[]> => {
    await h.settle();
    await waitFor(() => h.pushed(p.caller, p.id).length >= count && h.pushed(p.callee, p.id).length >= count, { what: `${count} pushes` });
    expect(h.pushed(p.caller, p.id)).toHaveLength(count);
    expect(h.pushed(p.callee, p.id)).toEqual(h.pushed(p.caller, p.id));
    return h.pushed(p.caller, p.id);
  };

  beforeAll(async () => {
    h = await InvitationHarness.start();
    a = await h.replica();
    b = await h.replica();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('creates a SENT invitation to an online callee, acks-timeout deadline set, and pushes it to both parties', async () => {
    const p = await pair();
    const before = Date.now();
    const snap = await create(p, { content: '中文 content' });
    expect(snap).toEqual({ ...p, content: '中文 content', ch: 'room', response: '', state: SENT, ts: expect.any(Number) });
    expect(snap).not.toHaveProperty('reason');
    expect(Math.abs(snap.ts - before)).toBeLessThan(5_000);
    expect(h.presenceAsked).toContain(p.callee);
    const row = await h.row(p.caller, p.id);
    expect(row).toMatchObject({ state: SENT, reason: null, ended: false });
    expect(row!.deadline_in_ms).toBeGreaterThan(25_000);
    expect(row!.deadline_in_ms).toBeLessThanOrEqual(30_000);
    expect(await bothGot(p, 1)).toEqual([snap]);
  });

  it('sends to an UNREACHABLE callee (still logged in) and fails at once with PEER_OFFLINE for an OFFLINE one', async () => {
    const away = await pair();
    h.states.set(away.callee, PeerState.UNREACHABLE);
    expect((await create(away)).state).toBe(SENT);

    const gone = await pair();
    h.states.set(gone.callee, PeerState.OFFLINE);
    const snap = await create(gone, { ch: '' });
    expect(snap).toMatchObject({ state: FAILED, reason: 'PEER_OFFLINE', ch: '' });
    expect(await h.row(gone.caller, gone.id)).toMatchObject({ state: FAILED, reason: 'PEER_OFFLINE', ended: true, deadline_in_ms: null });
    expect(await bothGot(gone, 1)).toEqual([snap]);
  });

  it('answers a resend of the same id with the current snapshot, and ALREADY_SENT when it names another callee', async () => {
    const p = await pair();
    const first = await create(p);
    const asked = h.presenceAsked.length;
    expect(await create(p, {}, b)).toEqual(first);
    expect(await create(p, { content: 'other text' })).toEqual(first);
    expect(await rejection(create({ ...p, callee: 'someone-else' }))).toBe(ErrorCode.INVITATION_ALREADY_SENT);
    expect(h.presenceAsked.length).toBe(asked); // a resend is answered from the table
    const received = await a.service.received(act(p, p.callee));
    expect(await create(p)).toEqual(received);
    await b.service.cancel(act(p, p.caller));
    expect((await create(p)).state).toBe(CANCELED); // ended: still the same invitation, not a new one
    expect((await bothGot(p, 3)).map((s) => s.state)).toEqual([SENT, RECEIVED, CANCELED]);
  });

  it('creates one invitation from concurrent resends on two replicas, pushed once', async () => {
    const p = await pair();
    const snaps = await Promise.all(Array.from({ length: 12 }, (_, i) => create(p, {}, i % 2 ? a : b)));
    for (const s of snaps) expect(s).toEqual(snaps[0]);
    expect(await bothGot(p, 1)).toEqual([snaps[0]]);
  });

  it('checks the request and stores nothing for a bad one', async () => {
    const p = await pair();
    const before = await h.count();
    expect(await rejection(create(p, { appId: 'nope' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await rejection(create({ ...p, callee: p.caller }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(create({ ...p, callee: 'null' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(create(p, { id: '' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(create(p, { content: 'x'.repeat(8193) }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(create(p, { ch: 'a*b' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await h.count()).toBe(before);
    const big = await create(p, { content: 'x'.repeat(8192), id: 'i'.repeat(128) });
    expect(big.content).toHaveLength(8192);
    expect(await rejection(a.service.accept(act({ ...p, id: 'i'.repeat(128) }, p.callee, { response: '中'.repeat(2731) })))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await h.row(p.caller, 'i'.repeat(128)))!.state).toBe(SENT);
  });

  it('goes SENT → RECEIVED → ACCEPT_PENDING → ACCEPTED, each step with its deadline, pushed to both in order', async () => {
    const p = await pair();
    const sent = await create(p);
    const received = await a.service.received(act(p, p.callee));
    expect(received).toEqual({ ...sent, state: RECEIVED, ts: expect.any(Number) });
    expect(received.ts).toBeGreaterThan(sent.ts);
    const r1 = await h.row(p.caller, p.id);
    expect(r1!.deadline_in_ms).toBeGreaterThan(55_000); // expiry, 60 s
    expect(await b.service.received(act(p, p.callee))).toEqual(received); // a repeated ack changes nothing

    const pending = await b.service.accept(act(p, p.callee, { response: 'on my way' }));
    expect(pending).toMatchObject({ state: ACCEPT_PENDING, response: 'on my way' });
    const r2 = await h.row(p.caller, p.id);
    expect(r2).toMatchObject({ state: ACCEPT_PENDING, response: 'on my way', ended: false });
    expect(r2!.deadline_in_ms).toBeGreaterThan(0);
    expect(r2!.deadline_in_ms).toBeLessThanOrEqual(5_000); // accept confirmation, 5 s
    expect(await a.service.accept(act(p, p.callee, { response: 'changed my mind' }))).toEqual(pending); // resend: no change
    expect(await a.service.received(act(p, p.callee))).toEqual(pending);

    const accepted = await a.service.confirmAccept(act(p, p.caller));
    expect(accepted).toEqual({ ...pending, state: ACCEPTED, ts: expect.any(Number) });
    expect(await h.row(p.caller, p.id)).toMatchObject({ state: ACCEPTED, ended: true, deadline_in_ms: null, response: 'on my way' });
    expect(await b.service.confirmAccept(act(p, p.caller))).toEqual(accepted);
    expect(await b.service.cancel(act(p, p.caller))).toEqual(accepted); // too late to cancel
    expect(await b.service.refuse(act(p, p.callee))).toEqual(accepted);

    const pushed = await bothGot(p, 4);
    expect(pushed).toEqual([sent, received, pending, accepted]);
    for (let i = 1; i < pushed.length; i++) expect(pushed[i]!.ts).toBeGreaterThan(pushed[i - 1]!.ts);
  });

  it('accepts straight from SENT (the ack may come later or never)', async () => {
    const p = await pair();
    await create(p);
    expect((await a.service.accept(act(p, p.callee))).state).toBe(ACCEPT_PENDING);
    expect((await a.service.received(act(p, p.callee))).state).toBe(ACCEPT_PENDING);
    expect((await bothGot(p, 2)).map((s) => s.state)).toEqual([SENT, ACCEPT_PENDING]);
  });

  it('refuses from SENT or RECEIVED with the response; nothing moves it afterwards', async () => {
    const p = await pair();
    await create(p);
    const refused = await a.service.refuse(act(p, p.callee, { response: 'busy' }));
    expect(refused).toMatchObject({ state: REFUSED, response: 'busy' });
    expect(await h.row(p.caller, p.id)).toMatchObject({ state: REFUSED, ended: true, deadline_in_ms: null });
    expect(await a.service.accept(act(p, p.callee, { response: 'ok now' }))).toEqual(refused);
    expect(await b.service.cancel(act(p, p.caller))).toEqual(refused);
    expect((await bothGot(p, 2)).map((s) => s.state)).toEqual([SENT, REFUSED]);

    const q = await pair();
    await create(q);
    await b.service.received(act(q, q.callee));
    expect(await b.service.refuse(act(q, q.callee))).toMatchObject({ state: REFUSED, response: '' });
    expect((await bothGot(q, 3)).map((s) => s.state)).toEqual([SENT, RECEIVED, REFUSED]);
  });

  it('cancels from SENT, RECEIVED and an unconfirmed acceptance; the callee then cannot accept', async () => {
    const fromSent = await pair();
    await create(fromSent);
    const canceled = await a.service.cancel(act(fromSent, fromSent.caller));
    expect(canceled.state).toBe(CANCELED);
    expect(await h.row(fromSent.caller, fromSent.id)).toMatchObject({ state: CANCELED, ended: true, deadline_in_ms: null });
    expect(await b.service.accept(act(fromSent, fromSent.callee))).toEqual(canceled);
    expect(await b.service.received(act(fromSent, fromSent.callee))).toEqual(canceled);
    expect((await bothGot(fromSent, 2)).map((s) => s.state)).toEqual([SENT, CANCELED]);

    const fromReceived = await pair();
    await create(fromReceived);
    await a.service.received(act(fromReceived, fromReceived.callee));
    expect((await b.service.cancel(act(fromReceived, fromReceived.caller))).state).toBe(CANCELED);
    expect((await bothGot(fromReceived, 3)).map((s) => s.state)).toEqual([SENT, RECEIVED, CANCELED]);

    const fromPending = await pair();
    await create(fromPending);
    await a.service.accept(act(fromPending, fromPending.callee, { response: 'yes' }));
    const late = await b.service.cancel(act(fromPending, fromPending.caller));
    expect(late).toMatchObject({ state: CANCELED, response: 'yes' });
    expect(await a.service.confirmAccept(act(fromPending, fromPending.caller))).toEqual(late);
    expect((await bothGot(fromPending, 3)).map((s) => s.state)).toEqual([SENT, ACCEPT_PENDING, CANCELED]);
  });

  it('lets only the right party act (INVALID_ARGUMENT) and answers INVITATION_NOT_STARTED for an unknown invitation', async () => {
    const p = await pair();
    const sent = await create(p);
    const stranger = 'stranger';
    for (const call of [
      a.service.cancel(act(p, p.callee)),
      a.service.confirmAccept(act(p, p.callee)),
      a.service.confirmAccept(act(p, stranger)),
      a.service.received(act(p, p.caller)),
      a.service.accept(act(p, p.caller)),
      a.service.refuse(act(p, p.caller)),
      a.service.accept(act(p, stranger)),
      a.service.cancel(act(p, stranger)),
    ]) {
      expect(await rejection(call)).toBe(ErrorCode.INVALID_ARGUMENT);
    }
    expect(await h.row(p.caller, p.id)).toMatchObject({ state: SENT });
    const unknown = { caller: p.caller, id: 'never-sent' };
    for (const call of [
      a.service.received(act(unknown, p.callee)),
      a.service.accept(act(unknown, p.callee)),
      a.service.refuse(act(unknown, p.callee)),
      a.service.confirmAccept(act(unknown, p.caller)),
      a.service.cancel(act(unknown, p.caller)),
      a.service.cancel(act(unknown, stranger)),
    ]) {
      expect(await rejection(call)).toBe(ErrorCode.INVITATION_NOT_STARTED);
    }
    // the same id from another caller is another invitation
    expect(await rejection(a.service.accept(act({ caller: p.callee, id: p.id }, p.caller)))).toBe(ErrorCode.INVITATION_NOT_STARTED);
    expect(await bothGot(p, 1)).toEqual([sent]);
  });

  it('syncs the open and recently ended invitations of a uid, as caller or callee, oldest first', async () => {
    const me = 'syncer';
    const other = 'syncpeer';
    const third = 'syncthird';
    await h.listen(me, other, third);
    const outgoing = await create({ caller: me, callee: other, id: 's1' });
    const incoming = await create({ caller: other, callee: me, id: 's1' });
    const ended = await b.service.cancel(act(await create({ caller: me, callee: third, id: 's2' }), me));
    const longAgo = await create({ caller: third, callee: me, id: 's3' });
    await a.service.refuse(act(longAgo, me));
    await h.endedAgo(third, 's3', 121_000); // past INVITATION_KEEP_RECENT_MS (120 s)
    const unrelated = await create({ caller: other, callee: third, id: 's4' });

    const mine = await a.service.sync({ appId: h.appId, uid: me });
    expect(mine).toEqual([outgoing, incoming, ended]);
    expect((await b.service.sync({ appId: h.appId, uid: third })).map((s) => s.id)).toEqual(['s2', 's4']);
    expect(await a.service.sync({ appId: h.appId, uid: 'nobody' })).toEqual([]);
    expect(unrelated.state).toBe(SENT);
    expect(await rejection(a.service.sync({ appId: h.appId, uid: '' }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('syncs a batch (the logins of a reconnect storm) with one statement per app: each uid its own list, a malformed sync failing only itself', async () => {
    const [ann, bob, cay] = ['batchann', 'batchbob', 'batchcay'];
    await h.listen(ann, bob, cay);
    const between = await create({ caller: ann, callee: bob, id: 'b1' });
    const toCay = await create({ caller: bob, callee: cay, id: 'b2' });
    const other = randomBytes(16).toString('hex');
    const { results } = await b.service.syncs({
      syncs: [
        { appId: h.appId, uid: ann },
        { appId: h.appId, uid: bob },
        { appId: h.appId, uid: '' },
        { appId: other, uid: bob },
        null as never,
        { appId: h.appId, uid: 'batchnobody' },
        { appId: h.appId, uid: ann },
      ],
    });
    expect(results).toEqual([
      { ok: true, data: [between] },
      // an invitation between two uids of the batch is in both lists
      { ok: true, data: [between, toCay] },
      { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: expect.any(String) } },
      // apps never see each other
      { ok: true, data: [] },
      { ok: false, error: { code: ErrorCode.INVALID_APP_ID, message: expect.any(String) } },
      { ok: true, data: [] },
      { ok: true, data: [between] },
    ]);
    // the same lists, each uid alone in its batch and through the single sync
    for (const [uid, list] of [
      [ann, [between]],
      [bob, [between, toCay]],
      [cay, [toCay]],
    ] as const) {
      expect((await a.service.syncs({ syncs: [{ appId: h.appId, uid }] })).results).toEqual([{ ok: true, data: list }]);
      expect(await a.service.sync({ appId: h.appId, uid })).toEqual(list);
    }
    for (const bad of [{}, { syncs: [] }, { syncs: 'x' }, { syncs: Array.from({ length: 501 }, () => ({ appId: h.appId, uid: ann })) }, null]) {
      expect(await rejection(a.service.syncs(bad as never))).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });

  it('settles 50 crossing accepts and cancels on two replicas with exactly one outcome that both parties agree on', async () => {
    const N = 50;
    const races = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const p = { caller: `racer${i}`, callee: `racee${i}`, id: `race-${i}` };
        await h.listen(p.caller, p.callee);
        await create(p, {}, i % 2 ? a : b);
        if (i % 3 === 0) await a.service.received(act(p, p.callee));
        // odd ones are accepted already: the caller's confirmation crosses its cancel
        if (i % 2) await b.service.accept(act(p, p.callee, { response: `r${i}` }));
        return p;
      }),
    );
    const outcomes = await Promise.all(
      races.map(async (p, i) => {
        const [forCallee, forCaller] = i % 4 < 2 ? [a, b] : [b, a];
        const [[accepted, confirmed], canceled] = await Promise.all([
          i % 2
            ? Promise.all([b.service.accept(act(p, p.callee, { response: 'again' })), forCallee.service.confirmAccept(act(p, p.caller))])
            : // the callee accepts; its caller's client confirms as soon as it learns of it
              forCallee.service
                .accept(act(p, p.callee, { response: `r${i}` }))
                .then(async (s) => [s, await forCallee.service.confirmAccept(act(p, p.caller))] as const),
          // spread the cancels over the accept's steps
          sleep((i >> 1) % 6).then(() => forCaller.service.cancel(act(p, p.caller))),
        ]);
        return { p, accepted, confirmed, canceled, resent: i % 2 === 1 };
      }),
    );
    await h.settle();
    const finals = new Map<string, number>();
    for (const { p, accepted, confirmed, canceled, resent } of outcomes) {
      const row = await h.row(p.caller, p.id);
      expect(row!.ended).toBe(true);
      expect([ACCEPTED, CANCELED]).toContain(row!.state);
      finals.set(row!.state, (finals.get(row!.state) ?? 0) + 1);
      // every call answered a state consistent with the one outcome
      expect(confirmed.state).toBe(row!.state);
      expect(canceled.state).toBe(row!.state);
      // an accept answers ACCEPT_PENDING, or (when it came second) the outcome; a fresh one cannot follow a cancel
      expect([ACCEPT_PENDING, row!.state]).toContain(accepted.state);
      if (row!.state === ACCEPTED && !resent) expect(accepted.state).toBe(ACCEPT_PENDING);
      // the response of the accept that moved it (a resent accept does not overwrite it; one that lost stored nothing)
      expect(row!.response).toBe(resent || accepted.state === ACCEPT_PENDING ? `r${p.id.slice(5)}` : '');

      const [final] = (await a.service.sync({ appId: h.appId, uid: p.caller })).filter((s) => s.id === p.id);
      expect(final!.state).toBe(row!.state);
      await waitFor(() => h.pushed(p.caller, p.id).some((s) => s.state === row!.state) && h.pushed(p.callee, p.id).some((s) => s.state === row!.state), {
        what: `final push of ${p.id}`,
      });
      for (const uid of [p.caller, p.callee]) {
        const pushed = h.pushed(uid, p.id);
        expect(pushed.filter((s) => TERMINAL_INVITATION_STATES.has(s.state))).toEqual([final]);
        // what the party settles on (ignoring snapshots not ahead of what it knows) is the final row …
        expect(settled(pushed)).toEqual(final);
        // … and the latest change pushed is the final one
        expect([...pushed].sort((x, y) => x.ts - y.ts).at(-1)).toEqual(final);
      }
      // one `Ended` in the event record, the winner's: the losing transitions recorded nothing
      expect(await h.events(p.caller, p.id)).toEqual([
        expect.objectContaining({ kind: 'invite', type: 'Ended', channel_id: 'room', detail: { id: p.id, callee: p.callee, outcome: row!.state } }),
      ]);
    }
    expect([...finals.values()].reduce((x, y) => x + y)).toBe(N);
    // both outcomes happened: the calls did cross
    expect([...finals.keys()].sort()).toEqual([ACCEPTED, CANCELED]);
  });
});
