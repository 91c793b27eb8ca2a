import { Op, isUid, type QueryOnlineResult } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import {
  LOGIN_ERR,
  QUERY_PEERS_ONLINE_STATUS_ERR,
  RENEW_TOKEN_ERR,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  notLoggedIn,
} from '../errors';
import { resolveServerUrls } from '../parameters';
import { RateWindow } from '../rate-window';
import type { PeersOnlineStatusResult } from '../types';
import { isUidList } from '../validate';

/** login / logout / renewToken / queryPeersOnlineStatus with agora-rtm-sdk 1.6.0's client-side checks. */
export class SessionApi {
  private lastLoginAt = -Infinity;
  private readonly renewRate = new RateWindow(2, 1000);

  constructor(private readonly core: ClientCore) {}

  login(options: { uid: string; token?: string }): Promise<void> {
    const { core } = this;
    const uid: unknown = options?.uid;
    const token: unknown = options?.token;
    core.log.track('login', { uid, token });
    if (!isUid(uid)) return reject(new RtmInvalidArgumentError('LOGIN: invalid uid.', LOGIN_ERR.INVALID_ARGUMENT));
    if (token !== undefined && token !== null && typeof token !== 'string') {
      return reject(new RtmInvalidArgumentError('LOGIN: token must be a string.', LOGIN_ERR.INVALID_ARGUMENT));
    }
    const now = Date.now();
    if (now - this.lastLoginAt < core.timers.loginReentryMs) {
      return reject(new RtmInvokeTooOftenError('LOGIN: login called too often.', LOGIN_ERR.TOO_OFTEN));
    }
    const state = core.session.state;
    if (state !== ConnectionState.DISCONNECTED && state !== ConnectionState.ABORTED) {
      return reject(new RtmInvalidStatusError(`LOGIN: already logged in or logging in (${state}).`, LOGIN_ERR.ALREADY_LOGIN));
    }
    this.lastLoginAt = now;
    let urls: string[];
    try {
      urls = resolveServerUrls(core.config.serverUrl);
    } catch (err) {
      return reject(new RtmInvalidArgumentError(`LOGIN: ${(err as Error).message}.`, LOGIN_ERR.INVALID_ARGUMENT));
    }
    core.log.uid = uid;
    return core.session.login(uid, token || undefined, urls);
  }

  logout(): Promise<void> {
    this.core.log.track('logout');
    return this.core.session.logout();
  }

  renewToken(token: string): Promise<void> {
    const { core } = this;
    core.log.track('renewToken');
    if (typeof token !== 'string' || token === '') {
      return reject(new RtmInvalidArgumentError('RENEW_TOKEN: token must be a non-empty string.', RENEW_TOKEN_ERR.INVALID_ARGUMENT));
    }
    if (!this.renewRate.take()) {
      return reject(new RtmInvokeTooOftenError('RENEW_TOKEN: more than 2 calls per second.', RENEW_TOKEN_ERR.TOO_OFTEN));
    }
    const { session } = core;
    if (session.state === ConnectionState.RECONNECTING) {
      session.setToken(token); // used by the next re-login attempt
      return Promise.resolve();
    }
    if (session.state !== ConnectionState.CONNECTED) return reject(notLoggedIn('RENEW_TOKEN'));
    return session.request<unknown>(Op.RENEW_TOKEN, { token }, { op: 'RENEW_TOKEN', timeoutMs: core.timers.renewTokenTimeoutMs, resendable: true }).then(() => {
      if (session.state === ConnectionState.CONNECTED || session.state === ConnectionState.RECONNECTING) session.setToken(token);
    });
  }

  queryPeersOnlineStatus(peerIds: string[]): Promise<PeersOnlineStatusResult> {
    const { core } = this;
    core.log.track('queryPeersOnlineStatus', peerIds);
    if (!isUidList(peerIds, 256)) {
      return reject(
        new RtmInvalidArgumentError('QUERY_PEERS_ONLINE_STATUS: peerIds must be 1 to 256 valid user ids.', QUERY_PEERS_ONLINE_STATUS_ERR.INVALID_ARGUMENT),
      );
    }
    if (core.session.state !== ConnectionState.CONNECTED) return reject(notLoggedIn('QUERY_PEERS_ONLINE_STATUS'));
    const uids = [...peerIds];
    return core.session
      .request<QueryOnlineResult>(Op.QUERY_ONLINE, { uids }, { op: 'QUERY_PEERS_ONLINE_STATUS', timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((online) => {
        const result: PeersOnlineStatusResult = {};
        uids.forEach((uid, i) => (result[uid] = Array.isArray(online) && online[i] === true));
        return result;
      });
  }
}

function reject<T>(err: Error): Promise<T> {
  return Promise.reject(err);
}
