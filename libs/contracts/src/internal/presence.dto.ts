/** Payloads of the presence service's subjects (Subjects.presence.*). */

export interface RegisterSessionRequest {
  appId: string;
  uid: string;
  sessionId: string;
  instanceId: string;
  /** The gateway process (GATEWAY_ID@<boot id>, see GatewayHeartbeat) that holds the session. */
  gatewayId: string;
}

export interface RegisterSessionReply {
  /** Cluster-wide monotonic login order; a session ends when it sees a KICK with a higher epoch. */
  epoch: number;
  /** What the login replaced: nothing, a session of the same SDK instance (a resume), or another client's. */
  replaced: 'none' | 'same-instance' | 'remote';
}

/** Body of a UserMsgKind.KICK message on the user subject. */
export interface KickMessage {
  epoch: number;
  sessionId: string;
  instanceId: string;
}

export interface UnregisterSessionRequest {
  appId: string;
  uid: string;
  sessionId: string;
}

export const SessionState = { ONLINE: 0, UNREACHABLE: 1 } as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

export interface SetSessionStateRequest {
  appId: string;
  uid: string;
  sessionId: string;
  state: SessionState;
}

export interface QueryOnlineRequest {
  appId: string;
  uids: string[];
}

export interface QueryOnlineReply {
  /** In the order of the request's uids; UNREACHABLE counts as online (agora-rtm 1.x semantics). */
  online: boolean[];
}

export interface GatewayHeartbeat {
  /**
   * The gateway process: GATEWAY_ID@<boot id>, new on every start, so a gateway restarted with the
   * same GATEWAY_ID never refreshes the heartbeat of the sessions its dead predecessor held.
   */
  gatewayId: string;
  sessions: number;
}

/** Every service RPC replies either with its result or with this error envelope. */
export type ServiceReply<T> = { ok: true; data: T } | { ok: false; error: { code: number; message: string; retryAfterMs?: number } };
