import { ErrorCode, Frame, InvitationFailure, InvitationState, Op, type InvitationSnapshot, type InviteAnswerArgs, type InviteArgs } from '@parley/contracts';
import type { LocalInvitation, RemoteInvitation } from '../src';
import { ENDED_INVITATION_RETENTION_MS } from '../src/features/invitations';
import { FakeGateway, type FakeConnection } from './fake-gateway';
import { FAST_TIMERS, createClient, delay, logoutAll, useFastTimers, waitFor } from './helpers';

type Listenable = { on(event: string, listener: (...args: unknown[]) => void): unknown };

const LOCAL_EVENTS = [
  'LocalInvitationReceivedByPeer',
  'LocalInvitationAccepted',
  'LocalInvitationRefused',
  'LocalInvitationCanceled',
  'LocalInvitationFailure',
];
const REMOTE_EVENTS = ['RemoteInvitationAccepted', 'RemoteInvitationRefused', 'RemoteInvitationCanceled', 'RemoteInvitationFailure'];

/** Each event as "Name[:arg]@stateWhenEmitted" (prefix LocalInvitation / RemoteInvitation dropped). */
function record(inv: LocalInvitation | RemoteInvitation, names: string[]): string[] {
  const got: string[] = [];
  for (const name of names) {
    (inv as unknown as Listenable).on(name, (...args: unknown[]) => {
      got.push(`${[name.replace(/^(Local|Remote)Invitation/, ''), ...args].join(':')}@${inv.state}`);
    });
  }
  return got;
}

const localEvents = (inv: LocalInvitation): string[] => record(inv, LOCAL_EVENTS);
const remoteEvents = (inv: RemoteInvitation): string[] => record(inv, REMOTE_EVENTS);

describe('call invitations', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers();
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await logoutAll();
    await gw.close();
  });

  async function loggedIn(uid: string) {
    const rec = createClient(gw.url);
    const received: RemoteInvitation[] = [];
    rec.client.on('RemoteInvitationReceived', (inv) => received.push(inv));
    await rec.client.login({ uid });
    return { ...rec, conn: gw.last, received };
  }

  /** Pushes a snapshot and waits for its ACK (the client handled it). */
  async function push(conn: FakeConnection, snapshot: InvitationSnapshot): Promise<number> {
    const ackId = conn.pushInvitation(snapshot);
    await gw.until(() => conn.acks.includes(ackId), 2000, `ACK of ${String(snapshot?.state)}`);
    return ackId;
  }

  function snapshot(base: Pick<InvitationSnapshot, 'id' | 'caller' | 'callee'>, patch: Partial<InvitationSnapshot> = {}): InvitationSnapshot {
    return { content: '', ch: '', response: '', state: InvitationState.SENT, ts: Date.now(), ...base, ...patch };
  }

  /** Alice alone; INVITE answers SENT without pushing anything (the test scripts the rest). */
  async function caller() {
    const alice = await loggedIn('alice');
    gw.handlers[Op.INVITE] = (_c, args: InviteArgs) => ({ code: ErrorCode.OK, data: snapshot({ id: args.id, caller: 'alice', callee: args.callee }) });
    const inv = alice.client.createLocalInvitation('bob');
    const events = localEvents(inv);
    inv.send();
    await gw.until(() => alice.conn.requests(Op.INVITE).length === 1);
    const base = { id: alice.conn.argsOf<InviteArgs>(Op.INVITE)[0].id, caller: 'alice', callee: 'bob' };
    return { ...alice, inv, events, base };
  }

  /** Bob alone, with one invitation from alice pushed to him. */
  async function callee(content = 'call me') {
    const bob = await loggedIn('bob');
    const base = { id: 'inv-1', caller: 'alice', callee: 'bob' };
    await push(bob.conn, snapshot(base, { content, ch: 'room' }));
    expect(bob.received).toHaveLength(1);
    const inv = bob.received[0];
    return { ...bob, inv, events: remoteEvents(inv), base };
  }

  /** Alice and bob on the fake's invitation service; alice's invitation has reached bob. */
  async function pair(content = 'hi') {
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const local = alice.client.createLocalInvitation('bob');
    local.content = content;
    local.channelId = 'room 1';
    const localGot = localEvents(local);
    local.send();
    await waitFor(() => bob.received.length === 1, 2000, 'RemoteInvitationReceived');
    const remote = bob.received[0];
    const remoteGot = remoteEvents(remote);
    await waitFor(() => localGot.length === 1, 2000, 'LocalInvitationReceivedByPeer');
    return { alice, bob, local, remote, localGot, remoteGot };
  }

  describe('between two clients', () => {
    it('send → RemoteInvitationReceived and LocalInvitationReceivedByPeer; accept → Accepted on both sides', async () => {
      const { alice, bob, local, remote, localGot, remoteGot } = await pair('hi');
      const [invite] = alice.conn.argsOf<InviteArgs>(Op.INVITE);
      expect(invite).toEqual({ id: `${alice.client.instanceId}-1`, callee: 'bob', content: 'hi', ch: 'room 1' });
      expect([remote.callerId, remote.channelId, remote.content, remote.state, remote.response]).toEqual(['alice', 'room 1', 'hi', 'INVITATION_RECEIVED', '']);
      expect(local.state).toBe('RECEIVED_BY_REMOTE');
      expect(localGot).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE']);

      remote.response = 'on my way';
      remote.accept();
      expect(remote.state).toBe('ACCEPT_SENT_TO_LOCAL');
      await waitFor(() => remoteGot.length === 1 && localGot.length === 2);
      expect(bob.conn.argsOf<InviteAnswerArgs>(Op.INVITE_ACCEPT)).toEqual([{ id: invite.id, caller: 'alice', response: 'on my way' }]);
      expect(localGot).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:on my way@ACCEPTED_BY_REMOTE']);
      expect([local.state, local.response]).toEqual(['ACCEPTED_BY_REMOTE', 'on my way']);
      expect(remoteGot).toEqual(['Accepted@ACCEPTED']);
      expect(remote.state).toBe('ACCEPTED');
    });

    it('refuse → LocalInvitationRefused(response) and RemoteInvitationRefused', async () => {
      const { local, remote, localGot, remoteGot } = await pair();
      remote.response = 'busy';
      remote.refuse();
      await waitFor(() => remoteGot.length === 1 && localGot.length === 2);
      expect(localGot[1]).toBe('Refused:busy@REFUSED_BY_REMOTE');
      expect([local.state, local.response]).toEqual(['REFUSED_BY_REMOTE', 'busy']);
      expect(remoteGot).toEqual(['Refused@REFUSED']);
    });

    it('cancel → LocalInvitationCanceled and RemoteInvitationCanceled(content)', async () => {
      const { alice, local, remote, localGot, remoteGot } = await pair('the content');
      local.cancel();
      await waitFor(() => remoteGot.length === 1 && localGot.length === 2);
      expect(alice.conn.argsOf(Op.INVITE_CANCEL)).toEqual([{ id: alice.conn.argsOf<InviteArgs>(Op.INVITE)[0].id }]);
      expect(localGot[1]).toBe('Canceled@CANCELED');
      expect(remoteGot).toEqual(['Canceled:the content@CANCELED']);
      expect(remote.state).toBe('CANCELED');
    });

    it('a callee that is not logged in: LocalInvitationFailure PEER_OFFLINE (from the INVITE answer)', async () => {
      const alice = await loggedIn('alice');
      const inv = alice.client.createLocalInvitation('carol');
      const got = localEvents(inv);
      inv.send();
      expect(inv.state).toBe('SENT_TO_REMOTE');
      await waitFor(() => got.length === 1);
      expect(got).toEqual(['Failure:PEER_OFFLINE@FAILURE']);
    });

    it('cancel while the acceptance is unconfirmed: both end CANCELED as the server decided (never Accepted)', async () => {
      gw.invitations.autoConfirm = false;
      const { local, remote, localGot, remoteGot } = await pair('c');
      remote.accept();
      await waitFor(() => gw.invitations.single.state === InvitationState.ACCEPT_PENDING);
      await delay(30); // alice saw ACCEPT_PENDING: still only received
      expect(local.state).toBe('RECEIVED_BY_REMOTE');
      local.cancel();
      await waitFor(() => localGot.length === 2 && remoteGot.length === 1);
      expect(localGot).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Canceled@CANCELED']);
      expect(remoteGot).toEqual(['Canceled:c@CANCELED']);
      await delay(30);
      expect([local.state, remote.state]).toEqual(['CANCELED', 'CANCELED']);
    });

    it('accept from inside the RemoteInvitationReceived listener (agora sample style)', async () => {
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      bob.client.on('RemoteInvitationReceived', (inv) => {
        inv.response = 'ok';
        inv.accept();
      });
      const local = alice.client.createLocalInvitation('bob');
      const got = localEvents(local);
      local.send();
      await waitFor(() => got.length === 2);
      expect(got).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:ok@ACCEPTED_BY_REMOTE']);
      await waitFor(() => bob.received[0]?.state === 'ACCEPTED');
    });
  });

  describe('LocalInvitation: applying snapshots', () => {
    it.each<[string, Partial<InvitationSnapshot>, string[], string]>([
      ['SENT', { state: InvitationState.SENT }, [], 'SENT_TO_REMOTE'],
      ['RECEIVED', { state: InvitationState.RECEIVED }, ['ReceivedByPeer@RECEIVED_BY_REMOTE'], 'RECEIVED_BY_REMOTE'],
      [
        'ACCEPT_PENDING (not accepted yet)',
        { state: InvitationState.ACCEPT_PENDING, response: 'r' },
        ['ReceivedByPeer@RECEIVED_BY_REMOTE'],
        'RECEIVED_BY_REMOTE',
      ],
      [
        'ACCEPTED',
        { state: InvitationState.ACCEPTED, response: 'yes' },
        ['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:yes@ACCEPTED_BY_REMOTE'],
        'ACCEPTED_BY_REMOTE',
      ],
      [
        'REFUSED',
        { state: InvitationState.REFUSED, response: 'no' },
        ['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Refused:no@REFUSED_BY_REMOTE'],
        'REFUSED_BY_REMOTE',
      ],
      ['CANCELED', { state: InvitationState.CANCELED }, ['Canceled@CANCELED'], 'CANCELED'],
      ['FAILED/PEER_OFFLINE', { state: InvitationState.FAILED, reason: InvitationFailure.PEER_OFFLINE }, ['Failure:PEER_OFFLINE@FAILURE'], 'FAILURE'],
      [
        'FAILED/PEER_NO_RESPONSE',
        { state: InvitationState.FAILED, reason: InvitationFailure.PEER_NO_RESPONSE },
        ['Failure:PEER_NO_RESPONSE@FAILURE'],
        'FAILURE',
      ],
      [
        'FAILED/INVITATION_EXPIRE',
        { state: InvitationState.FAILED, reason: InvitationFailure.INVITATION_EXPIRE },
        ['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Failure:INVITATION_EXPIRE@FAILURE'],
        'FAILURE',
      ],
      [
        'FAILED/ACCEPT_FAILURE',
        { state: InvitationState.FAILED, reason: InvitationFailure.ACCEPT_FAILURE },
        ['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Failure:UNKNOWN@FAILURE'],
        'FAILURE',
      ],
      ['FAILED without a reason', { state: InvitationState.FAILED }, ['Failure:UNKNOWN@FAILURE'], 'FAILURE'],
    ])('%s from SENT_TO_REMOTE: the skipped steps’ events in order', async (_name, patch, expected, state) => {
      const { conn, inv, events, base } = await caller();
      await push(conn, snapshot(base, patch));
      expect(events).toEqual(expected);
      expect(inv.state).toBe(state);
      expect(inv.response).toBe(patch.state === InvitationState.ACCEPTED || patch.state === InvitationState.REFUSED ? patch.response : '');
    });

    it('ignores duplicates, stale snapshots and anything after the outcome', async () => {
      const { conn, inv, events, base } = await caller();
      await push(conn, snapshot(base, { state: InvitationState.RECEIVED }));
      await push(conn, snapshot(base, { state: InvitationState.RECEIVED }));
      await push(conn, snapshot(base, { state: InvitationState.SENT }));
      await push(conn, snapshot(base, { state: InvitationState.ACCEPT_PENDING }));
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE']);
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED, response: 'a' }));
      for (const state of [InvitationState.ACCEPTED, InvitationState.CANCELED, InvitationState.FAILED, InvitationState.REFUSED, InvitationState.RECEIVED]) {
        await push(conn, snapshot(base, { state, response: 'later' }));
      }
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:a@ACCEPTED_BY_REMOTE']);
      expect([inv.state, inv.response]).toEqual(['ACCEPTED_BY_REMOTE', 'a']);
    });

    it('ignores snapshots of other ids, other callers and malformed data (still acknowledging them)', async () => {
      const { conn, inv, events, base, received } = await caller();
      await push(conn, snapshot({ ...base, id: 'other' }, { state: InvitationState.CANCELED }));
      await push(conn, snapshot({ ...base, caller: 'mallory' }, { state: InvitationState.CANCELED }));
      await push(conn, { ...snapshot(base), state: 'BOGUS' as InvitationState });
      await push(conn, null as unknown as InvitationSnapshot);
      expect(events).toEqual([]);
      expect(received).toEqual([]);
      expect(inv.state).toBe('SENT_TO_REMOTE');
    });

    it('applies the INVITE answer like an event (an outcome already in the answer)', async () => {
      const alice = await loggedIn('alice');
      gw.handlers[Op.INVITE] = (_c, args: InviteArgs) => ({
        code: ErrorCode.OK,
        data: snapshot({ id: args.id, caller: 'alice', callee: 'bob' }, { state: InvitationState.REFUSED, response: 'nope' }),
      });
      const inv = alice.client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await waitFor(() => events.length === 2);
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Refused:nope@REFUSED_BY_REMOTE']);
    });

    it('a snapshot pushed before the INVITE answer counts; the answer behind it is stale', async () => {
      const alice = await loggedIn('alice');
      gw.handlers[Op.INVITE] = (conn, args: InviteArgs) => {
        const base = { id: args.id, caller: 'alice', callee: 'bob' };
        conn.pushInvitation(snapshot(base, { state: InvitationState.RECEIVED }));
        return { code: ErrorCode.OK, data: snapshot(base) };
      };
      const inv = alice.client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await waitFor(() => events.length === 1);
      await delay(30);
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE']);
      expect(inv.state).toBe('RECEIVED_BY_REMOTE');
    });

    it('after a reconnect the re-pushed snapshots are harmless; an INVITE lost with the socket goes again with the same id', async () => {
      const alice = await loggedIn('alice');
      let first = true;
      gw.handlers[Op.INVITE] = (_c, args: InviteArgs) => {
        if (first) {
          first = false;
          return undefined; // the socket dies before the answer
        }
        return { code: ErrorCode.OK, data: snapshot({ id: args.id, caller: 'alice', callee: 'bob' }, { state: InvitationState.RECEIVED }) };
      };
      const inv = alice.client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await gw.until(() => alice.conn.requests(Op.INVITE).length === 1);
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await waitFor(() => events.length === 1);
      const conn = gw.last;
      const [{ id }] = conn.argsOf<InviteArgs>(Op.INVITE);
      expect(id).toBe(alice.conn.argsOf<InviteArgs>(Op.INVITE)[0].id);
      await push(conn, snapshot({ id, caller: 'alice', callee: 'bob' }, { state: InvitationState.RECEIVED }));
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE']);
    });
  });

  describe('LocalInvitation.send / cancel checks (thrown synchronously)', () => {
    const tooLong = 'é'.repeat(4096) + 'x'; // 8193 UTF-8 bytes

    it.each<[string, (inv: LocalInvitation) => void]>([
      ['content not a string', (inv) => ((inv as { content: unknown }).content = 42)],
      ['content over 8192 UTF-8 bytes', (inv) => (inv.content = tooLong)],
      ['channelId "null"', (inv) => (inv.channelId = 'null')],
      ['channelId of 65 characters', (inv) => (inv.channelId = 'c'.repeat(65))],
      ['channelId not a string', (inv) => ((inv as { channelId: unknown }).channelId = 7)],
    ])('%s → RtmInvalidArgumentError 1, nothing sent, still IDLE', async (_what, spoil) => {
      const { client, conn } = await loggedIn('alice');
      const inv = client.createLocalInvitation('bob');
      spoil(inv);
      expect(() => inv.send()).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
      expect(inv.state).toBe('IDLE');
      await delay(20);
      expect(conn.requests(Op.INVITE)).toHaveLength(0);
    });

    it('accepts 8192 bytes of content and a valid channel id', async () => {
      const { client, conn } = await loggedIn('alice');
      const inv = client.createLocalInvitation('bob');
      inv.content = 'é'.repeat(4096);
      inv.channelId = 'room #1';
      inv.send();
      await gw.until(() => conn.requests(Op.INVITE).length === 1);
      expect(conn.argsOf<InviteArgs>(Op.INVITE)[0].content).toBe(inv.content);
    });

    it('send twice → ALREADY_SENT 5 (also once received); cancel before send → NOT_STARTED 2', async () => {
      const { client, conn } = await loggedIn('alice');
      const inv = client.createLocalInvitation('bob');
      expect(() => inv.cancel()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 2 }));
      gw.handlers[Op.INVITE] = (_c, args: InviteArgs) => ({ code: ErrorCode.OK, data: snapshot({ id: args.id, caller: 'alice', callee: 'bob' }) });
      inv.send();
      expect(() => inv.send()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 5 }));
      await gw.until(() => conn.requests(Op.INVITE).length === 1);
      await push(conn, snapshot({ id: conn.argsOf<InviteArgs>(Op.INVITE)[0].id, caller: 'alice', callee: 'bob' }, { state: InvitationState.RECEIVED }));
      expect(() => inv.send()).toThrow(expect.objectContaining({ code: 5 }));
      expect(conn.requests(Op.INVITE)).toHaveLength(1);
    });

    it.each([
      [InvitationState.ACCEPTED, 'ACCEPTED_BY_REMOTE'],
      [InvitationState.REFUSED, 'REFUSED_BY_REMOTE'],
      [InvitationState.CANCELED, 'CANCELED'],
      [InvitationState.FAILED, 'FAILURE'],
    ])('after %s (%s): send and cancel → ALREADY_END 3', async (state, local) => {
      const { conn, inv, base } = await caller();
      await push(conn, snapshot(base, { state }));
      expect(inv.state).toBe(local);
      expect(() => inv.send()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      expect(() => inv.cancel()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      await delay(20);
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(0);
    });

    it('not logged in: FAILURE at once, LocalInvitationFailure NOT_LOGGEDIN on the next tick; then ALREADY_END', async () => {
      const { client } = createClient(gw.url);
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      expect(inv.state).toBe('FAILURE');
      expect(events).toEqual([]);
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Failure:NOT_LOGGEDIN@FAILURE']);
      expect(() => inv.send()).toThrow(expect.objectContaining({ code: 3 }));
      expect(() => inv.cancel()).toThrow(expect.objectContaining({ code: 3 }));
      expect(gw.connections).toHaveLength(0);
    });
  });

  describe('LocalInvitation request failures', () => {
    it('no INVITE answer in time: FAILURE + PEER_NO_RESPONSE, then a best-effort INVITE_CANCEL of the same id', async () => {
      const { client, conn } = await loggedIn('alice');
      gw.handlers[Op.INVITE] = () => undefined;
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await delay(FAST_TIMERS.requestTimeoutMs! / 2);
      expect(events).toEqual([]);
      await waitFor(() => events.length === 1, 2000);
      expect(events).toEqual(['Failure:PEER_NO_RESPONSE@FAILURE']);
      await gw.until(() => conn.requests(Op.INVITE_CANCEL).length === 1);
      expect(conn.argsOf(Op.INVITE_CANCEL)).toEqual([{ id: conn.argsOf<InviteArgs>(Op.INVITE)[0].id }]);
    });

    it.each([
      ['a server error', { code: ErrorCode.TOO_OFTEN, data: { message: 'slow down' } }],
      ['a malformed answer', { code: ErrorCode.OK, data: { state: 'nope' } }],
    ])('%s: FAILURE + UNKNOWN, and INVITE_CANCEL', async (_what, answer) => {
      const { client, conn } = await loggedIn('alice');
      gw.handlers[Op.INVITE] = () => answer;
      gw.handlers[Op.INVITE_CANCEL] = () => ({ code: ErrorCode.INVITATION_NOT_STARTED, data: { message: 'unknown' } });
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Failure:UNKNOWN@FAILURE']);
      await gw.until(() => conn.requests(Op.INVITE_CANCEL).length === 1);
      await delay(20);
      expect(events).toHaveLength(1);
    });

    it('an outcome pushed while the INVITE is unanswered wins over its later timeout', async () => {
      const { client, conn } = await loggedIn('alice');
      gw.handlers[Op.INVITE] = () => undefined;
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await gw.until(() => conn.requests(Op.INVITE).length === 1);
      await push(conn, snapshot({ id: conn.argsOf<InviteArgs>(Op.INVITE)[0].id, caller: 'alice', callee: 'bob' }, { state: InvitationState.CANCELED }));
      await delay(FAST_TIMERS.requestTimeoutMs! + 100);
      expect(events).toEqual(['Canceled@CANCELED']);
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(0);
    });
  });

  describe('LocalInvitation.cancel', () => {
    it('a second cancel while the first is in flight sends nothing and throws nothing', async () => {
      const { conn, inv, events, base } = await caller();
      let held: number | undefined;
      gw.handlers[Op.INVITE_CANCEL] = (_c, _a, id) => ((held = id), undefined);
      inv.cancel();
      inv.cancel();
      await gw.until(() => held !== undefined);
      inv.cancel();
      await delay(20);
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(1);
      conn.send([Frame.RES, held, ErrorCode.OK, snapshot(base, { state: InvitationState.CANCELED })]);
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Canceled@CANCELED']);
    });

    it('waits for the INVITE answer before sending INVITE_CANCEL', async () => {
      const { client, conn } = await loggedIn('alice');
      let held: number | undefined;
      gw.handlers[Op.INVITE] = (_c, _a, id) => ((held = id), undefined);
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      inv.cancel();
      await gw.until(() => held !== undefined);
      await delay(30);
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(0);
      const base = { id: conn.argsOf<InviteArgs>(Op.INVITE)[0].id, caller: 'alice', callee: 'bob' };
      gw.handlers[Op.INVITE_CANCEL] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.CANCELED }) });
      conn.send([Frame.RES, held, ErrorCode.OK, snapshot(base)]);
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Canceled@CANCELED']);
      expect(conn.argsOf(Op.INVITE_CANCEL)).toEqual([{ id: base.id }]);
    });

    it('follows the outcome that won the race (the cancel answers ACCEPTED)', async () => {
      const { conn, inv, events, base } = await caller();
      await push(conn, snapshot(base, { state: InvitationState.ACCEPT_PENDING, response: 'yes' }));
      gw.handlers[Op.INVITE_CANCEL] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.ACCEPTED, response: 'yes' }) });
      inv.cancel();
      await waitFor(() => events.length === 2);
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:yes@ACCEPTED_BY_REMOTE']);
    });

    it('the cancel answers CANCELED after ACCEPT_PENDING was seen: CANCELED, never Accepted', async () => {
      const { conn, inv, events, base } = await caller();
      await push(conn, snapshot(base, { state: InvitationState.ACCEPT_PENDING, response: 'yes' }));
      gw.handlers[Op.INVITE_CANCEL] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.CANCELED, response: 'yes' }) });
      inv.cancel();
      await waitFor(() => events.length === 2);
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED, response: 'yes' })); // stale: ignored
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Canceled@CANCELED']);
      expect([inv.state, inv.response]).toEqual(['CANCELED', '']);
    });

    it('a failed cancel emits nothing and may be tried again', async () => {
      const { conn, inv, events, base } = await caller();
      gw.handlers[Op.INVITE_CANCEL] = () => undefined;
      inv.cancel();
      await delay(FAST_TIMERS.requestTimeoutMs! + 100);
      expect(events).toEqual([]);
      expect(inv.state).toBe('SENT_TO_REMOTE');
      gw.handlers[Op.INVITE_CANCEL] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.CANCELED }) });
      inv.cancel();
      await waitFor(() => events.length === 1);
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(2);
    });
  });

  describe('RemoteInvitation', () => {
    it('RemoteInvitationReceived once per invitation (SENT or RECEIVED), with caller, channel and content', async () => {
      const { conn, inv, base, received } = await callee('ring');
      expect([inv.callerId, inv.channelId, inv.content, inv.state]).toEqual(['alice', 'room', 'ring', 'INVITATION_RECEIVED']);
      await push(conn, snapshot(base, { state: InvitationState.SENT }));
      await push(conn, snapshot(base, { state: InvitationState.RECEIVED }));
      expect(received).toHaveLength(1);
      await push(conn, snapshot({ ...base, caller: 'carol' }, { state: InvitationState.RECEIVED, content: 'other' }));
      await push(conn, snapshot({ ...base, id: 'inv-2' }));
      expect(received.map((r) => [r.callerId, r.content])).toEqual([
        ['alice', 'ring'],
        ['carol', 'other'],
        ['alice', ''],
      ]);
    });

    it('a first snapshot that is answered or ended, or for another callee, creates nothing', async () => {
      const bob = await loggedIn('bob');
      const base = { id: 'x', caller: 'alice', callee: 'bob' };
      for (const state of [
        InvitationState.ACCEPT_PENDING,
        InvitationState.ACCEPTED,
        InvitationState.REFUSED,
        InvitationState.CANCELED,
        InvitationState.FAILED,
      ]) {
        await push(bob.conn, snapshot({ ...base, id: state }, { state }));
      }
      await push(bob.conn, snapshot({ ...base, callee: 'carol' }));
      expect(bob.received).toEqual([]);
    });

    it.each<[string, Partial<InvitationSnapshot>, string[], string]>([
      ['ACCEPT_PENDING', { state: InvitationState.ACCEPT_PENDING }, [], 'ACCEPT_SENT_TO_LOCAL'],
      ['ACCEPTED', { state: InvitationState.ACCEPTED }, ['Accepted@ACCEPTED'], 'ACCEPTED'],
      ['REFUSED', { state: InvitationState.REFUSED }, ['Refused@REFUSED'], 'REFUSED'],
      ['CANCELED', { state: InvitationState.CANCELED }, ['Canceled:ring@CANCELED'], 'CANCELED'],
      ['FAILED/PEER_OFFLINE', { state: InvitationState.FAILED, reason: InvitationFailure.PEER_OFFLINE }, ['Failure:PEER_OFFLINE@FAILURE'], 'FAILURE'],
      ['FAILED/ACCEPT_FAILURE', { state: InvitationState.FAILED, reason: InvitationFailure.ACCEPT_FAILURE }, ['Failure:ACCEPT_FAILURE@FAILURE'], 'FAILURE'],
      [
        'FAILED/INVITATION_EXPIRE',
        { state: InvitationState.FAILED, reason: InvitationFailure.INVITATION_EXPIRE },
        ['Failure:INVITATION_EXPIRE@FAILURE'],
        'FAILURE',
      ],
      ['FAILED/PEER_NO_RESPONSE', { state: InvitationState.FAILED, reason: InvitationFailure.PEER_NO_RESPONSE }, ['Failure:UNKNOWN@FAILURE'], 'FAILURE'],
    ])('%s → its state and event', async (_name, patch, expected, state) => {
      const { conn, inv, events, base } = await callee('ring');
      await push(conn, snapshot(base, patch));
      expect(events).toEqual(expected);
      expect(inv.state).toBe(state);
    });

    it('ignores stale snapshots and anything after the outcome', async () => {
      const { conn, inv, events, base } = await callee();
      await push(conn, snapshot(base, { state: InvitationState.ACCEPT_PENDING }));
      await push(conn, snapshot(base, { state: InvitationState.RECEIVED }));
      expect(inv.state).toBe('ACCEPT_SENT_TO_LOCAL');
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED }));
      for (const state of [InvitationState.ACCEPTED, InvitationState.CANCELED, InvitationState.FAILED, InvitationState.SENT])
        await push(conn, snapshot(base, { state }));
      expect(events).toEqual(['Accepted@ACCEPTED']);
      expect(inv.state).toBe('ACCEPTED');
    });

    it('accept sends INVITE_ACCEPT {id, caller, response}; ACCEPTED follows from the server', async () => {
      const { conn, inv, events, base } = await callee();
      gw.handlers[Op.INVITE_ACCEPT] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.ACCEPT_PENDING, response: 'yes' }) });
      inv.response = 'yes';
      inv.accept();
      expect(inv.state).toBe('ACCEPT_SENT_TO_LOCAL');
      await gw.until(() => conn.requests(Op.INVITE_ACCEPT).length === 1);
      expect(conn.argsOf(Op.INVITE_ACCEPT)).toEqual([{ id: 'inv-1', caller: 'alice', response: 'yes' }]);
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED, response: 'yes' }));
      expect(events).toEqual(['Accepted@ACCEPTED']);
    });

    it('refuse sends INVITE_REFUSE and applies its answer; while it is in flight accept / refuse throw ALREADY_END 3', async () => {
      const { conn, inv, events, base } = await callee();
      let held: number | undefined;
      gw.handlers[Op.INVITE_REFUSE] = (_c, _a, id) => ((held = id), undefined);
      inv.response = 'no';
      inv.refuse();
      expect(inv.state).toBe('INVITATION_RECEIVED');
      expect(() => inv.refuse()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      expect(() => inv.accept()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      await gw.until(() => held !== undefined);
      expect(conn.argsOf(Op.INVITE_REFUSE)).toEqual([{ id: 'inv-1', caller: 'alice', response: 'no' }]);
      conn.send([Frame.RES, held, ErrorCode.OK, snapshot(base, { state: InvitationState.REFUSED, response: 'no' })]);
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Refused@REFUSED']);
      expect(conn.requests(Op.INVITE_REFUSE)).toHaveLength(1);
    });

    it('refuse crossing an expiry ends as the server says (FAILED), not REFUSED', async () => {
      const { conn, inv, events, base } = await callee();
      const failed = snapshot(base, { state: InvitationState.FAILED, reason: InvitationFailure.INVITATION_EXPIRE });
      gw.handlers[Op.INVITE_REFUSE] = () => ({ code: ErrorCode.OK, data: failed });
      inv.refuse();
      await push(conn, failed);
      await gw.until(() => conn.requests(Op.INVITE_REFUSE).length === 1);
      await delay(30);
      expect(events).toEqual(['Failure:INVITATION_EXPIRE@FAILURE']);
    });

    it('refuse answered with the outcome that won (CANCELED) follows it', async () => {
      const { inv, events, base } = await callee('c');
      gw.handlers[Op.INVITE_REFUSE] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.CANCELED }) });
      inv.refuse();
      await waitFor(() => events.length === 1);
      expect(events).toEqual(['Canceled:c@CANCELED']);
    });

    it.each([
      ['no answer in time', () => undefined],
      ['a server error', () => ({ code: ErrorCode.UNKNOWN, data: { message: 'x' } })],
    ])('accept fails (%s): FAILURE + RemoteInvitationFailure ACCEPT_FAILURE', async (_what, handler) => {
      const { inv, events } = await callee();
      gw.handlers[Op.INVITE_ACCEPT] = handler;
      inv.accept();
      await waitFor(() => events.length === 1, 2000);
      expect(events).toEqual(['Failure:ACCEPT_FAILURE@FAILURE']);
    });

    it('a failed refuse emits nothing and may be tried again', async () => {
      const { conn, inv, events } = await callee();
      gw.handlers[Op.INVITE_REFUSE] = () => ({ code: ErrorCode.UNKNOWN, data: { message: 'x' } });
      inv.refuse();
      await gw.until(() => conn.requests(Op.INVITE_REFUSE).length === 1);
      await delay(30);
      expect([events, inv.state]).toEqual([[], 'INVITATION_RECEIVED']);
      inv.refuse();
      await gw.until(() => conn.requests(Op.INVITE_REFUSE).length === 2);
    });

    it.each<[string, unknown]>([
      ['not a string', 1],
      ['over 8192 UTF-8 bytes', '€'.repeat(2731)],
    ])('accept / refuse with a response %s → RtmInvalidArgumentError 1, nothing sent', async (_what, response) => {
      const { conn, inv } = await callee();
      (inv as { response: unknown }).response = response;
      expect(() => inv.accept()).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
      expect(() => inv.refuse()).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
      expect(inv.state).toBe('INVITATION_RECEIVED');
      await delay(20);
      expect([conn.requests(Op.INVITE_ACCEPT).length, conn.requests(Op.INVITE_REFUSE).length]).toEqual([0, 0]);
    });

    it('accept or refuse once accepted → ALREADY_ACCEPT 4; once ended → ALREADY_END 3', async () => {
      const { conn, inv, base } = await callee();
      gw.handlers[Op.INVITE_ACCEPT] = () => ({ code: ErrorCode.OK, data: snapshot(base, { state: InvitationState.ACCEPT_PENDING }) });
      inv.accept();
      expect(() => inv.accept()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 4 }));
      expect(() => inv.refuse()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 4 }));
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED }));
      expect(() => inv.accept()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      expect(() => inv.refuse()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 3 }));
      expect(conn.requests(Op.INVITE_ACCEPT)).toHaveLength(1);
    });

    it('forgets an ended invitation after the retention time (until then a late SENT is a duplicate)', async () => {
      const { conn, base, received } = await callee();
      await push(conn, snapshot(base, { state: InvitationState.CANCELED }));
      await push(conn, snapshot(base));
      expect(received).toHaveLength(1);
      const now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now + ENDED_INVITATION_RETENTION_MS + 1000);
      await push(conn, snapshot(base));
      jest.restoreAllMocks();
      expect(received).toHaveLength(2);
    });
  });

  describe('listeners that throw', () => {
    it('do not stop the state machine, later events, or the ACK', async () => {
      const { conn, inv, events, base } = await caller();
      inv.on('LocalInvitationReceivedByPeer', () => {
        throw new Error('app bug');
      });
      inv.on('LocalInvitationAccepted', () => {
        throw new Error('app bug');
      });
      await push(conn, snapshot(base, { state: InvitationState.ACCEPTED, response: 'r' }));
      expect(events).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE', 'Accepted:r@ACCEPTED_BY_REMOTE']);
      expect(inv.state).toBe('ACCEPTED_BY_REMOTE');
    });

    it('a throwing RemoteInvitationReceived listener leaves a usable invitation', async () => {
      const bob = await loggedIn('bob');
      bob.client.on('RemoteInvitationReceived', () => {
        throw new Error('app bug');
      });
      const base = { id: 'i', caller: 'alice', callee: 'bob' };
      await push(bob.conn, snapshot(base));
      expect(bob.received).toHaveLength(1);
      const got = remoteEvents(bob.received[0]);
      await push(bob.conn, snapshot(base, { state: InvitationState.CANCELED }));
      expect(got).toEqual(['Canceled:@CANCELED']);
    });

    it('a throwing NOT_LOGGEDIN listener is caught too', async () => {
      const { client } = createClient(gw.url);
      const inv = client.createLocalInvitation('bob');
      const failure = jest.fn(() => {
        throw new Error('app bug');
      });
      inv.on('LocalInvitationFailure', failure);
      inv.send();
      await waitFor(() => failure.mock.calls.length === 1);
      expect(failure).toHaveBeenCalledWith('NOT_LOGGEDIN');
    });
  });

  describe('logout', () => {
    it('ends open invitations silently on both sides; later calls throw ALREADY_END', async () => {
      const { alice, bob, local, remote, localGot, remoteGot } = await pair();
      await alice.client.logout();
      await bob.client.logout();
      await delay(30);
      expect([local.state, remote.state]).toEqual(['FAILURE', 'FAILURE']);
      expect(localGot).toEqual(['ReceivedByPeer@RECEIVED_BY_REMOTE']);
      expect(remoteGot).toEqual([]);
      expect(() => local.cancel()).toThrow(expect.objectContaining({ code: 3 }));
      expect(() => remote.accept()).toThrow(expect.objectContaining({ code: 3 }));
    });

    it('an INVITE unanswered at logout emits nothing; the next session ignores the old invitation', async () => {
      const { client, conn } = await loggedIn('alice');
      gw.handlers[Op.INVITE] = () => undefined;
      const inv = client.createLocalInvitation('bob');
      const events = localEvents(inv);
      inv.send();
      await gw.until(() => conn.requests(Op.INVITE).length === 1);
      await client.logout();
      await delay(FAST_TIMERS.requestTimeoutMs! + 100);
      expect(events).toEqual([]);
      expect(inv.state).toBe('FAILURE');
      expect(conn.requests(Op.INVITE_CANCEL)).toHaveLength(0);
      await client.login({ uid: 'alice' });
      await push(gw.last, snapshot({ id: conn.argsOf<InviteArgs>(Op.INVITE)[0].id, caller: 'alice', callee: 'bob' }, { state: InvitationState.ACCEPTED }));
      expect(events).toEqual([]);
    });

    it('an ABORTED session ends them silently too', async () => {
      const { conn, inv, events, client } = await caller();
      const reach = new Promise<void>((resolve) => client.on('ConnectionStateChanged', (s) => s === 'ABORTED' && resolve()));
      conn.drop('REMOTE_LOGIN');
      await reach;
      await delay(FAST_TIMERS.requestTimeoutMs! + 100);
      expect([inv.state, events]).toEqual(['FAILURE', []]);
    });
  });
});
