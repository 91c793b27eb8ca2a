import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CloseCode,
  DropReason,
  ErrorCode,
  ID_LIMITS,
  Evt,
  ParleyError,
  type LoginArgs,
  type LoginResult,
  type RenewTokenArgs,
  type RenewTokenResult,
  type SessionId,
} from '@parley/contracts';
import { SessionState, type BannedMessage, type KickMessage, type RegisterSessionReply } from '@parley/contracts/internal';
import { atTurnEnd } from '@parley/platform';
import { AuthService } from '../auth/auth.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { countLogin } from '../metrics/gateway.metrics';
import { PresenceClient } from '../clients/presence.client';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { UserSubscriptions } from './user-subscriptions';
import { enforceRate } from '../transport/rate';

const MAX_INSTANCE_ID = ID_LIMITS.INSTANCE_ID_MAX;

/** Why a session ended on this gateway. */
export type SessionEnd = 'logout' | 'remote-login' | 'replaced' | 'expired' | 'shutdown' | 'login-failed' | 'banned';

/** What a login found, for the features that push something after it. */
export interface LoginFacts {
  /** What the registration replaced (presence's view when it registered). */
  replaced: RegisterSessionReply['replaced'];
  /** The client says it logs in again after a lost connection (LoginArgs.reconnect). */
  reconnect: boolean;
  /** Presence saw offline messages stored for the uid (true when it did not say). */
  offlineStored: boolean;
}

/** Login, logout, token renewal, remote-login kicks and the reconnect window of this gateway's sessions. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  readonly sessions = new Set<Session>();
  private readonly loginListeners: Array<(session: Session, facts: LoginFacts) => void> = [];
  private readonly endListeners: Array<(session: Session, why: SessionEnd) => void> = [];

  constructor(
    private readonly auth: AuthService,
    private readonly presence: PresenceClient,
    private readonly users: UserSubscriptions,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** UserMsgKind.KICK: a newer login of the uid registered; sessions with a lower epoch end. */
  kicked(sessions: ReadonlySet<Session>, body: unknown): void {
    for (const session of [...sessions]) this.onKick(session, body as KickMessage);
  }

  /**
   * UserMsgKind.BANNED: the server API kicked the uid. Its sessions registered before the kick end
   * with DROP BANNED_BY_SERVER (the SDK goes ABORTED and does not reconnect); a login still
   * registering is settled when its epoch arrives.
   */
  banned(sessions: ReadonlySet<Session>, body: unknown): void {
    const epoch = (body as Partial<BannedMessage> | null)?.epoch;
    if (typeof epoch !== 'number') return;
    for (const session of [...sessions]) {
      if (session.ended) continue;
      if (session.epoch === null) session.bannedBy = Math.max(session.bannedBy, epoch);
      else if (session.epoch < epoch) this.endBanned(session);
    }
  }

  login(conn: Connection, args: LoginArgs): Promise<LoginResult> {
    return this.startSession(conn, args).then(
      (result) => {
        countLogin();
        return result;
      },
      (err: unknown) => {
        countLogin(err);
        throw err;
      },
    );
  }

  private async startSession(conn: Connection, args: LoginArgs): Promise<LoginResult> {
    if (conn.session) throw new ParleyError(ErrorCode.ALREADY_LOGIN, 'already logged in on this connection');
    const { limit, windowMs } = this.config.LOGIN_RATE;
    const retryAfterMs = conn.takeLogin(limit, windowMs);
    if (retryAfterMs) throw new ParleyError(ErrorCode.TOO_OFTEN, `at most ${limit} logins per ${windowMs} ms`, retryAfterMs);
    if (typeof args?.instanceId !== 'string' || !args.instanceId || args.instanceId.length > MAX_INSTANCE_ID) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'instanceId: 1–64 chars');
    }
    const creds = await this.auth.authenticate(args.appId, args.uid, args.token);
    if (conn.closed) throw new ParleyError(ErrorCode.REJECTED, 'connection closed during login');
    const session = new Session(randomUUID() as SessionId, creds.appId, creds.uid, args.instanceId, creds.tokenExpiresAt, conn);
    // Subscribe before registering: the KICK that registration publishes (ours or a racing login's)
    // must find this subscription in place.
    this.users.add(session);
    this.sessions.add(session);
    conn.session = session;
    let reply: RegisterSessionReply;
    try {
      reply = await this.presence.register({
        appId: session.appId,
        uid: session.uid,
        sessionId: session.id,
        instanceId: session.instanceId,
      });
      session.epoch = reply.epoch;
    } catch (err) {
      this.forget(session, 'login-failed');
      if (conn.session === session) conn.session = null;
      // Presence refuses a login only for a ban (a kick's). A client that was reconnecting when it
      // was kicked ends as a connected one would have: ABORTED / BANNED_BY_SERVER, no more retries.
      if (args.reconnect === true && err instanceof ParleyError && err.code === ErrorCode.REJECTED) {
        conn.event(Evt.DROP, { reason: DropReason.BANNED_BY_SERVER });
        conn.close(CloseCode.DROPPED, DropReason.BANNED_BY_SERVER);
      }
      throw err;
    }
    if (session.bannedBy > session.epoch) {
      // The uid was kicked while this login registered (before the kick's statement).
      this.endBanned(session);
      throw new ParleyError(ErrorCode.REJECTED, 'this user was kicked by the server');
    }
    if (reply.superseded || session.kickedBy > session.epoch) {
      // A newer login of this uid registered while ours was in flight: ours already lost.
      this.end(session, DropReason.REMOTE_LOGIN, 'remote-login');
      throw new ParleyError(ErrorCode.REJECTED, 'a newer login of this user replaced this one');
    }
    this.logger.debug({ msg: 'login', uid: session.uid, appId: session.appId, sessionId: session.id });
    const facts: LoginFacts = { replaced: reply.replaced, reconnect: args.reconnect === true, offlineStored: reply.offline !== false };
    // After the LOGIN response has been queued (offline messages follow it on the socket).
    atTurnEnd(() => {
      for (const listener of this.loginListeners) if (!session.ended) listener(session, facts);
    });
    return { sessionId: session.id, serverTs: Date.now(), tokenExpiresAt: session.tokenExpiresAt };
  }

  /** Runs after every successful login (features that push something at login, e.g. offline messages). */
  onLogin(listener: (session: Session, facts: LoginFacts) => void): void {
    this.loginListeners.push(listener);
  }

  /** Runs when a session ends here (features drop what they hold for it). */
  onEnded(listener: (session: Session, why: SessionEnd) => void): void {
    this.endListeners.push(listener);
  }

  async logout(conn: Connection): Promise<null> {
    const session = this.requireSession(conn);
    this.forget(session, 'logout');
    conn.session = null;
    await this.presence.unregister({ appId: session.appId, uid: session.uid, sessionId: session.id });
    return null;
  }

  async renewToken(conn: Connection, args: RenewTokenArgs): Promise<RenewTokenResult> {
    const session = this.requireSession(conn);
    enforceRate(session, 'renew', this.config.RENEW_TOKEN_RATE, ErrorCode.TOO_OFTEN, 'renewals');
    if (typeof args?.token !== 'string' || !args.token) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'token: non-empty string');
    const creds = await this.auth.authenticate(session.appId, session.uid, args.token);
    session.tokenExpiresAt = creds.tokenExpiresAt;
    session.warnedTokenExpiry = false;
    session.notifiedTokenExpired = false;
    return { tokenExpiresAt: session.tokenExpiresAt };
  }

  requireSession(conn: Connection): Session {
    const session = conn.session;
    if (!session || session.ended) throw new ParleyError(ErrorCode.NOT_LOGGED_IN, 'log in first');
    return session;
  }

  /** The socket is gone without a logout: keep the session UNREACHABLE for the reconnect window. */
  onConnectionClosed(conn: Connection): void {
    const session = conn.session;
    conn.session = null;
    if (!session || session.ended || session.conn !== conn) return;
    session.conn = null;
    session.detachedAt = Date.now();
    if (session.epoch !== null) this.reportState(session, SessionState.UNREACHABLE);
  }

  /** Called every second: token expiry warnings and the end of reconnect windows. */
  tick(now = Date.now()): void {
    const warnAt = this.config.TOKEN_WARNING_MS;
    for (const session of this.sessions) {
      if (session.detachedAt && now - session.detachedAt > this.config.RECONNECT_WINDOW_MS) {
        this.forget(session, 'expired');
        void this.presence
          .unregister({ appId: session.appId, uid: session.uid, sessionId: session.id })
          .catch((err: Error) => this.logger.warn(`unregister after reconnect window: ${err.message}`));
        continue;
      }
      const exp = session.tokenExpiresAt;
      if (!exp || !session.conn) continue;
      if (!session.warnedTokenExpiry && now >= exp - warnAt && now < exp) {
        session.warnedTokenExpiry = true;
        session.conn.event(Evt.TOKEN_WILL_EXPIRE, { expiresAt: exp });
      }
      if (!session.notifiedTokenExpired && now >= exp) {
        // An expired token does not end the session (agora-rtm 1.x); the next login will fail.
        session.notifiedTokenExpired = true;
        session.conn.event(Evt.TOKEN_EXPIRED, { expiresAt: exp });
      }
    }
  }

  /** Ends every session (gateway shutdown); presence sees them UNREACHABLE until they resume elsewhere. */
  endAll(): void {
    for (const session of [...this.sessions]) {
      if (session.epoch !== null && session.conn) this.reportState(session, SessionState.UNREACHABLE);
      this.forget(session, 'shutdown');
    }
    this.presence.flushStates();
  }

  private onKick(session: Session, kick: KickMessage): void {
    if (session.ended || kick.sessionId === session.id) return;
    if (session.epoch === null) {
      session.kickedBy = Math.max(session.kickedBy, kick.epoch);
      return;
    }
    if (kick.epoch <= session.epoch) return;
    // The same SDK instance logged in again (a resume): this connection is stale, end it quietly.
    if (kick.instanceId === session.instanceId) this.end(session, DropReason.REPLACED, 'replaced');
    else this.end(session, DropReason.REMOTE_LOGIN, 'remote-login');
  }

  /**
   * Ends a kicked session. Presence removed the uid's row with the kick; a login that registered
   * just before the kick's statement but committed after it may have left its own, so this
   * session's row is removed too (only if it is still this session's).
   */
  private endBanned(session: Session): void {
    this.end(session, DropReason.BANNED_BY_SERVER, 'banned');
    void this.presence
      .unregister({ appId: session.appId, uid: session.uid, sessionId: session.id })
      .catch((err: Error) => this.logger.warn(`unregister after a kick: ${err.message}`));
  }

  private end(session: Session, reason: DropReason, why: SessionEnd): void {
    const conn = session.conn;
    this.forget(session, why);
    if (conn) {
      conn.session = null;
      conn.event(Evt.DROP, { reason });
      conn.close(CloseCode.DROPPED, reason);
    }
  }

  private forget(session: Session, why: SessionEnd): void {
    if (session.ended) return;
    session.ended = true;
    this.sessions.delete(session);
    this.users.remove(session);
    for (const listener of this.endListeners) listener(session, why);
  }

  private reportState(session: Session, state: SessionState): void {
    void this.presence
      .setState({ appId: session.appId, uid: session.uid, sessionId: session.id, state })
      .catch((err: Error) => this.logger.warn(`presence state update failed: ${err.message}`));
  }
}
