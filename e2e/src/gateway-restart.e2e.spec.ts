import { Op } from '@parley/contracts';
import { createTestApp, freePorts, Stack, waitFor, WireClient, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, waitForState, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

type StatusMap = Record<string, string>;

/** Each uid's states in the order a subscriber was told them. */
function watchStatus(client: RtmClient) {
  const history: Record<string, string[]> = {};
  client.on('PeersOnlineStatusChanged', (status: StatusMap) => {
    for (const [uid, state] of Object.entries(status)) (history[uid] ??= []).push(state);
  });
  const latest = (uid: string) => history[uid]?.at(-1);
  return { history, latest };
}

// A window long enough for the restarted gateway to boot on a loaded machine (seconds) and the SDK's
// backoff (up to 5 s) to reach it, short enough to wait out.
const TIMERS = { ...FAST_TIMERS, GATEWAY_TTL_MS: '3000', RECONNECT_WINDOW_MS: '15000' };

/**
 * A gateway killed and started again at once with the same GATEWAY_ID (npm start, a Kubernetes pod
 * restart): the sessions of the dead process must not be revived by the new process's heartbeat.
 */
describe('gateway restarted with the same GATEWAY_ID', () => {
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2 },
      env: TIMERS,
      ports: { gateway: await freePorts(2) }, // the restarted gateway keeps its URL
    });
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('ends the dead sessions it held (UNREACHABLE, then OFFLINE, MemberLeft) and keeps those that came back, here or elsewhere', async () => {
    const gateway = (index: number) => stack.gateways.find((g) => g.index === index)!;
    const gw0 = gateway(0);
    const [url0, url1] = [gw0.url, gateway(1).url];

    const watcher = newClient(app.appId, url1);
    await watcher.login({ uid: 'watcher' });
    const status = watchStatus(watcher);
    const room = watcher.createChannel('room');
    const left: string[] = [];
    room.on('MemberLeft', (uid) => left.push(uid));
    await room.join();

    // On gateway 0: one client that never comes back, one that can only come back to gateway 0, and
    // one that moves to gateway 1.
    const gone = await WireClient.login(url0, app.appId, 'gone');
    expect((await gone.request(Op.JOIN, { ch: 'room' }))[0]).toBe(0);
    const back = newClient(app.appId, url0);
    const backStates = connectionStates(back);
    await back.login({ uid: 'back' });
    const backRoom = back.createChannel('room');
    const backGot: string[] = [];
    backRoom.on('ChannelMessage', (m) => backGot.push((m as { text: string }).text));
    await backRoom.join();
    const mover = newClient(app.appId, [url0, url1]);
    const moverStates = connectionStates(mover);
    await mover.login({ uid: 'mover' });
    const moverRoom = mover.createChannel('room');
    const moverGot: string[] = [];
    moverRoom.on('ChannelMessage', (m) => moverGot.push((m as { text: string }).text));
    await moverRoom.join();

    await watcher.subscribePeersOnlineStatus(['gone', 'back', 'mover']);
    expect([status.latest('gone'), status.latest('back'), status.latest('mover')]).toEqual(['ONLINE', 'ONLINE', 'ONLINE']);

    await stack.kill(gw0);
    await stack.spawn('gateway', gw0.index); // same GATEWAY_ID and port

    await waitForState(back, backStates, 'RECONNECTING');
    await waitFor(() => backStates.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 15_000, what: `back reconnected (saw ${JSON.stringify(backStates)})` });
    await waitFor(() => moverStates.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 15_000, what: `mover reconnected (saw ${JSON.stringify(moverStates)})` });

    // The client that never returns: UNREACHABLE, then OFFLINE once the window since its gateway
    // died ran out, and it leaves the channel.
    await waitFor(() => status.latest('gone') === 'OFFLINE', { timeoutMs: 40_000, what: `gone OFFLINE (saw ${JSON.stringify(status.history['gone'])})` });
    expect(status.history['gone']).toEqual(['ONLINE', 'UNREACHABLE', 'OFFLINE']);
    await waitFor(() => left.includes('gone'), { what: `MemberLeft gone (saw ${left})` });
    expect(await watcher.queryPeersOnlineStatus(['gone'])).toEqual({ gone: false });

    // The window of the dead process's sessions is over: those that resumed (on the restarted
    // gateway or on the other one) are still there, online and in the channel.
    expect(await watcher.queryPeersOnlineStatus(['back', 'mover'])).toEqual({ back: true, mover: true });
    expect([status.latest('back'), status.latest('mover')]).toEqual(['ONLINE', 'ONLINE']);
    expect(left).toEqual(['gone']);
    expect((await room.getMembers()).sort()).toEqual(['back', 'mover', 'watcher']);
    await room.sendMessage({ text: 'still here?' });
    await waitFor(() => backGot.includes('still here?') && moverGot.includes('still here?'), { what: 'message after the restart' });
    gone.close();
  }, 90_000);
});
