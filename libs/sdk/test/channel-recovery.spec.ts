import { Evt, MessageKind, Op, type ChannelMessageEvent } from '@parley/contracts';
import type { RecoveryIncompleteInfo, RtmClient } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, useFastTimers } from './helpers';

/** RecoveryIncomplete: the app hears when channel messages may be missing, with or without replayed messages. */
describe('channel recovery notices', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers({ memberCountIntervalMs: 0, memberCountIntervalLargeMs: 0 });
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  /** Lets the client process what the gateway pushed before (one local round trip). */
  const settle = (client: RtmClient) => client.queryPeersOnlineStatus(['nobody']);

  async function joined(uid: string, channelId = 'lobby') {
    const rec = createClient(gw.url);
    await rec.client.login({ uid });
    const channel = rec.client.createChannel(channelId);
    const notices: RecoveryIncompleteInfo[] = [];
    const got: unknown[][] = [];
    channel.on('RecoveryIncomplete', (info) => notices.push(info));
    channel.on('ChannelMessage', (...args) => got.push(args));
    await channel.join();
    await delay(5);
    return { ...rec, conn: gw.last, channel, notices, got };
  }

  const text = (id: string, ts: number): ChannelMessageEvent => ({ ch: 'lobby', from: 'bob', id, m: { k: MessageKind.TEXT, text: id }, ts });

  it('emits RecoveryIncomplete(sinceTs) when a rejoin could not recover everything, also when nothing was replayed', async () => {
    await joined('bob');
    const alice = await joined('alice');
    alice.conn.pushChannelMessage(text('seen', 1_000));
    await settle(alice.client);
    gw.recoveryLost = true; // e.g. the recovery stream was lost with a NATS restart: nothing to replay
    alice.conn.kill();
    await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
    await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
    await settle(alice.client);
    expect(alice.notices).toEqual([{ sinceTs: 1_000 }]);
    expect(alice.got).toHaveLength(1); // only the live one
  });

  it('says nothing when the rejoin recovered everything', async () => {
    await joined('bob');
    const alice = await joined('alice');
    gw.channelHistory.set('lobby', [text('missed', 2_000)]);
    alice.conn.kill();
    await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
    await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
    await settle(alice.client);
    expect(alice.got.map((m) => m[2])).toEqual([{ serverReceivedTs: 2_000, isRecovered: true, recoveryComplete: true }]);
    expect(alice.notices).toEqual([]);
  });

  it('emits RecoveryIncomplete for CHANNEL_GAP (the gateway was cut off from NATS) on the joined channel only', async () => {
    const alice = await joined('alice');
    alice.conn.pushChannelMessage({ ...text('recovered', 3_000), rec: true, lost: true });
    alice.conn.push(Evt.CHANNEL_GAP, { ch: 'lobby', since: 2_500 });
    alice.conn.push(Evt.CHANNEL_GAP, { ch: 'elsewhere', since: 2_500 });
    alice.conn.push(Evt.CHANNEL_GAP, { ch: 'lobby' }); // malformed: ignored
    await settle(alice.client);
    expect(alice.got.map((m) => m[2])).toEqual([{ serverReceivedTs: 3_000, isRecovered: true, recoveryComplete: false }]);
    expect(alice.notices).toEqual([{ sinceTs: 2_500 }]);
  });
});
