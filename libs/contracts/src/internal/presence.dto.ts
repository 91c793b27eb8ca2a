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
  /**
   * Offline messages were stored for the uid when it registered: the gateway fetches them. False: it
   * skips the fetch (a message stored later is announced by UserMsgKind.OFFLINE_STORED on the user
   * subject, which the gateway subscribed to before registering). Absent (an older presence): fetch.
   */
  offline?: boolean;
  /**
   * A racing login of the uid with a higher epoch holds the registry already: this login lost (the
   * winner's KICK ends it anyway; the gateway can refuse it at once).
   */
  superseded?: boolean;
}

/**
 * Several logins in one request on the same subject (a gateway sends the logins of one event-loop
 * turn together when it does not export traces). Each succeeds or fails on its own.
 */
export interface RegisterSessionsRequest {
  logins: RegisterSessionRequest[];
}

/** One reply per login of a RegisterSessionsRequest, in its order. */
export interface RegisterSessionsReply {
  results: ServiceReply<RegisterSessionReply>[];
}

/** The most logins one RegisterSessionsRequest may carry. */
export const REGISTER_SESSIONS_MAX = 500;

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

/** The state changes of one gateway turn (sockets that closed together, a drain's leftovers) in one request. */
export interface SetSessionStatesRequest {
  changes: SetSessionStateRequest[];
}

/** One reply per change of a SetSessionStatesRequest, in its order. */
export interface SetSessionStatesReply {
  results: ServiceReply<{ changed: boolean }>[];
}

/** The most changes one SetSessionStatesRequest may carry. */
export const SET_SESSION_STATES_MAX = 500;

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
