import { Evt, Op, PeerState, STATUS_LIMITS, type PeerStatusEvent, type QuerySubscribedResult, type SubscribeStatusResult } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState, PeerOnlineState, PeerSubscriptionOption } from '../enums';
import {
  PEER_SUBSCRIPTION_STATUS_ERR,
  QUERY_PEERS_BY_SUBSCRIPTION_OPTION_ERR,
  RtmInvalidArgumentError,
  RtmLimitExceededError,
  RtmUnknownError,
  notLoggedIn,
} from '../errors';
import type { PeersOnlineStatusMap } from '../types';
import { isUidList, put } from '../validate';
import { retryAfterResume } from './resume-retry';

const OP = 'PEER_SUBSCRIPTION_STATUS';
const QUERY_OP = 'QUERY_PEERS_BY_SUBSCRIPTION_OPTION';

const STATES: Record<number, PeerOnlineState> = {
  [PeerState.ONLINE]: PeerOnlineState.ONLINE,
  [PeerState.UNREACHABLE]: PeerOnlineState.UNREACHABLE,
  [PeerState.OFFLINE]: PeerOnlineState.OFFLINE,
};

function toState(value: unknown): PeerOnlineState | undefined {
  return typeof value === 'number' ? STATES[value] : undefined;
}

/**
 * Online-status subscriptions (spec §2.1 subscribe/unsubscribePeersOnlineStatus,
 * queryPeersBySubscriptionOption; §4 PeersOnlineStatusChanged; §9 resubscribe and diff).
 * The SDK knows each subscribed peer's state: a subscribe emits the states of the peers it added,
 * Evt.PEER_STATUS the changes, a resume the changes missed while away. Logout / ABORTED ends them.
 */
export class StatusSubscriptions {
  /** Subscribed peers (their subscribe was answered) and their last known state. */
  private readonly states = new Map<string, PeerOnlineState>();
  /** Peers of subscribe calls not answered yet, with the number of such calls. */
  private readonly pending = new Map<string, number>();
  /** Bumped by every resume and session end: older resubscribe work stops. */
  private generation = 0;

  constructor(private readonly core: ClientCore) {
    core.onEvent(Evt.PEER_STATUS, (data) => this.received(data));
    core.onResumed(() => this.resumed());
    core.onEnded(() => this.ended());
  }

  subscribe(peerIds: string[]): Promise<void> {
    const { core } = this;
    const max = STATUS_LIMITS.MAX_SUBSCRIBED;
    core.log.track('subscribePeersOnlineStatus', peerIds);
    if (!isUidList(peerIds, max)) {
      return Promise.reject(new RtmInvalidArgumentError(`${OP}: peerIds must be 1 to ${max} valid user ids.`, PEER_SUBSCRIPTION_STATUS_ERR.INVALID_ARGUMENT));
    }
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    const uids = [...new Set(peerIds)];
    const total = new Set([...this.states.keys(), ...this.pending.keys(), ...uids]).size;
    if (total > max) {
      return Promise.reject(new RtmLimitExceededError(`${OP}: ${total} subscribed peers, at most ${max}.`, PEER_SUBSCRIPTION_STATUS_ERR.OVERFLOW));
    }
    for (const uid of uids) this.pending.set(uid, (this.pending.get(uid) ?? 0) + 1);
    return this.request(uids)
      .then((states) => {
        const added: PeersOnlineStatusMap = {};
        uids.forEach((uid, i) => {
          if (this.states.has(uid)) return; // subscribed before: no error, nothing new to say
          const state = states[i];
          this.states.set(uid, state);
          put(added, uid, state);
        });
        this.emit(added);
      })
      .finally(() => {
        for (const uid of uids) {
          const n = this.pending.get(uid);
          if (n !== undefined && n > 1) this.pending.set(uid, n - 1);
          else this.pending.delete(uid);
        }
      });
  }

  unsubscribe(peerIds: string[]): Promise<void> {
    const { core } = this;
    const max = STATUS_LIMITS.MAX_SUBSCRIBED;
    core.log.track('unsubscribePeersOnlineStatus', peerIds);
    if (!isUidList(peerIds, max)) {
      return Promise.reject(new RtmInvalidArgumentError(`${OP}: peerIds must be 1 to ${max} valid user ids.`, PEER_SUBSCRIPTION_STATUS_ERR.INVALID_ARGUMENT));
    }
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    const uids = [...new Set(peerIds)];
    return core.session.request<unknown>(Op.UNSUBSCRIBE_STATUS, { uids }, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true }).then(() => {
      for (const uid of uids) this.states.delete(uid);
    });
  }

  /** The server's list of this session's subscribed peers. */
  query(option: PeerSubscriptionOption): Promise<string[]> {
    const { core } = this;
    core.log.track('queryPeersBySubscriptionOption', option);
    if (option !== PeerSubscriptionOption.ONLINE_STATUS) {
      return Promise.reject(new RtmInvalidArgumentError(`${QUERY_OP}: option must be ONLINE_STATUS.`, QUERY_PEERS_BY_SUBSCRIPTION_OPTION_ERR.FAILURE));
    }
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(QUERY_OP));
    return core.session
      .request<QuerySubscribedResult>(Op.QUERY_SUBSCRIBED, { option }, { op: QUERY_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((uids) => (Array.isArray(uids) ? uids.filter((u): u is string => typeof u === 'string') : []));
  }

  /** Op.SUBSCRIBE_STATUS → the current state of each uid, in order. */
  private request(uids: string[]): Promise<PeerOnlineState[]> {
    const { core } = this;
    return core.session
      .request<SubscribeStatusResult>(Op.SUBSCRIBE_STATUS, { uids }, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((answer) => {
        const states = Array.isArray(answer) && answer.length === uids.length ? answer.map(toState) : [];
        if (states.length !== uids.length || states.some((s) => s === undefined)) {
          throw new RtmUnknownError(`${OP}: unexpected answer from the server.`, PEER_SUBSCRIPTION_STATUS_ERR.FAILURE);
        }
        return states as PeerOnlineState[];
      });
  }

  /** Evt.PEER_STATUS: changes of subscribed peers (others, e.g. a subscribe not answered yet, are ignored). */
  private received(data: unknown): void {
    if (typeof data !== 'object' || data === null) {
      this.core.log.warn('ignored a malformed peer status event');
      return;
    }
    const changed: PeersOnlineStatusMap = {};
    for (const [uid, value] of Object.entries(data as PeerStatusEvent)) {
      const before = this.states.get(uid);
      const state = toState(value);
      if (before === undefined || state === undefined || state === before) continue;
      this.states.set(uid, state);
      put(changed, uid, state);
    }
    this.emit(changed);
  }

  // --- reconnect ---

  /** Subscribes again to every peer and emits what changed while the client was away. */
  private resumed(): void {
    const generation = ++this.generation;
    if (this.states.size === 0) return;
    const current = (): boolean => generation === this.generation;
    void retryAfterResume(this.core, 'resubscribing to online status', () => this.resubscribe(), current);
  }

  private resubscribe(): Promise<void> {
    const uids = [...this.states.keys()];
    return this.request(uids).then((states) => {
      const changed: PeersOnlineStatusMap = {};
      uids.forEach((uid, i) => {
        const before = this.states.get(uid);
        if (before === undefined || before === states[i]) return; // unsubscribed meanwhile, or unchanged
        this.states.set(uid, states[i]);
        put(changed, uid, states[i]);
      });
      this.emit(changed);
    });
  }

  private ended(): void {
    this.generation++;
    this.states.clear();
    this.pending.clear();
  }

  /** One PeersOnlineStatusChanged, unless empty; a throwing listener is logged (this also runs outside server events). */
  private emit(status: PeersOnlineStatusMap): void {
    if (Object.keys(status).length === 0) return;
    try {
      this.core.emitter.emit('PeersOnlineStatusChanged', status);
    } catch (err) {
      this.core.log.error('a PeersOnlineStatusChanged listener threw', err);
    }
  }
}
