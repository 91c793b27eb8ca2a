import { createCodec, ErrorCode, Evt, type AppId, type MetadataData, type SessionId, type Uid, type UserMetadataEvent } from '@parley/contracts';
import { NatsBus } from '@parley/platform';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { MetadataClient } from '../clients/metadata.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { UserMetadataSubscriptionsService } from './user-metadata-subscriptions.service';
import { UserMetadataWatch } from './user-metadata-watch';

const codec = createCodec();
const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
let n = 0;

const md = (majorRevision: number, value = String(majorRevision)): MetadataData => ({
  majorRevision,
  items: [{ key: 'k', value, revision: majorRevision, updateTs: 0, authorUserId: '' }],
});

function fakeNats() {
  const subs = new Map<string, { callback: (err: Error | null, msg: Msg) => void; unsubscribed: boolean }>();
  const nc = {
    isClosed: () => false,
    flush: async () => undefined,
    subscribe: (subject: string, opts: { callback: (err: Error | null, msg: Msg) => void }) => {
      const entry = { callback: opts.callback, unsubscribed: false };
      subs.set(subject, entry);
      return { unsubscribe: () => void (entry.unsubscribed = true) } as unknown as Subscription;
    },
  } as unknown as NatsConnection;
  const publish = (uid: string, data: MetadataData) => {
    const entry = [...subs.entries()].find(([subject]) => subject.endsWith(`.umeta.${uid}`) && !subs.get(subject)!.unsubscribed)?.[1];
    const event: UserMetadataEvent = { uid, md: data };
    entry?.callback(null, { data: codec.encode(event) } as Msg);
  };
  return { nc, subs, publish };
}

function setup(opts: { max?: number; snapshot?: (uid: string) => Promise<MetadataData> } = {}) {
  const { nc, subs, publish } = fakeNats();
  const watch = new UserMetadataWatch(new NatsBus(nc));
  const client = { getUser: jest.fn(async ({ uid }: { uid: string }) => (opts.snapshot ? opts.snapshot(uid) : md(0))) };
  const config = { METADATA_SUBSCRIBE_RATE: { limit: 1000, windowMs: 1000 }, USER_METADATA_SUBSCRIPTIONS_MAX: opts.max ?? 100 } as GatewayConfig;
  const sessions = { requireSession: (conn: { session: Session }) => conn.session };
  const sut = new UserMetadataSubscriptionsService(sessions as unknown as SessionsService, client as unknown as MetadataClient, watch, config);
  const user = (uid: string) => {
    const events: unknown[] = [];
    const session = new Session(`00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as SessionId, appId, uid as Uid, 'inst', 0, null);
    session.conn = { event: (evt: number, data: unknown) => events.push([evt, data]) } as unknown as Session['conn'];
    return { session, events, conn: { session } as unknown as Connection };
  };
  return { sut, watch, client, subs, publish, user };
}

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: { code?: unknown }) => e.code,
  );
}

describe('user metadata subscriptions', () => {
  it('answers the current set, then pushes newer sets in revision order and drops older or repeated ones', async () => {
    const { sut, publish, user } = setup({ snapshot: async () => md(5) });
    const bob = user('bob');
    expect(await sut.subscribe(bob.conn, { uids: ['ann'] })).toEqual([md(5)]);
    publish('ann', md(7));
    publish('ann', md(6)); // overtaken: dropped
    publish('ann', md(7)); // repeated: dropped
    publish('ann', md(9));
    expect(bob.events).toEqual([
      [Evt.USER_METADATA, { uid: 'ann', md: md(7) }],
      [Evt.USER_METADATA, { uid: 'ann', md: md(9) }],
    ]);
  });

  it('answers a set that arrived while the snapshot was read when it is newer than the snapshot', async () => {
    let publishEarly: () => void = () => undefined;
    const { sut, publish, user } = setup({
      snapshot: async () => {
        publishEarly();
        return md(3); // read before the write of revision 4 committed
      },
    });
    publishEarly = () => publish('ann', md(4));
    const bob = user('bob');
    expect(await sut.subscribe(bob.conn, { uids: ['ann'] })).toEqual([md(4)]);
    expect(bob.events).toEqual([]); // not pushed: it is the answer
  });

  it('shares one subject per user across sessions and drops it with the last one (unsubscribe, session end)', async () => {
    const { sut, watch, subs, user } = setup();
    const [bob, cy] = [user('bob'), user('cy')];
    await sut.subscribe(bob.conn, { uids: ['ann'] });
    await sut.subscribe(cy.conn, { uids: ['ann'] });
    await sut.subscribe(cy.conn, { uids: ['ann'] }); // twice: no error
    await sut.subscribe(cy.conn, { uids: ['dan'] });
    expect(watch.size).toBe(2);
    expect(await sut.unsubscribe(bob.conn, { uids: ['ann'] })).toBeNull();
    expect(await sut.unsubscribe(bob.conn, { uids: ['never'] })).toBeNull();
    expect(watch.size).toBe(2);
    sut.releaseAll(cy.session);
    expect(watch.size).toBe(0);
    expect([...subs.values()].every((s) => s.unsubscribed)).toBe(true);
  });

  it('refuses more than the maximum (OVERFLOW), bad uids, and keeps nothing of a failed subscribe', async () => {
    const { sut, watch, user } = setup({ max: 2, snapshot: async (uid) => (uid === 'down' ? Promise.reject(new Error('no answer')) : md(1)) });
    const bob = user('bob');
    await sut.subscribe(bob.conn, { uids: ['a'] });
    await sut.subscribe(bob.conn, { uids: ['b'] });
    expect(await codeOf(sut.subscribe(bob.conn, { uids: ['c'] }))).toBe(ErrorCode.OVERFLOW);
    await sut.subscribe(bob.conn, { uids: ['a'] }); // already subscribed: fine at the maximum
    expect(await codeOf(sut.subscribe(bob.conn, { uids: ['null'] }))).toBe(ErrorCode.INVALID_ARGUMENT);
    await sut.unsubscribe(bob.conn, { uids: ['b'] });
    await expect(sut.subscribe(bob.conn, { uids: ['down'] })).rejects.toThrow('no answer');
    expect(watch.size).toBe(1);
    await sut.subscribe(bob.conn, { uids: ['c'] }); // the failed one took no place
  });

  it('subscribes to several users in one call (a resume), answering their sets in order', async () => {
    const { sut, watch, user } = setup({ snapshot: async (uid) => md(uid.length) });
    const bob = user('bob');
    expect(await sut.subscribe(bob.conn, { uids: ['ccc', 'a', 'bb', 'a'] })).toEqual([md(3), md(1), md(2), md(1)]);
    expect(watch.size).toBe(3);
  });
});
