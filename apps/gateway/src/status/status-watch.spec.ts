import { createCodec, Evt, PeerState } from '@parley/contracts';
import { type StatusChange } from '@parley/contracts/internal';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Session } from '../transport/session';
import { NatsBus } from '@parley/platform';
import { StatusWatch } from './status-watch';

const codec = createCodec();
const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function fakeNats() {
  const subs = new Map<string, { callback: (err: Error | null, msg: Msg) => void; unsubscribed: boolean }>();
  const nc = {
    isClosed: () => false,
    subscribe: (subject: string, opts: { callback: (err: Error | null, msg: Msg) => void }) => {
      const entry = { callback: opts.callback, unsubscribed: false };
      subs.set(subject, entry);
      return { unsubscribe: () => void (entry.unsubscribed = true) } as unknown as Subscription;
    },
  } as unknown as NatsConnection;
  const publish = (uid: string, state: PeerState, seq: number) => {
    const entry = [...subs.entries()].find(([subject]) => subject.endsWith(`.status.${uid}`))![1];
    const change: StatusChange = [uid, state, seq];
    entry.callback(null, { data: codec.encode(change) } as Msg);
  };
  return { nc, subs, publish };
}

function fakeSession(): { session: Session; events: unknown[] } {
  const events: unknown[] = [];
  const session = { conn: { event: (evt: number, data: unknown) => events.push([evt, data]) } } as unknown as Session;
  return { session, events };
}

describe('StatusWatch', () => {
  it('applies changes in seq order and pushes only real changes to watchers', () => {
    const { nc, publish } = fakeNats();
    const sut = new StatusWatch(new NatsBus(nc));
    const watch = sut.ensure(appId, 'bob');
    sut.applySnapshot(watch, PeerState.ONLINE, 10);
    const { session, events } = fakeSession();
    watch.members.add(session);

    publish('bob', PeerState.UNREACHABLE, 12);
    publish('bob', PeerState.ONLINE, 11); // older: dropped
    publish('bob', PeerState.UNREACHABLE, 12); // repeated: dropped
    publish('bob', PeerState.UNREACHABLE, 13); // same state: nothing to push
    publish('bob', PeerState.OFFLINE, 14);
    expect(events).toEqual([
      [Evt.PEER_STATUS, { bob: PeerState.UNREACHABLE }],
      [Evt.PEER_STATUS, { bob: PeerState.OFFLINE }],
    ]);
  });

  it('keeps a change that arrived before the snapshot it is newer than', () => {
    const { nc, publish } = fakeNats();
    const sut = new StatusWatch(new NatsBus(nc));
    const watch = sut.ensure(appId, 'amy');
    publish('amy', PeerState.OFFLINE, 20);
    sut.applySnapshot(watch, PeerState.ONLINE, 19);
    expect([watch.state, watch.seq]).toEqual([PeerState.OFFLINE, 20]);
    sut.applySnapshot(watch, PeerState.ONLINE, 21);
    expect([watch.state, watch.seq]).toEqual([PeerState.ONLINE, 21]);
  });

  it('subscribes once per uid and unsubscribes with the last watcher, not while a subscribe is pending', () => {
    const { nc, subs } = fakeNats();
    const sut = new StatusWatch(new NatsBus(nc));
    const a = fakeSession().session;
    const b = fakeSession().session;
    const watch = sut.ensure(appId, 'cy');
    expect(sut.ensure(appId, 'cy')).toBe(watch);
    watch.members.add(a).add(b);
    sut.release(a, appId, 'cy');
    expect(sut.size).toBe(1);
    watch.holds = 1;
    sut.release(b, appId, 'cy');
    expect(sut.size).toBe(1);
    watch.holds = 0;
    sut.release(null, appId, 'cy');
    expect(sut.size).toBe(0);
    expect([...subs.values()][0]!.unsubscribed).toBe(true);
  });
});
