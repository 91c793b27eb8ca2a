/**
 * The metadata part of the fake gateway: an in-memory attributes service for user and channel
 * metadata with the server's rules (revisions from one counter, compare-and-set, add / update
 * semantics, keys unique per call), USER_METADATA pushed to the connections subscribed to a user and
 * CHANNEL_METADATA to a channel's member connections. Tests replace `gw.handlers[Op.…]` to script
 * answers and push their own events with `pushUser` / `pushChannel`.
 */
import {
  ErrorCode,
  Evt,
  Op,
  type ChannelMetadataClearArgs,
  type ChannelMetadataWriteArgs,
  type MetadataData,
  type MetadataItemData,
  type UserMetadataClearArgs,
  type UserMetadataSubscribeArgs,
  type UserMetadataWriteArgs,
} from '@parley/contracts';
import type { Answer, FakeConnection, FakeGateway } from './fake-gateway';

type Kind = 'set' | 'add' | 'update' | 'delete' | 'clear';

const fail = (code: number, message: string): Answer => ({ code, data: { message } });

export class FakeMetadata {
  /** Sets by `u:<uid>` / `c:<channel>`. */
  readonly sets = new Map<string, MetadataData>();
  /** Subscribed uids by connection. */
  readonly subscriptions = new Map<FakeConnection, Set<string>>();
  private revision = 100;

  constructor(private readonly gw: FakeGateway) {
    const user = (kind: Kind) => (conn: FakeConnection, args: UserMetadataWriteArgs | UserMetadataClearArgs) => this.writeUser(conn, kind, args);
    const channel = (kind: Kind) => (conn: FakeConnection, args: ChannelMetadataWriteArgs | ChannelMetadataClearArgs) => this.writeChannel(conn, kind, args);
    Object.assign(gw.handlers, {
      [Op.SET_USER_METADATA]: user('set'),
      [Op.ADD_USER_METADATA]: user('add'),
      [Op.UPDATE_USER_METADATA]: user('update'),
      [Op.DELETE_USER_METADATA]: user('delete'),
      [Op.CLEAR_USER_METADATA]: user('clear'),
      [Op.GET_USER_METADATA]: (_c: FakeConnection, args: { uid: string }): Answer => ({ code: ErrorCode.OK, data: this.get(`u:${args.uid}`) }),
      [Op.SUBSCRIBE_USER_METADATA]: (conn: FakeConnection, args: UserMetadataSubscribeArgs): Answer => {
        const subs = this.subscriptionsOf(conn);
        for (const uid of args.uids) subs.add(uid);
        return { code: ErrorCode.OK, data: args.uids.map((uid) => this.get(`u:${uid}`)) };
      },
      [Op.UNSUBSCRIBE_USER_METADATA]: (conn: FakeConnection, args: UserMetadataSubscribeArgs): Answer => {
        for (const uid of args.uids) this.subscriptionsOf(conn).delete(uid);
        return { code: ErrorCode.OK, data: null };
      },
      [Op.SET_CHANNEL_METADATA]: channel('set'),
      [Op.ADD_CHANNEL_METADATA]: channel('add'),
      [Op.UPDATE_CHANNEL_METADATA]: channel('update'),
      [Op.DELETE_CHANNEL_METADATA]: channel('delete'),
      [Op.CLEAR_CHANNEL_METADATA]: channel('clear'),
      [Op.GET_CHANNEL_METADATA]: (conn: FakeConnection, args: { ch: string }): Answer =>
        this.gw.members(args.ch).has(conn) ? { code: ErrorCode.OK, data: this.get(`c:${args.ch}`) } : fail(ErrorCode.NOT_IN_CHANNEL, 'not in channel'),
    });
  }

  get(key: string): MetadataData {
    return this.sets.get(key) ?? { items: [], majorRevision: 0 };
  }

  subscriptionsOf(conn: FakeConnection): Set<string> {
    let set = this.subscriptions.get(conn);
    if (!set) this.subscriptions.set(conn, (set = new Set()));
    return set;
  }

  /** Evt.USER_METADATA to every open connection subscribed to `uid`. */
  pushUser(uid: string, md: MetadataData): void {
    for (const [conn, subs] of this.subscriptions) if (!conn.closed && subs.has(uid)) conn.push(Evt.USER_METADATA, { uid, md });
  }

  /** Evt.CHANNEL_METADATA to every open member connection of `ch`. */
  pushChannel(ch: string, md: MetadataData): void {
    for (const c of this.gw.members(ch)) if (!c.closed) c.push(Evt.CHANNEL_METADATA, { ch, md });
  }

  private writeUser(conn: FakeConnection, kind: Kind, args: UserMetadataWriteArgs | UserMetadataClearArgs): Answer {
    const uid = conn.login?.uid ?? '';
    const result = this.write(`u:${uid}`, kind, args, uid);
    if ('md' in result) this.pushUser(uid, result.md);
    return result.answer;
  }

  private writeChannel(conn: FakeConnection, kind: Kind, args: ChannelMetadataWriteArgs | ChannelMetadataClearArgs): Answer {
    if (!this.gw.members(args.ch).has(conn)) return fail(ErrorCode.NOT_IN_CHANNEL, 'not in channel');
    const result = this.write(`c:${args.ch}`, kind, args, conn.login?.uid ?? '');
    if ('md' in result) this.pushChannel(args.ch, result.md);
    return result.answer;
  }

  private write(
    key: string,
    kind: Kind,
    args: { items?: UserMetadataWriteArgs['items']; majorRevision?: number; recordTs?: boolean; recordUserId?: boolean },
    author: string,
  ): { answer: Answer; md: MetadataData } | { answer: Answer } {
    const current = this.get(key);
    const items = new Map(current.items.map((i) => [i.key, i]));
    const named = kind === 'clear' ? [] : (args.items ?? []);
    if (new Set(named.map((i) => i.key)).size !== named.length) return { answer: fail(ErrorCode.DUPLICATE_KEY, 'duplicate key') };
    if (args.majorRevision !== undefined && args.majorRevision >= 0 && args.majorRevision !== current.majorRevision) {
      return { answer: fail(ErrorCode.OUTDATED_REVISION, 'outdated majorRevision') };
    }
    for (const i of named) {
      if (i.revision !== undefined && i.revision >= 0 && i.revision !== (items.get(i.key)?.revision ?? 0))
        return { answer: fail(ErrorCode.OUTDATED_REVISION, 'outdated revision') };
      if (kind === 'add' && items.has(i.key)) return { answer: fail(ErrorCode.DUPLICATE_KEY, `${i.key} exists`) };
      if (kind === 'update' && !items.has(i.key)) return { answer: fail(ErrorCode.KEY_NOT_FOUND, `${i.key} does not exist`) };
    }
    const revision = ++this.revision;
    if (kind === 'set' || kind === 'clear') items.clear();
    for (const i of named) {
      if (kind === 'delete') items.delete(i.key);
      else {
        const item: MetadataItemData = {
          key: i.key,
          value: i.value ?? '',
          revision,
          updateTs: args.recordTs ? Date.now() : 0,
          authorUserId: args.recordUserId ? author : '',
        };
        items.set(i.key, item);
      }
    }
    const md: MetadataData = { majorRevision: revision, items: [...items.values()].sort((a, b) => (a.key < b.key ? -1 : 1)) };
    this.sets.set(key, md);
    return { answer: { code: ErrorCode.OK, data: { majorRevision: revision } }, md };
  }
}
