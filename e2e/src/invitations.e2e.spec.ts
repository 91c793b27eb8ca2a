import { Evt, Op, type InvitationSnapshot } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type ParleyProcess, type TestApp } from '@parley/testing';
import type { LocalInvitation, RemoteInvitation } from '@parley/sdk';
import { connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Records every event of a LocalInvitation as [name, ...args]. */
function recordLocal(inv: LocalInvitation): unknown[][] {
  const seen: unknown[][] = [];
  for (const name of [
    'LocalInvitationReceivedByPeer',
    'LocalInvitationAccepted',
    'LocalInvitationRefused',
    'LocalInvitationCanceled',
    'LocalInvitationFailure',
  ]) {
    (inv.on as (e: string, l: (...a: unknown[]) => void) => unknown).call(inv, name, (...args: unknown[]) => seen.push([name, ...args]));
  }
  return seen;
}

/** Every RemoteInvitation a client receives, each with its recorded events. */
function inbox(client: RtmClient) {
  const got: Array<{ inv: RemoteInvitation; events: unknown[][] }> = [];
  client.on('RemoteInvitationReceived', (inv) => {
    const events: unknown[][] = [];
    for (const name of ['RemoteInvitationAccepted', 'RemoteInvitationRefused', 'RemoteInvitationCanceled', 'RemoteInvitationFailure']) {
      (inv.on as (e: string, l: (...a: unknown[]) => void) => unknown).call(inv, name, (...args: unknown[]) => events.push([name, ...args]));
    }
    got.push({ inv, events });
  });
  let taken = 0;
  /** The next invitation not taken yet (it may have arrived already), or the one at `index`. */
  const next = async (index = taken) => {
    await waitFor(() => got.length > index, { what: 'RemoteInvitationReceived' });
    taken = Math.max(taken, index + 1);
    return got[index]!;
  };
  return { got, next };
}

const ENDED_LOCAL = new Set(['ACCEPTED_BY_REMOTE', 'REFUSED_BY_REMOTE', 'CANCELED', 'FAILURE']);
const ENDED_REMOTE = new Set(['ACCEPTED', 'REFUSED', 'CANCELED', 'FAILURE']);

async function pair(app: TestApp, callerUrl: string | string[], calleeUrl: string | string[], caller: string, callee: string) {
  const a = newClient(app.appId, callerUrl);
  const b = newClient(app.appId, calleeUrl);
  await Promise.all([a.login({ uid: caller }), b.login({ uid: callee })]);
  return { a, b, box: inbox(b) };
}

/** Call invitations through the SDK over two gateways and two invitation replicas. */
describe('call invitations', () => {
  let stack: Stack;
  let app: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, invitation: 2 },
      env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '6000' },
    });
    gw = stack.gatewayUrls;
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('rings the callee on the other gateway, and both sides see the acceptance with its response', async () => {
    const { a, box } = await pair(app, gw[0]!, gw[1]!, 'ann', 'ben');
    const inv = a.createLocalInvitation('ben');
    inv.content = 'call me';
    inv.channelId = 'room-1';
    const local = recordLocal(inv);
    expect(inv.state).toBe('IDLE');
    inv.send();
    expect(inv.state).toBe('SENT_TO_REMOTE');

    const { inv: ri, events } = await box.next();
    expect([ri.callerId, ri.content, ri.channelId, ri.state]).toEqual(['ann', 'call me', 'room-1', 'INVITATION_RECEIVED']);
    await waitFor(() => inv.state === 'RECEIVED_BY_REMOTE', { what: 'received by peer' });
    expect(local).toEqual([['LocalInvitationReceivedByPeer']]);

    ri.response = 'on my way';
    ri.accept();
    expect(ri.state).toBe('ACCEPT_SENT_TO_LOCAL');
    await waitFor(() => ri.state === 'ACCEPTED' && inv.state === 'ACCEPTED_BY_REMOTE', { what: `accepted (${ri.state}/${inv.state})` });
    expect(events).toEqual([['RemoteInvitationAccepted']]);
    expect(local).toEqual([['LocalInvitationReceivedByPeer'], ['LocalInvitationAccepted', 'on my way']]);
    expect(inv.response).toBe('on my way');
  });

  it('reports a refusal with its response, and a cancel with the content, on both sides', async () => {
    const { a, box } = await pair(app, gw[1]!, gw[0]!, 'cid', 'dee');
    const refused = a.createLocalInvitation('dee');
    const local = recordLocal(refused);
    refused.send();
    const first = await box.next();
    first.inv.response = 'busy';
    first.inv.refuse();
    await waitFor(() => refused.state === 'REFUSED_BY_REMOTE' && first.inv.state === 'REFUSED');
    expect(local).toEqual([['LocalInvitationReceivedByPeer'], ['LocalInvitationRefused', 'busy']]);
    expect(first.events).toEqual([['RemoteInvitationRefused']]);

    const canceled = a.createLocalInvitation('dee');
    canceled.content = 'never mind';
    const local2 = recordLocal(canceled);
    canceled.send();
    const second = await box.next(1);
    await waitFor(() => canceled.state === 'RECEIVED_BY_REMOTE');
    canceled.cancel();
    await waitFor(() => canceled.state === 'CANCELED' && second.inv.state === 'CANCELED');
    expect(local2).toEqual([['LocalInvitationReceivedByPeer'], ['LocalInvitationCanceled']]);
    expect(second.events).toEqual([['RemoteInvitationCanceled', 'never mind']]);
  });

  it('fails with PEER_OFFLINE for a callee who is not logged in, and NOT_LOGGEDIN for a caller who is not', async () => {
    const a = newClient(app.appId, gw[0]!);
    const early = a.createLocalInvitation('nobody');
    const earlyEvents = recordLocal(early);
    early.send();
    await waitFor(() => earlyEvents.length === 1);
    expect(earlyEvents).toEqual([['LocalInvitationFailure', 'NOT_LOGGEDIN']]);
    expect(early.state).toBe('FAILURE');

    await a.login({ uid: 'eve' });
    const inv = a.createLocalInvitation('nobody');
    const local = recordLocal(inv);
    inv.send();
    await waitFor(() => inv.state === 'FAILURE');
    expect(local).toEqual([['LocalInvitationFailure', 'PEER_OFFLINE']]);
  });

  it('throws INVITATION_API_CALL_ERR for wrong calls and keeps working', async () => {
    const { a, box } = await pair(app, gw[0]!, gw[1]!, 'fay', 'gus');
    const inv = a.createLocalInvitation('gus');
    expect(() => inv.cancel()).toThrow(expect.objectContaining({ code: 2 })); // NOT_STARTED
    inv.content = 'x'.repeat(8193);
    expect(() => inv.send()).toThrow(expect.objectContaining({ code: 1 })); // INVALID_ARGUMENT
    inv.content = 'ok';
    inv.send();
    expect(() => inv.send()).toThrow(expect.objectContaining({ code: 5 })); // ALREADY_SENT
    const { inv: ri } = await box.next();
    ri.response = 'y'.repeat(8193);
    expect(() => ri.accept()).toThrow(expect.objectContaining({ code: 1 }));
    ri.response = 'no';
    ri.refuse();
    expect(() => ri.accept()).toThrow(expect.objectContaining({ code: 3 })); // ALREADY_END (refused)
    await waitFor(() => inv.state === 'REFUSED_BY_REMOTE');
    expect(() => inv.cancel()).toThrow(expect.objectContaining({ code: 3 })); // ALREADY_END

    const again = a.createLocalInvitation('gus');
    again.send();
    const { inv: ri2 } = await box.next(1);
    ri2.accept();
    expect(() => ri2.accept()).toThrow(expect.objectContaining({ code: 4 })); // ALREADY_ACCEPT
    await waitFor(() => again.state === 'ACCEPTED_BY_REMOTE');
  });

  it('fails the invitation for the other side when one party logs out', async () => {
    const { a, b, box } = await pair(app, gw[0]!, gw[1]!, 'hal', 'ida');
    const inv = a.createLocalInvitation('ida');
    const local = recordLocal(inv);
    inv.send();
    await box.next();
    await waitFor(() => inv.state === 'RECEIVED_BY_REMOTE');
    await b.logout();
    await waitFor(() => inv.state === 'FAILURE', { what: 'caller sees the callee gone' });
    expect(local.at(-1)).toEqual(['LocalInvitationFailure', 'PEER_OFFLINE']);

    await sleep(600);
    await b.login({ uid: 'ida' });
    const inv2 = a.createLocalInvitation('ida');
    inv2.send();
    const { inv: ri, events } = await box.next(1);
    await a.logout();
    await waitFor(() => ri.state === 'FAILURE', { what: 'callee sees the caller gone' });
    expect(events).toEqual([['RemoteInvitationFailure', 'PEER_OFFLINE']]);
  });

  it('keeps an invitation alive while either side reconnects through the other gateway, with an invitation replica killed', async () => {
    const [ga, gb] = stack.gateways as [ParleyProcess, ParleyProcess];
    const { a, b, box } = await pair(app, [gb.url, ga.url], [ga.url, gb.url], 'jon', 'kim');
    const calleeStates = connectionStates(b);
    const inv = a.createLocalInvitation('kim');
    const local = recordLocal(inv);
    inv.send();
    const { inv: ri, events } = await box.next();
    await waitFor(() => inv.state === 'RECEIVED_BY_REMOTE');

    const replica = stack.processes.find((p) => p.app === 'invitation')!;
    await Promise.all([stack.kill(ga), stack.kill(replica)]); // the callee's gateway and one invitation replica die
    await waitFor(() => calleeStates.some(([state]) => state === 'RECONNECTING') && calleeStates.at(-1)?.[0] === 'CONNECTED', {
      timeoutMs: 15_000,
      what: `callee back (saw ${JSON.stringify(calleeStates)})`,
    });
    ri.accept();
    await waitFor(() => ri.state === 'ACCEPTED' && inv.state === 'ACCEPTED_BY_REMOTE', { timeoutMs: 10_000, what: `${ri.state}/${inv.state}` });
    expect(events).toEqual([['RemoteInvitationAccepted']]);
    expect(local).toEqual([['LocalInvitationReceivedByPeer'], ['LocalInvitationAccepted', '']]);
    await Promise.all([stack.spawn('gateway', ga.index), stack.spawn('invitation', replica.index)]);
    gw = stack.gatewayUrls;
  });

  it('settles accept and cancel fired together on one outcome that both sides agree on', async () => {
    const { a, box } = await pair(app, gw[0]!, gw[1]!, 'racer', 'racee');
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const inv = a.createLocalInvitation('racee');
      inv.send();
      const { inv: ri } = await box.next(i);
      await waitFor(() => inv.state === 'RECEIVED_BY_REMOTE');
      if (i % 2) {
        ri.accept();
        inv.cancel();
      } else {
        inv.cancel();
        ri.accept();
      }
      await waitFor(() => ENDED_LOCAL.has(inv.state) && ENDED_REMOTE.has(ri.state), { what: `race ${i}: ${inv.state}/${ri.state}` });
      await sleep(50); // any late event would flip a side now
      const pairState = `${inv.state}/${ri.state}`;
      expect(['ACCEPTED_BY_REMOTE/ACCEPTED', 'CANCELED/CANCELED']).toContain(pairState);
      outcomes.push(pairState);
    }
    expect(outcomes).toHaveLength(30);
  });
});

/** The timers of agora-rtm 1.x (§7.3), shortened: no acknowledgement, no answer, acceptance not confirmed. */
describe('call invitation timers', () => {
  let stack: Stack;
  let app: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, invitation: 2 },
      env: {
        ...FAST_TIMERS,
        RECONNECT_WINDOW_MS: '10000',
        INVITATION_ACK_TIMEOUT_MS: '1500',
        INVITATION_EXPIRE_MS: '2500',
        INVITATION_ACCEPT_TIMEOUT_MS: '1500',
      },
    });
    gw = stack.gatewayUrls;
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('fails with PEER_NO_RESPONSE when the callee never acknowledges', async () => {
    const callee = await WireClient.login(gw[1]!, app.appId, 'mute');
    callee.ack = false;
    const a = newClient(app.appId, gw[0]!);
    await a.login({ uid: 'lou' });
    const inv = a.createLocalInvitation('mute');
    const local = recordLocal(inv);
    inv.send();
    await waitFor(() => inv.state === 'FAILURE', { timeoutMs: 6_000 });
    expect(local).toEqual([['LocalInvitationFailure', 'PEER_NO_RESPONSE']]);
    callee.close();
  });

  it('expires an unanswered invitation on both sides', async () => {
    const { a, box } = await pair(app, gw[0]!, gw[1]!, 'max', 'ned');
    const inv = a.createLocalInvitation('ned');
    const local = recordLocal(inv);
    inv.send();
    const { inv: ri, events } = await box.next();
    await waitFor(() => inv.state === 'FAILURE' && ri.state === 'FAILURE', { timeoutMs: 8_000 });
    expect(local).toEqual([['LocalInvitationReceivedByPeer'], ['LocalInvitationFailure', 'INVITATION_EXPIRE']]);
    expect(events).toEqual([['RemoteInvitationFailure', 'INVITATION_EXPIRE']]);
  });

  it('fails an acceptance the caller never confirms with ACCEPT_FAILURE for the callee', async () => {
    const caller = await WireClient.login(gw[0]!, app.appId, 'deaf');
    const pushed: InvitationSnapshot[] = [];
    caller.onEvent = (evt, data) => evt === Evt.INVITATION && pushed.push(data as InvitationSnapshot);
    const b = newClient(app.appId, gw[1]!);
    const box = inbox(b);
    await b.login({ uid: 'ola' });
    const [code] = await caller.request(Op.INVITE, { id: 'call-1', callee: 'ola', content: '', ch: '' });
    expect(code).toBe(0);
    const { inv: ri, events } = await box.next();
    caller.ack = false; // from now on the caller's client confirms nothing
    ri.accept();
    await waitFor(() => ri.state === 'FAILURE', { timeoutMs: 6_000 });
    expect(events).toEqual([['RemoteInvitationFailure', 'ACCEPT_FAILURE']]);
    // The caller's FAILED comes through its own gateway, independently of the callee's event: wait for it.
    await waitFor(() => pushed.some((s) => s.state === 'FAILED'), { timeoutMs: 6_000, what: `the caller's FAILED (saw ${JSON.stringify(pushed)})` });
    // RECEIVED is skipped when the accept reaches the service before the callee's gateway reported the ACK.
    expect(pushed.map((s) => s.state).filter((s) => s !== 'RECEIVED')).toEqual(['SENT', 'ACCEPT_PENDING', 'FAILED']);
    caller.close();
  });

  it('settles refuse and expiry crossing on one outcome on both sides', async () => {
    const { a, box } = await pair(app, gw[0]!, gw[1]!, 'pam', 'quin');
    const results: string[] = [];
    const invs = Array.from({ length: 8 }, (_, i) => {
      const inv = a.createLocalInvitation('quin');
      inv.content = `n${i}`;
      return inv;
    });
    for (const inv of invs) inv.send();
    await waitFor(() => box.got.length === 8);
    await waitFor(() => invs.every((inv) => inv.state === 'RECEIVED_BY_REMOTE'));
    // Refuse each around the expiry (2.5 s after it was received), some before, some after.
    await sleep(2_200);
    for (const { inv } of box.got) {
      try {
        inv.refuse();
      } catch {
        // already ended (expired): an outcome all the same
      }
      await sleep(60);
    }
    for (let i = 0; i < 8; i++) {
      const [inv, ri] = [invs[i]!, box.got.find((g) => g.inv.content === `n${i}`)!.inv];
      await waitFor(() => ENDED_LOCAL.has(inv.state) && ENDED_REMOTE.has(ri.state), { timeoutMs: 6_000 });
      results.push(`${inv.state}/${ri.state}`);
    }
    for (const r of results) expect(['REFUSED_BY_REMOTE/REFUSED', 'FAILURE/FAILURE']).toContain(r);
  });
});
