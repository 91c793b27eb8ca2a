import { Op, isUid, type UserAttrsGetArgs, type AttributesMap as WireAttributesMap } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { ATTRIBUTE_OPERATION_ERR, RtmInvalidArgumentError, notLoggedIn } from '../errors';
import type { AttributesMap } from '../types';
import { put } from '../validate';
import { USER_ATTRIBUTE_LIMITS, checkAttributes, checkKeys, isRtmError, keysOf, toAttributesMap } from './attribute-checks';
import { retryAfterResume } from './resume-retry';

const OP = 'ATTRIBUTE_OPERATION';

/**
 * User attributes (spec §2.1 set/addOrUpdate/deleteByKeys/clear LocalUserAttributes,
 * getUserAttributes(ByKeys); §9 re-push). The server keeps a login's attributes; the SDK keeps a
 * copy of its own, updated after each successful write, and sets it again after a resume (the
 * server may have dropped them when the reconnect took long). Logout or ABORTED forgets it.
 */
export class UserAttributesApi {
  /** Our attributes as the server has them after our last successful write. */
  private readonly local = new Map<string, string>();
  /** Bumped by every resume and session end: older re-push work stops. */
  private generation = 0;
  /** A re-push is under way: the app's writes wait for it (RequestOptions.ready) so it cannot undo them. */
  private repushing = false;
  private readonly writable = (): boolean => !this.repushing;

  constructor(private readonly core: ClientCore) {
    core.onResumed(() => this.resumed());
    core.onEnded(() => this.ended());
  }

  set(attributes: AttributesMap): Promise<void> {
    this.core.log.track('setLocalUserAttributes', keysOf(attributes));
    const attrs = checkAttributes(attributes, USER_ATTRIBUTE_LIMITS);
    if (isRtmError(attrs)) return Promise.reject(attrs);
    return this.write(Op.SET_USER_ATTRS, { attrs }, () => {
      this.local.clear();
      for (const [k, v] of Object.entries(attrs)) this.local.set(k, v);
    });
  }

  addOrUpdate(attributes: AttributesMap): Promise<void> {
    this.core.log.track('addOrUpdateLocalUserAttributes', keysOf(attributes));
    const attrs = checkAttributes(attributes, USER_ATTRIBUTE_LIMITS);
    if (isRtmError(attrs)) return Promise.reject(attrs);
    return this.write(Op.ADD_USER_ATTRS, { attrs }, () => {
      for (const [k, v] of Object.entries(attrs)) this.local.set(k, v);
    });
  }

  deleteByKeys(attributeKeys: string[]): Promise<void> {
    this.core.log.track('deleteLocalUserAttributesByKeys', attributeKeys);
    const keys = checkKeys(attributeKeys);
    if (isRtmError(keys)) return Promise.reject(keys);
    return this.write(Op.DELETE_USER_ATTRS, { keys }, () => {
      for (const k of keys) this.local.delete(k);
    });
  }

  clear(): Promise<void> {
    this.core.log.track('clearLocalUserAttributes');
    return this.write(Op.CLEAR_USER_ATTRS, {}, () => this.local.clear());
  }

  /** Any user's attributes ({} when that user is not logged in). */
  get(userId: string): Promise<AttributesMap> {
    this.core.log.track('getUserAttributes', userId);
    return this.read(userId);
  }

  getByKeys(userId: string, attributeKeys: string[]): Promise<AttributesMap> {
    this.core.log.track('getUserAttributesByKeys', userId, attributeKeys);
    if (!isUid(userId)) return Promise.reject(invalidUserId());
    const keys = checkKeys(attributeKeys);
    if (isRtmError(keys)) return Promise.reject(keys);
    return this.read(userId, keys);
  }

  private read(userId: string, keys?: string[]): Promise<AttributesMap> {
    const { core } = this;
    if (!isUid(userId)) return Promise.reject(invalidUserId());
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    const args: UserAttrsGetArgs = keys ? { uid: userId, keys } : { uid: userId };
    return core.session
      .request<WireAttributesMap>(Op.GET_USER_ATTRS, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then(toAttributesMap);
  }

  /** A write of our attributes; `apply` updates the local copy once the server took it. */
  private write(wireOp: Op, args: object, apply: () => void): Promise<void> {
    const { core } = this;
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    return core.session
      .request<unknown>(wireOp, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true, ready: this.writable })
      .then(() => apply());
  }

  // --- reconnect ---

  /** Runs before the pending requests are written again: the re-push goes first, the app's writes after it. */
  private resumed(): void {
    const generation = ++this.generation;
    this.repushing = false;
    if (this.local.size === 0) return;
    this.repushing = true;
    const current = (): boolean => generation === this.generation;
    void retryAfterResume(this.core, 're-pushing the local user attributes', () => this.repush(), current).finally(() => {
      if (!current()) return;
      this.repushing = false;
      this.core.session.flush();
    });
  }

  private repush(): Promise<void> {
    const { core } = this;
    const attrs: AttributesMap = {};
    for (const [k, v] of this.local) put(attrs, k, v);
    return core.session
      .request<unknown>(Op.SET_USER_ATTRS, { attrs }, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then(() => undefined);
  }

  /** Logout / ABORTED: the server drops the login's attributes, so does the SDK. */
  private ended(): void {
    this.generation++;
    this.repushing = false;
    this.local.clear();
  }
}

function invalidUserId(): RtmInvalidArgumentError {
  return new RtmInvalidArgumentError(`${OP}: invalid userId.`, ATTRIBUTE_OPERATION_ERR.INVALID_ARGUMENT);
}
