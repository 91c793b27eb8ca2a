import {
  Evt,
  isUid,
  METADATA_LIMITS,
  Op,
  type MetadataData,
  type UserMetadataClearArgs,
  type UserMetadataEvent,
  type UserMetadataSubscribeArgs,
  type UserMetadataWriteArgs,
} from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { METADATA_OPERATION_ERR, METADATA_SUBSCRIPTION_ERR, RtmInvalidArgumentError, RtmLimitExceededError, RtmUnknownError, notLoggedIn } from '../errors';
import { isRtmError } from './attribute-checks';
import type { RtmMetadata } from '../types';
import { checkItems, checkOptions, keysOfItems, majorRevisionOf, toRtmMetadata, USER_METADATA_CALL_LIMITS, type MetadataWriteKind } from './metadata-checks';
import { retryAfterResume } from './resume-retry';

const OP = 'METADATA_OPERATION';
const SUB_OP = 'METADATA_SUBSCRIPTION';

const WRITE_OPS: Record<MetadataWriteKind, Op> = {
  set: Op.SET_USER_METADATA,
  add: Op.ADD_USER_METADATA,
  update: Op.UPDATE_USER_METADATA,
  delete: Op.DELETE_USER_METADATA,
};

/**
 * User metadata (agora-rtm-sdk 1.6.0: set/add/update/delete/clearLocalUserMetadata, getUserMetadata,
 * subscribe/unsubscribeUserMetadata; UserMetaDataUpdated). A subscribe emits the user's current set,
 * then every newer one; a set whose majorRevision is not above the last emitted for that user is
 * dropped (stale or repeated). After a resume every subscription is renewed in one call and a set
 * that changed meanwhile is emitted once. Logout / ABORTED ends them.
 */
export class UserMetadataApi {
  /** Subscribed uids → majorRevision of the last set emitted for it (-1: none yet). */
  private readonly subscribed = new Map<string, number>();
  /** Uids of subscribe calls not answered yet, with the number of such calls. */
  private readonly pending = new Map<string, number>();
  /** Bumped by every resume and session end: older resubscribe work stops. */
  private generation = 0;

  constructor(private readonly core: ClientCore) {
    core.onEvent(Evt.USER_METADATA, (data) => this.received(data));
    core.onResumed(() => this.resumed());
    core.onEnded(() => this.ended());
  }

  write(kind: MetadataWriteKind, method: string, items: unknown, options: unknown): Promise<void> {
    this.core.log.track(method, keysOfItems(items), options);
    const checked = checkItems(items, kind, USER_METADATA_CALL_LIMITS);
    if (isRtmError(checked)) return Promise.reject(checked);
    const opts = checkOptions(options);
    if (isRtmError(opts)) return Promise.reject(opts);
    const args: UserMetadataWriteArgs = { items: checked, ...opts };
    return this.request(WRITE_OPS[kind], args);
  }

  clear(options: unknown): Promise<void> {
    this.core.log.track('clearLocalUserMetadata', options);
    const opts = checkOptions(options);
    if (isRtmError(opts)) return Promise.reject(opts);
    const args: UserMetadataClearArgs = opts;
    return this.request(Op.CLEAR_USER_METADATA, args);
  }

  /** Any user's metadata ({items: [], majorRevision: 0} when never written). */
  get(uid: string): Promise<RtmMetadata> {
    const { core } = this;
    core.log.track('getUserMetadata', uid);
    if (!isUid(uid)) return Promise.reject(new RtmInvalidArgumentError(`${OP}: invalid uid.`, METADATA_OPERATION_ERR.INVALID_USER_ID));
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    return core.session
      .request<MetadataData>(Op.GET_USER_METADATA, { uid }, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then(toRtmMetadata);
  }

  subscribe(uid: string): Promise<void> {
    const { core } = this;
    core.log.track('subscribeUserMetadata', uid);
    if (!isUid(uid)) return Promise.reject(invalidSubscription());
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(SUB_OP));
    const max = METADATA_LIMITS.MAX_SUBSCRIBED;
    const total = new Set([...this.subscribed.keys(), ...this.pending.keys(), uid]).size;
    if (total > max) return Promise.reject(new RtmLimitExceededError(`${SUB_OP}: at most ${max} subscribed users.`, METADATA_SUBSCRIPTION_ERR.OVERFLOW));
    this.pending.set(uid, (this.pending.get(uid) ?? 0) + 1);
    return this.subscribeRequest([uid])
      .then(([md]) => {
        if (!this.subscribed.has(uid)) this.subscribed.set(uid, -1);
        this.offer(uid, md);
      })
      .finally(() => {
        const n = this.pending.get(uid);
        if (n !== undefined && n > 1) this.pending.set(uid, n - 1);
        else this.pending.delete(uid);
      });
  }

  unsubscribe(uid: string): Promise<void> {
    const { core } = this;
    core.log.track('unsubscribeUserMetadata', uid);
    if (!isUid(uid)) return Promise.reject(invalidSubscription());
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(SUB_OP));
    const args: UserMetadataSubscribeArgs = { uids: [uid] };
    return core.session
      .request<unknown>(Op.UNSUBSCRIBE_USER_METADATA, args, { op: SUB_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then(() => {
        this.subscribed.delete(uid);
      });
  }

  /**
   * A write of the local user's set. Not resent on another socket: a write that reached the server
   * before the connection died may have happened (resent, its compare-and-set would then fail), so
   * the call fails with TIMEOUT instead.
   */
  private request(wireOp: Op, args: object): Promise<void> {
    const { core } = this;
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    return core.session.request<unknown>(wireOp, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: false }).then(() => undefined);
  }

  /** Op.SUBSCRIBE_USER_METADATA → each uid's current set, in order. */
  private subscribeRequest(uids: string[]): Promise<MetadataData[]> {
    const { core } = this;
    const args: UserMetadataSubscribeArgs = { uids };
    return core.session
      .request<unknown>(Op.SUBSCRIBE_USER_METADATA, args, { op: SUB_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((answer) => {
        if (!Array.isArray(answer) || answer.length !== uids.length || answer.some((md) => majorRevisionOf(md) === undefined)) {
          throw new RtmUnknownError(`${SUB_OP}: unexpected answer from the server.`, METADATA_SUBSCRIPTION_ERR.FAILURE);
        }
        return answer as MetadataData[];
      });
  }

  /** Evt.USER_METADATA: a subscribed user's set after a write. */
  private received(data: unknown): void {
    const evt = data as Partial<UserMetadataEvent> | null;
    if (typeof evt !== 'object' || evt === null || typeof evt.uid !== 'string' || majorRevisionOf(evt.md) === undefined) {
      this.core.log.warn('ignored a malformed user metadata event');
      return;
    }
    if (!this.subscribed.has(evt.uid)) return; // unsubscribed meanwhile
    this.offer(evt.uid, evt.md!);
  }

  /** Emits UserMetaDataUpdated when `md` is newer than the last set emitted for `uid`. */
  private offer(uid: string, md: MetadataData): void {
    const last = this.subscribed.get(uid);
    if (last === undefined) return;
    if (md.majorRevision <= last) {
      this.core.log.debug(`dropped metadata of ${uid} at revision ${md.majorRevision} (emitted ${last})`);
      return;
    }
    this.subscribed.set(uid, md.majorRevision);
    try {
      this.core.emitter.emit('UserMetaDataUpdated', uid, toRtmMetadata(md));
    } catch (err) {
      this.core.log.error('a UserMetaDataUpdated listener threw', err);
    }
  }

  // --- reconnect ---

  /** Subscribes again to every user (on whichever gateway) and emits what changed while away. */
  private resumed(): void {
    const generation = ++this.generation;
    if (this.subscribed.size === 0) return;
    const current = (): boolean => generation === this.generation;
    void retryAfterResume(this.core, 'resubscribing to user metadata', () => this.resubscribe(current), current);
  }

  private resubscribe(current: () => boolean): Promise<void> {
    const uids = [...this.subscribed.keys()];
    return this.subscribeRequest(uids).then((sets) => {
      if (current()) uids.forEach((uid, i) => this.offer(uid, sets[i]!));
    });
  }

  private ended(): void {
    this.generation++;
    this.subscribed.clear();
    this.pending.clear();
  }
}

function invalidSubscription(): RtmInvalidArgumentError {
  return new RtmInvalidArgumentError(`${SUB_OP}: invalid uid.`, METADATA_SUBSCRIPTION_ERR.INVALID_ARGUMENT);
}
