import {
  CHANNEL_EVENTS_MAX_MEMBERS,
  ErrorCode,
  Evt,
  Op,
  isChannelId,
  type ChannelGapEvent,
  type ChannelMessageEvent,
  type GetMembersResult,
  type JoinArgs,
  type JoinResult,
  type MemberCountEvent,
  type MemberCountResult,
  type MemberEvent,
  type SendChannelArgs,
  type SendChannelResult,
} from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ChannelMetadataApi } from './channel-metadata';
import { HistoryApi } from './history';
import { Backoff } from '../connection/backoff';
import { ConnectionState } from '../enums';
import {
  CHANNEL_MESSAGE_ERR,
  CREATE_CHANNEL_ERR,
  GET_CHANNEL_MEMBER_COUNT_ERR,
  GET_MEMBERS_ERR,
  JOIN_CHANNEL_ERR,
  LEAVE_CHANNEL_ERR,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmLimitExceededError,
  notLoggedIn,
  rtmError,
  type RtmError,
} from '../errors';
import { RecentKeys } from '../recent-keys';
import { RtmChannel } from '../rtm-channel';
import type { ChannelMemberCountResult, ReceivedMessageProperties, RecoveryIncompleteInfo, RtmMessage, SendMessageOptions } from '../types';
import { loadThumbnail } from './media-message';
import { decodeMessage, encodeMessage } from './message-codec';

/** agora-rtm-sdk 1.x: channels one client may be in (joined or joining) at once. */
export const MAX_JOINED_CHANNELS = 20;
/** getChannelMemberCount: channel ids per call. */
export const MAX_MEMBER_COUNT_IDS = 32;
/** Received messages remembered per joined channel for duplicate detection (kept across reconnects). */
export const CHANNEL_DEDUP_CAPACITY = 500;
/** A rejoin after a reconnect that keeps failing with a retryable error is given up after this. */
export const REJOIN_GIVE_UP_MS = 30_000;
/** Ids remembered at the newest serverReceivedTs (JoinArgs.seen); more is only a few duplicates the LRU drops. */
const MAX_SEEN_AT_LAST_TS = 64;
/** Above this many members the server sends counts (and the SDK emits them) at the slower cadence. */
const MEMBER_EVENTS_MAX = CHANNEL_EVENTS_MAX_MEMBERS;
/**
 * A join's JOIN request lives this much longer than the join's own deadline, so that a client-side
 * TIMEOUT of the request before the deadline always means "the socket died before the answer".
 */
const JOIN_REQUEST_GRACE_MS = 1000;
/** Rejoin answers (agora JOIN_CHANNEL_ERR codes) worth another try: FAILURE, TIMEOUT, TOO_OFTEN, JOIN_SAME_CHANNEL_TOO_OFTEN. */
const RETRYABLE_REJOIN = new Set<number>([
  JOIN_CHANNEL_ERR.FAILURE,
  JOIN_CHANNEL_ERR.TIMEOUT,
  JOIN_CHANNEL_ERR.TOO_OFTEN,
  JOIN_CHANNEL_ERR.JOIN_SAME_CHANNEL_TOO_OFTEN,
]);

const noop = (): void => undefined;

/** A join() call not settled yet. */
interface PendingJoin {
  resolve(): void;
  reject(err: RtmError): void;
  /** The join's deadline (requestTimeoutMs, agora's 10 s): TIMEOUT 4. */
  timer: ReturnType<typeof setTimeout>;
  /** Its JOIN died with the socket: sent again (with `since`) after the next re-login. */
  interrupted: boolean;
}

type Status = 'idle' | 'joining' | 'joined';

/** What the SDK knows about one RtmChannel object. */
class ChannelState {
  status: Status = 'idle';
  /** Bumped when the channel starts a join or stops being joined: answers and timers of older epochs are ignored. */
  epoch = 0;
  /** Bumped by every JOIN request (join or rejoin): only the latest one's answer counts. */
  seq = 0;
  join?: PendingJoin;
  /** The latest JOIN request, settled either way (leave() sends LEAVE after it). */
  inflight: Promise<void> = Promise.resolve();
  readonly seen = new RecentKeys(CHANNEL_DEDUP_CAPACITY);
  /** Largest serverReceivedTs of a channel message received, and the ids received at exactly that ts. */
  lastTs = 0;
  idsAtLastTs: string[] = [];
  /** Last member count emitted (MemberCountUpdated), or about to be (after a join). */
  count?: number;
  /** When the last MemberCountUpdated was emitted (Date.now()), and a newer count held until the interval ends. */
  countAt = 0;
  heldCount?: number;
  countTimer?: ReturnType<typeof setTimeout>;
  /** Re-login done, rejoin not answered yet: the channel's messages and getMembers wait (RequestOptions.ready). */
  rejoining = false;
  rejoinStartedAt = 0;
  rejoinBackoff?: Backoff;
  rejoinTimer?: ReturnType<typeof setTimeout>;
  /** `since` of the latest rejoin: what its RecoveryIncomplete reports. */
  rejoinSince = 0;

  constructor(
    readonly channel: RtmChannel,
    readonly id: string,
  ) {}

  reset(): void {
    this.seen.clear();
    this.lastTs = 0;
    this.idsAtLastTs = [];
    this.count = undefined;
    this.countAt = 0;
    this.heldCount = undefined;
    clearTimeout(this.countTimer);
    this.countTimer = undefined;
    this.rejoining = false;
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = undefined;
    this.rejoinBackoff = undefined;
  }
}

/**
 * Channels (spec §2.1 createChannel / getChannelMemberCount, §2.2 RtmChannel, §4 channel events,
 * §9 rejoin; docs/protocol.md §11). One instance per client: the registry of its channel objects,
 * the routing of channel events to the joined object, and the rejoin of every joined channel after
 * a re-login (with `since` / `seen`, so the gateway replays the messages missed meanwhile).
 */
export class Channels {
  private readonly states = new WeakMap<RtmChannel, ChannelState>();
  /** Channels joined or joining, by id: at most one object per id. */
  private readonly active = new Map<string, ChannelState>();
  /** Leaves in progress, by id: a new JOIN of that id is sent after its LEAVE was answered. */
  private readonly leaving = new Map<string, Promise<void>>();
  private readonly leftHooks: ((channelId: string) => void)[] = [];
  /** RtmChannel's metadata methods (src/features/channel-metadata.ts). */
  readonly metadata: ChannelMetadataApi;
  /** Message history of joined channels and of conversations (src/features/history.ts). */
  readonly history: HistoryApi;

  constructor(private readonly core: ClientCore) {
    core.onEvent(Evt.CHANNEL_MESSAGE, (data) => this.messageReceived(data));
    core.onEvent(Evt.MEMBER_JOINED, (data) => this.memberEvent(data, 'MemberJoined'));
    core.onEvent(Evt.MEMBER_LEFT, (data) => this.memberEvent(data, 'MemberLeft'));
    core.onEvent(Evt.MEMBER_COUNT, (data) => this.countReceived(data));
    core.onEvent(Evt.CHANNEL_GAP, (data) => this.gapReceived(data));
    core.onResumed(() => this.resumed());
    core.onEnded(() => this.ended());
    // After the hooks above: on a resume, the rejoins are under way before metadata reads are queued.
    this.metadata = new ChannelMetadataApi(core, this);
    this.history = new HistoryApi(core, this);
  }

  /** client.createChannel: before or after login; several objects may share an id. */
  create(channelId: string): RtmChannel {
    if (!isChannelId(channelId)) throw new RtmInvalidArgumentError('CREATE_CHANNEL: invalid channelId.', CREATE_CHANNEL_ERR.INVALID_ARGUMENT);
    const channel = new RtmChannel(this, channelId);
    this.states.set(channel, new ChannelState(channel, channelId));
    return channel;
  }

  /** The joined (or joining) channel object of `channelId`: where that channel's events go. */
  member(channelId: string): RtmChannel | undefined {
    return this.active.get(channelId)?.channel;
  }

  /**
   * For a feature's request about a joined channel: RequestOptions.ready holding it until the
   * channel's rejoin after a resume was answered; undefined when `channel` is not joined.
   */
  joinedGate(channel: RtmChannel): (() => boolean) | undefined {
    const st = this.state(channel);
    return st.status === 'joined' ? this.afterRejoin(st) : undefined;
  }

  /** `hook(channelId)` whenever a channel object stops being joined (leave, failed join or rejoin, session end). */
  onLeft(hook: (channelId: string) => void): void {
    this.leftHooks.push(hook);
  }

  // --- RtmChannel API ---

  join(channel: RtmChannel): Promise<void> {
    const { core } = this;
    const st = this.state(channel);
    core.log.track('RtmChannel.join', { channelId: st.id });
    if (!this.connected) return Promise.reject(notLoggedIn('JOIN_CHANNEL'));
    if (st.status !== 'idle') {
      return Promise.reject(new RtmInvalidStatusError(`JOIN_CHANNEL: channel ${st.id} is already ${st.status}.`, JOIN_CHANNEL_ERR.ALREADY_JOINED));
    }
    if (this.active.has(st.id)) {
      return Promise.reject(
        new RtmInvalidStatusError(`JOIN_CHANNEL: another RtmChannel object of channel ${st.id} is joined.`, JOIN_CHANNEL_ERR.ALREADY_JOINED_CHANNEL_OF_SAME_ID),
      );
    }
    if (this.active.size >= MAX_JOINED_CHANNELS) {
      return Promise.reject(new RtmLimitExceededError(`JOIN_CHANNEL: already in ${MAX_JOINED_CHANNELS} channels.`, JOIN_CHANNEL_ERR.EXCEED_LIMIT));
    }
    st.epoch++;
    st.reset();
    st.status = 'joining';
    this.active.set(st.id, st);
    const epoch = st.epoch;
    const timeoutMs = core.timers.requestTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.joinFailed(st, epoch, rtmError('JOIN_CHANNEL', ErrorCode.TIMEOUT, `no answer within ${timeoutMs} ms`, false)),
        timeoutMs,
      );
      st.join = { resolve, reject, timer, interrupted: false };
      const send = (): void => {
        if (st.epoch === epoch) this.sendJoin(st, { ch: st.id }, timeoutMs + JOIN_REQUEST_GRACE_MS);
      };
      const before = this.leaving.get(st.id);
      if (before) void before.then(send);
      else send();
    });
  }

  /** Not joined any more at once (no more events); resolves when the server answered LEAVE. */
  leave(channel: RtmChannel): Promise<void> {
    const { core } = this;
    const st = this.state(channel);
    core.log.track('RtmChannel.leave', { channelId: st.id });
    if (!this.connected) return Promise.reject(notLoggedIn('LEAVE_CHANNEL'));
    if (st.status === 'idle') {
      return Promise.reject(new RtmInvalidStatusError(`LEAVE_CHANNEL: not in channel ${st.id}.`, LEAVE_CHANNEL_ERR.NOT_IN_CHANNEL));
    }
    const pending = st.join;
    const inflight = st.inflight;
    this.deactivate(st);
    pending?.reject(new RtmInvalidStatusError('JOIN_CHANNEL: aborted by leave().', JOIN_CHANNEL_ERR.ABORTED_BY_LEAVE));
    const id = st.id;
    const before = this.leaving.get(id);
    // LEAVE goes after the JOIN in flight was answered, so the server never sees it first.
    const done = Promise.all([before, inflight])
      .then(() => core.session.request<unknown>(Op.LEAVE, { ch: id }, { op: 'LEAVE_CHANNEL', timeoutMs: core.timers.requestTimeoutMs, resendable: true }))
      .then(noop, (err: RtmError) => {
        // The server does not have us (also: a resent LEAVE whose first write was processed): what leave() wants.
        if (err.serverCode === ErrorCode.NOT_IN_CHANNEL) return;
        throw err;
      });
    const settled = done.then(noop, noop);
    this.leaving.set(id, settled);
    void settled.then(() => {
      if (this.leaving.get(id) === settled) this.leaving.delete(id);
    });
    return done;
  }

  sendMessage(channel: RtmChannel, message: RtmMessage, options?: SendMessageOptions): Promise<void> {
    const st = this.state(channel);
    this.core.log.track('RtmChannel.sendMessage', { channelId: st.id, messageType: (message as { messageType?: unknown } | null)?.messageType, options });
    // A file / image message with a thumbnail Blob the SDK has not read yet: read it first.
    const thumbnail = loadThumbnail(message);
    return thumbnail ? thumbnail.then(() => this.sendNow(st, message, options)) : this.sendNow(st, message, options);
  }

  private sendNow(st: ChannelState, message: RtmMessage, options?: SendMessageOptions): Promise<void> {
    const { core } = this;
    if (!this.connected) return Promise.reject(notLoggedIn('CHANNEL_MESSAGE'));
    if (st.status !== 'joined') {
      return Promise.reject(new RtmInvalidStatusError(`CHANNEL_MESSAGE: not in channel ${st.id}.`, CHANNEL_MESSAGE_ERR.NOT_IN_CHANNEL));
    }
    const encoded = encodeMessage(message);
    if (!encoded.ok) return Promise.reject(new RtmInvalidArgumentError(`CHANNEL_MESSAGE: ${encoded.why}.`, CHANNEL_MESSAGE_ERR.INVALID_MESSAGE));
    if (!core.messageRate.take()) {
      return Promise.reject(
        new RtmLimitExceededError(
          `CHANNEL_MESSAGE: more than ${core.messageRate.max} messages in ${core.messageRate.windowMs} ms.`,
          CHANNEL_MESSAGE_ERR.TOO_OFTEN,
        ),
      );
    }
    const args: SendChannelArgs = { ch: st.id, id: core.newMessageId(), m: encoded.wire };
    if (options?.enableHistoricalMessaging === true) args.hist = true;
    const { messageTimeoutMs, messageAttemptMs } = core.timers;
    return core.session
      .request<SendChannelResult>(Op.SEND_CHANNEL, args, {
        op: 'CHANNEL_MESSAGE',
        timeoutMs: messageTimeoutMs,
        attemptMs: messageAttemptMs,
        resendable: true,
        // A message to keep whose capture failed (UNAVAILABLE) goes again under its id: members drop a copy they have.
        retryUnavailable: args.hist === true,
        ready: this.afterRejoin(st),
      })
      .then(noop);
  }

  getMembers(channel: RtmChannel): Promise<string[]> {
    const { core } = this;
    const st = this.state(channel);
    core.log.track('RtmChannel.getMembers', { channelId: st.id });
    if (!this.connected) return Promise.reject(notLoggedIn('GET_MEMBERS'));
    if (st.status !== 'joined') {
      return Promise.reject(new RtmInvalidStatusError(`GET_MEMBERS: not in channel ${st.id}.`, GET_MEMBERS_ERR.NOT_IN_CHANNEL));
    }
    return core.session
      .request<GetMembersResult>(
        Op.GET_MEMBERS,
        { ch: st.id },
        {
          op: 'GET_MEMBERS',
          timeoutMs: core.timers.requestTimeoutMs,
          resendable: true,
          ready: this.afterRejoin(st),
        },
      )
      .then((members) => (Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : []));
  }

  /** client.getChannelMemberCount: no join needed. */
  memberCount(channelIds: string[]): Promise<ChannelMemberCountResult> {
    const { core } = this;
    core.log.track('getChannelMemberCount', channelIds);
    if (!Array.isArray(channelIds)) return Promise.reject(countArgumentError('channelIds must be an array'));
    if (channelIds.length > MAX_MEMBER_COUNT_IDS) {
      return Promise.reject(
        new RtmLimitExceededError(`GET_CHANNEL_MEMBER_COUNT: more than ${MAX_MEMBER_COUNT_IDS} channel ids.`, GET_CHANNEL_MEMBER_COUNT_ERR.EXCEED_LIMIT),
      );
    }
    if (channelIds.length === 0) return Promise.reject(countArgumentError('no channel id'));
    if (!channelIds.every((id) => isChannelId(id))) return Promise.reject(countArgumentError('invalid channel id'));
    if (!this.connected) return Promise.reject(notLoggedIn('GET_CHANNEL_MEMBER_COUNT'));
    const chs = [...channelIds];
    return core.session
      .request<MemberCountResult>(Op.MEMBER_COUNT, { chs }, { op: 'GET_CHANNEL_MEMBER_COUNT', timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((counts) => {
        const result: ChannelMemberCountResult = {};
        chs.forEach((ch, i) => {
          const n = Array.isArray(counts) ? counts[i] : undefined;
          result[ch] = typeof n === 'number' ? n : 0;
        });
        return result;
      });
  }

  // --- JOIN requests (join and rejoin) ---

  private sendJoin(st: ChannelState, args: JoinArgs, timeoutMs: number): void {
    const epoch = st.epoch;
    const seq = ++st.seq;
    const request = this.core.session.request<JoinResult>(Op.JOIN, args, { op: 'JOIN_CHANNEL', timeoutMs, resendable: false });
    st.inflight = request.then(noop, noop);
    request.then(
      (result) => this.joinAnswered(st, epoch, seq, result),
      (err: RtmError) => this.joinRefused(st, epoch, seq, err),
    );
  }

  private joinAnswered(st: ChannelState, epoch: number, seq: number, result: JoinResult | null | undefined): void {
    if (st.epoch !== epoch) return this.orphanJoined(st.id);
    if (st.seq !== seq) return;
    const count = typeof result?.count === 'number' ? result.count : undefined;
    const pending = st.join;
    if (pending) {
      clearTimeout(pending.timer);
      st.join = undefined;
      st.status = 'joined';
      // Messages arrive after the join: a rejoin before the first one asks for what came after it.
      if (typeof result?.ts === 'number' && result.ts > st.lastTs) {
        st.lastTs = result.ts;
        st.idsAtLastTs = [];
      }
      pending.resolve();
      // In the microtask after the join() promise resolved: a listener added right after
      // `await channel.join()` gets it too.
      if (count !== undefined) {
        st.count = count;
        queueMicrotask(() => st.epoch === epoch && this.emitCount(st, count));
      }
      return;
    }
    // A rejoin after a reconnect: the channel stayed joined throughout.
    st.rejoinBackoff = undefined;
    this.rejoined(st);
    if (result?.recovered === false) {
      this.core.log.warn(`channel ${st.id}: some messages sent while reconnecting could not be recovered`);
      this.emitRecoveryIncomplete(st, { sinceTs: st.rejoinSince });
    }
    if (count !== undefined) this.throttleCount(st, count);
  }

  private joinRefused(st: ChannelState, epoch: number, seq: number, err: RtmError): void {
    if (st.epoch !== epoch || st.seq !== seq) return;
    const clientSide = err.serverCode === undefined;
    // The socket died before the answer (the join's own deadline is a separate, earlier timer).
    const lost = clientSide && err.code === JOIN_CHANNEL_ERR.TIMEOUT;
    if (st.join) {
      if (!lost) return this.joinFailed(st, epoch, err);
      st.join.interrupted = true;
      if (this.connected) this.resendInterruptedJoin(st); // a drained gateway's socket was retired
      return;
    }
    if (clientSide && !lost) return; // the session ends (logout / ABORTED): ended() clears the channel
    if (lost && !this.connected) return; // the next re-login rejoins
    if (err.code === JOIN_CHANNEL_ERR.ALREADY_JOINED) return this.rejoined(st); // the server has us: what a rejoin wants
    this.rejoinFailed(st, err);
  }

  private joinFailed(st: ChannelState, epoch: number, err: RtmError): void {
    if (st.epoch !== epoch) return;
    const pending = st.join;
    this.deactivate(st);
    pending?.reject(err);
  }

  /** A join's JOIN died with its socket: it may or may not have reached the server, so it goes again as a rejoin. */
  private resendInterruptedJoin(st: ChannelState): void {
    if (!st.join) return;
    st.join.interrupted = false;
    this.sendJoin(st, this.rejoinArgs(st), this.core.timers.requestTimeoutMs + JOIN_REQUEST_GRACE_MS);
  }

  /** A JOIN answered after its channel gave up (join deadline): leave again so the server does not keep a member nobody knows of. */
  private orphanJoined(id: string): void {
    if (!this.connected || this.active.has(id) || this.leaving.has(id)) return;
    this.core.log.debug(`late JOIN answer for channel ${id}: leaving it`);
    this.core.session
      .request<unknown>(Op.LEAVE, { ch: id }, { op: 'LEAVE_CHANNEL', timeoutMs: this.core.timers.requestTimeoutMs, resendable: true })
      .catch(noop);
  }

  // --- reconnect ---

  private resumed(): void {
    for (const st of this.active.values()) {
      if (st.join) {
        if (st.join.interrupted) this.resendInterruptedJoin(st);
        continue;
      }
      if (st.status !== 'joined') continue;
      clearTimeout(st.rejoinTimer);
      st.rejoinTimer = undefined;
      st.rejoinBackoff = undefined;
      st.rejoinStartedAt = Date.now();
      st.rejoining = true; // before the session writes the pending requests
      this.rejoin(st);
    }
  }

  /** RequestOptions.ready of a channel's SEND_CHANNEL / GET_MEMBERS: not before the rejoin was answered. */
  private afterRejoin(st: ChannelState): () => boolean {
    const epoch = st.epoch;
    return () => st.epoch !== epoch || !st.rejoining;
  }

  /** The rejoin was answered: the channel's held requests go out. */
  private rejoined(st: ChannelState): void {
    st.rejoining = false;
    this.core.session.flush();
  }

  private rejoin(st: ChannelState): void {
    this.core.log.debug(`rejoining channel ${st.id} (since ${st.lastTs})`);
    this.sendJoin(st, this.rejoinArgs(st), this.core.timers.requestTimeoutMs);
  }

  private rejoinArgs(st: ChannelState): JoinArgs {
    st.rejoinSince = st.lastTs;
    return { ch: st.id, since: st.lastTs, seen: [...st.idsAtLastTs] };
  }

  private rejoinFailed(st: ChannelState, err: RtmError): void {
    const { core } = this;
    if (RETRYABLE_REJOIN.has(err.code ?? -1) && Date.now() - st.rejoinStartedAt < REJOIN_GIVE_UP_MS) {
      st.rejoinBackoff ??= new Backoff(core.timers.backoffInitialMs, core.timers.backoffMaxMs);
      const delay = st.rejoinBackoff.next();
      core.log.warn(`rejoining channel ${st.id} failed (${err.message}); trying again in ${Math.round(delay)} ms`);
      const epoch = st.epoch;
      st.rejoinTimer = setTimeout(() => {
        st.rejoinTimer = undefined;
        // Not connected: the next re-login rejoins (with a fresh series).
        if (st.epoch === epoch && st.status === 'joined' && this.connected) this.rejoin(st);
      }, delay);
      return;
    }
    core.log.error(`could not rejoin channel ${st.id} after a reconnect; it is not joined any more: ${err.message}`);
    this.deactivate(st);
  }

  // --- events ---

  private messageReceived(data: unknown): void {
    const { core } = this;
    const evt = data as Partial<ChannelMessageEvent> | null;
    if (!evt || typeof evt !== 'object' || typeof evt.ch !== 'string' || typeof evt.from !== 'string' || typeof evt.id !== 'string') {
      core.log.warn('ignored a malformed channel message event');
      return;
    }
    const st = this.active.get(evt.ch);
    if (!st) {
      core.log.debug(`ignored a message of channel ${evt.ch}: not joined`);
      return;
    }
    if (!st.seen.add(`${evt.from}\u0000${evt.id}`)) {
      core.log.debug(`dropped a duplicate of channel message ${evt.id} from ${evt.from} in ${evt.ch}`);
      return;
    }
    const ts = typeof evt.ts === 'number' ? evt.ts : 0;
    noteTimestamp(st, ts, evt.id);
    if (evt.from === core.session.uid) return; // never our own (a replay might include it)
    const decoded = decodeMessage(evt.m);
    if (!decoded.ok) {
      core.log.warn(`ignored channel message ${evt.id} from ${evt.from} in ${evt.ch}: ${decoded.why}`);
      return;
    }
    const props: ReceivedMessageProperties = { serverReceivedTs: ts };
    if (evt.rec) {
      props.isRecovered = true;
      props.recoveryComplete = !evt.lost;
    }
    st.channel.emit('ChannelMessage', decoded.message, evt.from, props);
  }

  /** The gateway could not recover every message of a channel published while it was cut off from NATS. */
  private gapReceived(data: unknown): void {
    const evt = data as Partial<ChannelGapEvent> | null;
    if (!evt || typeof evt.ch !== 'string' || typeof evt.since !== 'number') {
      this.core.log.warn('ignored a malformed channel gap event');
      return;
    }
    const st = this.active.get(evt.ch);
    if (!st) return;
    this.core.log.warn(`channel ${st.id}: messages sent after ${evt.since} may be missing (the server could not recover them)`);
    this.emitRecoveryIncomplete(st, { sinceTs: evt.since });
  }

  /** RecoveryIncomplete; a throwing listener is logged (this also runs outside server events). */
  private emitRecoveryIncomplete(st: ChannelState, info: RecoveryIncompleteInfo): void {
    try {
      st.channel.emit('RecoveryIncomplete', info);
    } catch (err) {
      this.core.log.error('a RecoveryIncomplete listener threw', err);
    }
  }

  private memberEvent(data: unknown, name: 'MemberJoined' | 'MemberLeft'): void {
    const evt = data as Partial<MemberEvent> | null;
    if (!evt || typeof evt.ch !== 'string' || typeof evt.uid !== 'string') {
      this.core.log.warn(`ignored a malformed ${name} event`);
      return;
    }
    const st = this.active.get(evt.ch);
    if (!st || evt.uid === this.core.session.uid) return;
    st.channel.emit(name, evt.uid);
  }

  private countReceived(data: unknown): void {
    const evt = data as Partial<MemberCountEvent> | null;
    if (!evt || typeof evt.ch !== 'string' || typeof evt.count !== 'number') {
      this.core.log.warn('ignored a malformed member count event');
      return;
    }
    const st = this.active.get(evt.ch);
    if (st) this.throttleCount(st, evt.count);
  }

  /**
   * At most one MemberCountUpdated per interval, the join-time one included: a count that comes
   * sooner is held, and the latest held one is emitted when the interval ends (if it still differs).
   */
  private throttleCount(st: ChannelState, count: number): void {
    const { memberCountIntervalMs, memberCountIntervalLargeMs } = this.core.timers;
    const interval = count > MEMBER_EVENTS_MAX ? memberCountIntervalLargeMs : memberCountIntervalMs;
    const wait = st.countAt + interval - Date.now();
    if (wait <= 0 && st.countTimer === undefined) {
      if (count !== st.count) this.emitCount(st, count); // an unchanged count says nothing new
      return;
    }
    st.heldCount = count;
    if (st.countTimer !== undefined) return;
    const epoch = st.epoch;
    st.countTimer = setTimeout(
      () => {
        st.countTimer = undefined;
        const held = st.heldCount;
        st.heldCount = undefined;
        if (st.epoch === epoch && held !== undefined && held !== st.count && this.active.get(st.id) === st) this.emitCount(st, held);
      },
      Math.max(0, wait),
    );
  }

  /** MemberCountUpdated; a throwing listener is logged (this also runs outside server events). */
  private emitCount(st: ChannelState, count: number): void {
    st.count = count;
    st.countAt = Date.now();
    try {
      st.channel.emit('MemberCountUpdated', count);
    } catch (err) {
      this.core.log.error('a MemberCountUpdated listener threw', err);
    }
  }

  // --- registry ---

  /** The session ended (logout, ABORTED, failed re-login): nothing is joined any more. */
  private ended(): void {
    for (const st of [...this.active.values()]) {
      const pending = st.join;
      this.deactivate(st);
      pending?.reject(notLoggedIn('JOIN_CHANNEL'));
    }
    this.leaving.clear();
  }

  private deactivate(st: ChannelState): void {
    const held = st.rejoining;
    if (st.join) clearTimeout(st.join.timer);
    st.join = undefined;
    st.epoch++;
    st.status = 'idle';
    st.reset();
    if (this.active.get(st.id) === st) {
      this.active.delete(st.id);
      for (const hook of this.leftHooks) hook(st.id);
    }
    if (held) this.core.session.flush(); // held messages go out (and get NOT_IN_CHANNEL)
  }

  private state(channel: RtmChannel): ChannelState {
    let st = this.states.get(channel);
    if (!st) {
      st = new ChannelState(channel, channel.channelId);
      this.states.set(channel, st);
    }
    return st;
  }

  private get connected(): boolean {
    return this.core.session.state === ConnectionState.CONNECTED;
  }
}

function noteTimestamp(st: ChannelState, ts: number, id: string): void {
  if (ts > st.lastTs) {
    st.lastTs = ts;
    st.idsAtLastTs = [id];
  } else if (ts === st.lastTs && ts > 0 && !st.idsAtLastTs.includes(id)) {
    st.idsAtLastTs.push(id);
    if (st.idsAtLastTs.length > MAX_SEEN_AT_LAST_TS) st.idsAtLastTs.shift();
  }
}

function countArgumentError(why: string): RtmInvalidArgumentError {
  return new RtmInvalidArgumentError(`GET_CHANNEL_MEMBER_COUNT: ${why}.`, GET_CHANNEL_MEMBER_COUNT_ERR.INVALID_ARGUMENT);
}
