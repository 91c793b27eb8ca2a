import { CloseCode, DropReason, ErrorCode, Evt, Frame, Op, type DropEvent, type LoginArgs, type LoginResult } from '@parley/contracts';
import { ConnectionChangeReason as Reason, ConnectionState as State } from '../enums';
import { RtmTimeoutError, RtmUnavailableError, abortedByLogout, notLoggedIn, rtmError, LOGIN_ERR, type Operation, type RtmError } from '../errors';
import type { Logger } from '../logger';
import { SDK_ID } from '../version';
import { Backoff } from './backoff';
import { DroppedDuringLogin, LoginRejected, attemptLogin } from './login-attempt';
import { NetworkWatch } from './network-watch';
import { RequestQueue, type RequestOptions } from './request-queue';
import { sleep, type ConnectionTimers } from './timers';
import { getWebSocketImplementation } from './transport';
import { UrlRotation } from './url-rotation';
import type { WireFrame, WireSocket } from './wire-socket';

/** What the session needs from its RtmClient. */
export interface SessionHost {
  readonly appId: string;
  readonly instanceId: string;
  readonly log: Logger;
  readonly timers: ConnectionTimers;
  stateChanged(state: State, reason: Reason): void;
  /** Evt.TOKEN_EXPIRED, DROP TOKEN_EXPIRED, or a re-login refused with TOKEN_EXPIRED. */
  tokenExpired(): void;
  tokenWillExpire(): void;
  banned(): void;
  /** Feature events (messages, members, …); runs the app's listeners. The ack follows it. */
  event(evt: number, data: unknown): void;
  /** After a successful re-login (RECONNECTING → CONNECTED, or a gateway drain): rejoin, re-push, resubscribe. */
  resumed(): void;
  /** The session ended (DISCONNECTED or ABORTED): drop per-session state. */
  ended(): void;
}

/** Re-login answers that end the session instead of retrying (TOKEN_EXPIRED waits for renewToken). */
const FATAL_RELOGIN = new Set<number>([
  ErrorCode.INVALID_TOKEN,
  ErrorCode.INVALID_APP_ID,
  ErrorCode.REJECTED,
  ErrorCode.INVALID_USER_ID,
  ErrorCode.INVALID_ARGUMENT,
]);

/** Drops that end the session; REPLACED and INTERRUPTED only end one socket. */
const TERMINAL_DROPS = new Set<string>([DropReason.REMOTE_LOGIN, DropReason.TOKEN_EXPIRED, DropReason.BANNED_BY_SERVER]);

/**
 * The connection state machine of spec §9: login with URL failover and the overall deadline,
 * heartbeat-driven link loss, endless jittered reconnects with resume (same instanceId), server
 * drops, gateway drain, logout. Requests go through its RequestQueue.
 */
export class Session {
  state: State = State.DISCONNECTED;
  uid?: string;
  /** Token for the next (re)login; renewToken updates it. */
  token?: string;
  loginResult?: LoginResult;
  readonly queue: RequestQueue;
  private socket?: WireSocket;
  private urls?: UrlRotation;
  /** Bumped by every login/reconnect/end: async work of an older generation stops. */
  private gen = 0;
  private attemptAbort?: AbortController;
  private rejectLogin?: (err: RtmError) => void;
  private logoutPromise?: Promise<void>;
  private tokenExpiredSignaled = false;
  private draining = false;
  /** Ends the current backoff wait early (the browser is online again). */
  private wake?: () => void;
  private readonly network = new NetworkWatch({ offline: () => this.wentOffline(), online: () => this.wake?.() });

  constructor(private readonly host: SessionHost) {
    this.queue = new RequestQueue(host.log, () => (this.connected ? this.socket : undefined));
  }

  get connected(): boolean {
    return this.state === State.CONNECTED;
  }

  /** Runs the login of spec §9 (arguments and re-entry already checked by the client). */
  login(uid: string, token: string | undefined, urls: string[]): Promise<void> {
    const gen = ++this.gen;
    const t = this.host.timers;
    this.uid = uid;
    this.token = token;
    this.tokenExpiredSignaled = false;
    this.urls = new UrlRotation(urls);
    const abort = this.newAttemptAbort();
    this.network.start();
    this.setState(State.CONNECTING, Reason.LOGIN);
    const deadline = Date.now() + t.loginTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const fail = (err: RtmError, reason: Reason): void => {
        clearTimeout(overall);
        this.rejectLogin = undefined;
        this.end(State.DISCONNECTED, reason, notLoggedIn);
        reject(err);
      };
      this.rejectLogin = (err) => {
        clearTimeout(overall);
        this.rejectLogin = undefined;
        reject(err);
      };
      const overall = setTimeout(() => {
        if (gen !== this.gen) return;
        fail(new RtmTimeoutError('LOGIN: login timed out.', LOGIN_ERR.TIMEOUT), Reason.LOGIN_TIMEOUT);
      }, t.loginTimeoutMs);
      void (async () => {
        const backoff = new Backoff(t.backoffInitialMs, t.backoffMaxMs);
        while (gen === this.gen) {
          const remaining = Math.max(1, deadline - Date.now());
          try {
            const ok = await this.attempt(false, Math.min(t.socketOpenTimeoutMs, remaining), Math.min(t.loginAttemptTimeoutMs, remaining), abort.signal);
            if (gen !== this.gen) return ok.socket.close();
            clearTimeout(overall);
            this.rejectLogin = undefined;
            this.install(ok.socket, ok.result);
            return resolve();
          } catch (err) {
            if (gen !== this.gen) return;
            if (err instanceof LoginRejected) return fail(rtmError('LOGIN', err.code, err.message), Reason.LOGIN_FAILURE);
            if (err instanceof DroppedDuringLogin && TERMINAL_DROPS.has(err.reason)) {
              return fail(rtmError('LOGIN', ErrorCode.REJECTED, err.message), Reason.LOGIN_FAILURE);
            }
            if (err instanceof NoWebSocketError) return fail(new RtmUnavailableError(err.message, LOGIN_ERR.UNKNOWN), Reason.LOGIN_FAILURE);
            this.host.log.warn(`login attempt failed: ${(err as Error).message}`);
            this.urls?.advance();
            await this.backoffWait(Math.min(backoff.next(), deadline - Date.now()), abort.signal);
          }
        }
      })();
    });
  }

  /** logout(): ends whatever the session is doing; rejects pending work with ABORTED_BY_LOGOUT / 102. */
  logout(): Promise<void> {
    if (this.logoutPromise) return this.logoutPromise;
    if (this.state === State.DISCONNECTED || this.state === State.ABORTED) return Promise.reject(notLoggedIn('LOGOUT'));
    const socket = this.state === State.CONNECTED ? this.socket : undefined;
    this.gen++;
    this.network.stop();
    this.attemptAbort?.abort();
    this.rejectLogin?.(abortedByLogout('LOGIN'));
    this.rejectLogin = undefined;
    this.queue.rejectAll(abortedByLogout);
    this.socket = undefined;
    this.logoutPromise = (async () => {
      if (socket) await this.sayGoodbye(socket);
      this.queue.rejectAll(abortedByLogout); // calls made while saying goodbye
      this.clear();
      this.setState(State.DISCONNECTED, Reason.LOGOUT);
      this.host.ended();
    })().finally(() => (this.logoutPromise = undefined));
    return this.logoutPromise;
  }

  /** Sends a request; it is written now when CONNECTED, else after the next (re)login. */
  request<T>(wireOp: Op, args: unknown, opts: RequestOptions): Promise<T> {
    const promise = this.queue.add<T>(wireOp, args, opts);
    this.flush();
    return promise;
  }

  /** Writes the pending requests that wait for a socket (or for their `ready()`), when CONNECTED. */
  flush(): void {
    if (this.connected && this.socket) this.queue.flush(this.socket);
  }

  /** A token for the next re-login (renewToken while RECONNECTING): TokenExpired may fire again. */
  setToken(token: string): void {
    this.token = token;
    this.tokenExpiredSignaled = false;
  }

  private async attempt(reconnect: boolean, openTimeoutMs: number, answerTimeoutMs: number, signal: AbortSignal) {
    const Ctor = getWebSocketImplementation();
    if (!Ctor) throw new NoWebSocketError('no WebSocket implementation: use AgoraRTM.setWebSocketImplementation()');
    const args: LoginArgs = { appId: this.host.appId, uid: this.uid as string, instanceId: this.host.instanceId, reconnect, sdk: SDK_ID };
    if (this.token) args.token = this.token;
    const url = (this.urls as UrlRotation).current;
    this.host.log.info(`${reconnect ? 're-login' : 'login'} as ${args.uid} via ${url}`);
    return attemptLogin({ Ctor, url, args, requestId: this.queue.allocateId(), openTimeoutMs, answerTimeoutMs, signal, log: this.host.log });
  }

  /**
   * Makes a logged-in socket current: CONNECTED first, so frames replayed by attach() see it. On a
   * resume the hooks run before the pending requests are written, so they can hold some back
   * (channel messages wait for their channel's rejoin) and theirs go out with the others.
   */
  private install(socket: WireSocket, result: LoginResult, resume = false): void {
    this.socket = socket;
    this.loginResult = result;
    this.setState(State.CONNECTED, Reason.LOGIN_SUCCESS);
    socket.attach(
      (frame) => this.onFrame(socket, frame),
      (why) => this.onSocketLost(socket, why),
    );
    if (resume && this.connected && this.socket === socket) this.host.resumed();
    if (this.connected && this.socket === socket) this.queue.flush(socket);
  }

  private onSocketLost(socket: WireSocket, why: string): void {
    this.host.log.warn(`connection lost: ${why}`);
    this.queue.socketGone(socket);
    if (socket !== this.socket) {
      if (this.connected && this.socket) this.queue.flush(this.socket);
      return;
    }
    this.socket = undefined;
    // During a drain the old gateway closes this socket as soon as the new login replaced the
    // session there — possibly before that login's answer reached us: drain() installs the new one.
    if (this.connected && !this.draining) this.startReconnect(false);
  }

  private startReconnect(preferOtherUrl: boolean): void {
    const old = this.socket;
    this.socket = undefined;
    if (old) {
      old.close();
      this.queue.socketGone(old);
    }
    const gen = ++this.gen;
    this.setState(State.RECONNECTING, Reason.INTERRUPTED);
    void this.reconnectLoop(gen, preferOtherUrl);
  }

  private async reconnectLoop(gen: number, preferOtherUrl: boolean): Promise<void> {
    const t = this.host.timers;
    const abort = this.newAttemptAbort();
    const backoff = new Backoff(t.backoffInitialMs, t.backoffMaxMs);
    let delay = preferOtherUrl ? 0 : backoff.next();
    let serverAskedToWait = false;
    if (preferOtherUrl) this.urls?.advance();
    while (gen === this.gen) {
      await (serverAskedToWait ? sleep(delay, abort.signal) : this.backoffWait(delay, abort.signal));
      if (gen !== this.gen) return;
      delay = backoff.next();
      serverAskedToWait = false;
      try {
        const ok = await this.attempt(true, t.socketOpenTimeoutMs, t.loginAttemptTimeoutMs, abort.signal);
        if (gen !== this.gen) return ok.socket.close();
        this.install(ok.socket, ok.result, true);
        return;
      } catch (err) {
        if (gen !== this.gen) return;
        if (err instanceof DroppedDuringLogin && TERMINAL_DROPS.has(err.reason)) return this.handleDrop(undefined, err.reason);
        if (err instanceof LoginRejected) {
          if (err.code === ErrorCode.TOKEN_EXPIRED) {
            this.host.log.warn('re-login refused: token expired; waiting for renewToken()');
            if (!this.tokenExpiredSignaled) {
              this.tokenExpiredSignaled = true;
              this.host.tokenExpired();
            }
            continue; // same URL: the gateway is fine, the token is not
          }
          if (FATAL_RELOGIN.has(err.code)) {
            this.host.log.error(`re-login refused (${err.code}): ${err.message}`);
            return this.end(State.DISCONNECTED, Reason.LOGIN_FAILURE, notLoggedIn);
          }
          if (err.retryAfterMs && err.retryAfterMs > delay) {
            delay = err.retryAfterMs;
            serverAskedToWait = true;
          }
        }
        this.host.log.warn(`reconnect attempt failed: ${(err as Error).message}`);
        this.urls?.advance();
      }
    }
  }

  /** Evt.RECONNECT: the gateway drains. Log in again elsewhere, then swap sockets; stay CONNECTED. */
  private async drain(): Promise<void> {
    if (this.draining || !this.connected) return;
    this.draining = true;
    const gen = this.gen;
    const old = this.socket;
    const t = this.host.timers;
    this.urls?.advance();
    try {
      const ok = await this.attempt(true, t.socketOpenTimeoutMs, t.loginAttemptTimeoutMs, this.newAttemptAbort().signal);
      if (gen !== this.gen || !this.connected) return ok.socket.close();
      // A new gateway holds nothing of this session yet: the resume hooks rejoin channels, ….
      this.install(ok.socket, ok.result, true);
      // The old socket may still deliver answers in flight; the gateway closes it (DROP REPLACED).
      if (old) setTimeout(() => this.retire(old), t.drainGraceMs);
    } catch (err) {
      if (gen !== this.gen) return;
      this.host.log.warn(`drain reconnect failed: ${(err as Error).message}`);
      if (err instanceof DroppedDuringLogin && TERMINAL_DROPS.has(err.reason)) return this.handleDrop(undefined, err.reason);
      if (this.connected && (this.socket === old || this.socket === undefined)) this.startReconnect(true);
    } finally {
      this.draining = false;
    }
  }

  /** The browser's `offline` event: the socket is lost now, whether or not it was closed (same path as a close). */
  private wentOffline(): void {
    const socket = this.socket;
    if (!this.connected || !socket) return;
    socket.close(CloseCode.NORMAL, 'offline');
    this.onSocketLost(socket, 'the browser went offline');
  }

  /** A backoff sleep that the browser's `online` event cuts short (a server's retryAfterMs is not). */
  private backoffWait(ms: number, signal: AbortSignal): Promise<void> {
    const woken = new AbortController();
    const relay = (): void => woken.abort();
    signal.addEventListener('abort', relay);
    this.wake = relay;
    return sleep(ms, signal.aborted ? signal : woken.signal).finally(() => {
      signal.removeEventListener('abort', relay);
      if (this.wake === relay) this.wake = undefined;
    });
  }

  private retire(socket: WireSocket): void {
    if (socket === this.socket || socket.isClosed) return;
    socket.close();
    this.queue.socketGone(socket);
    if (this.connected && this.socket) this.queue.flush(this.socket);
  }

  private onFrame(socket: WireSocket, frame: WireFrame): void {
    if (frame[0] === Frame.RES) this.queue.handleResponse(frame[1], frame[2], frame[3]);
    else if (frame[0] === Frame.EVT) this.onEvent(socket, frame[1], frame[2], frame[3]);
    else this.host.log.debug(`ignored frame type ${String(frame[0])}`);
  }

  private onEvent(socket: WireSocket, evt: unknown, data: unknown, ackId: unknown): void {
    const ack = (): void => {
      if (ackId !== undefined && ackId !== null) socket.send([Frame.ACK, ackId]);
    };
    if (evt === Evt.DROP) {
      ack();
      return this.handleDrop(socket, String((data as DropEvent | undefined)?.reason));
    }
    try {
      if (evt === Evt.TOKEN_WILL_EXPIRE) this.host.tokenWillExpire();
      else if (evt === Evt.TOKEN_EXPIRED) this.host.tokenExpired();
      else if (evt === Evt.RECONNECT) void this.drain();
      else this.host.event(evt as number, data);
    } catch (err) {
      this.host.log.error(`an event listener threw (event ${String(evt)})`, err);
    }
    ack();
  }

  /** Evt.DROP, or a drop while logging in again (socket undefined). */
  private handleDrop(socket: WireSocket | undefined, reason: string): void {
    this.host.log.warn(`server dropped the session: ${reason}`);
    switch (reason) {
      case DropReason.REPLACED:
        return; // that socket is stale; its close is handled like any other
      case DropReason.INTERRUPTED:
        if (socket && socket !== this.socket) return this.retire(socket);
        if (this.connected) return this.startReconnect(false);
        return;
      case DropReason.REMOTE_LOGIN:
        return this.end(State.ABORTED, Reason.REMOTE_LOGIN, notLoggedIn);
      case DropReason.TOKEN_EXPIRED:
        this.end(State.ABORTED, Reason.TOKEN_EXPIRED, notLoggedIn);
        return this.host.tokenExpired();
      case DropReason.BANNED_BY_SERVER:
        this.end(State.ABORTED, Reason.BANNED_BY_SERVER, notLoggedIn);
        return this.host.banned();
      default:
        return this.end(State.ABORTED, Reason.INTERRUPTED, notLoggedIn);
    }
  }

  /** LOGOUT with a bounded wait for its answer, then close. */
  private sayGoodbye(socket: WireSocket): Promise<void> {
    if (socket.isClosed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const id = this.queue.allocateId();
      const done = (): void => {
        clearTimeout(timer);
        socket.close();
        resolve();
      };
      const timer = setTimeout(done, this.host.timers.logoutTimeoutMs);
      socket.attach((frame) => frame[0] === Frame.RES && frame[1] === id && done(), done);
      socket.send([Frame.REQ, id, Op.LOGOUT, {}]);
    });
  }

  /** Ends the session (ABORTED, or DISCONNECTED after a failure); pending work rejects. */
  private end(state: State, reason: Reason, errorFor: (op: Operation) => RtmError): void {
    this.gen++;
    this.network.stop();
    this.attemptAbort?.abort();
    this.rejectLogin = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.queue.rejectAll(errorFor);
    this.clear();
    this.setState(state, reason);
    this.host.ended();
  }

  private clear(): void {
    this.token = undefined;
    this.loginResult = undefined;
    this.urls = undefined;
    this.tokenExpiredSignaled = false;
  }

  private newAttemptAbort(): AbortController {
    this.attemptAbort?.abort();
    this.attemptAbort = new AbortController();
    return this.attemptAbort;
  }

  private setState(state: State, reason: Reason): void {
    if (state === this.state) return;
    this.state = state;
    this.host.log.info(`connection state ${state} (${reason})`);
    this.host.stateChanged(state, reason);
  }
}

class NoWebSocketError extends Error {}
