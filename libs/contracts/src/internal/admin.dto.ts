/**
 * Payloads of the admin API's live counts and lookups (the operator console): the presence and
 * channel services' stats and user-session requests, and the gateways' scatter-gather.
 */
import type { PeerState } from '../status';

/** Counts of every app (no appId) or of one. */
export interface StatsRequest {
  appId?: string;
}

/** Subjects.presence.stats: the session registry's current counts, by effective state. */
export interface PresenceStatsReply {
  online: number;
  unreachable: number;
  /** Gateway processes whose heartbeat is younger than GATEWAY_TTL_MS (all apps: a gateway serves every app). */
  gateways: number;
}

/** Subjects.channel.stats: channels with at least one member, and memberships. */
export interface ChannelStatsReply {
  channels: number;
  members: number;
}

export interface UserSessionsRequest {
  appId: string;
  uid: string;
}

/** A uid's registered session (the registry holds at most one per app and uid). */
export interface RegisteredSessionView {
  /** The gateway process holding it: GATEWAY_ID@<boot id> (see gatewayIdOf). */
  gatewayId: string;
  /** Unix ms of its login (a resume on another gateway is a new login of the same instance). */
  loggedInAt: number;
  /** Its effective state: ONLINE or UNREACHABLE (an OFFLINE row is not reported). */
  state: PeerState;
}

/** Subjects.presence.userSessions. */
export interface UserSessionsReply {
  state: PeerState;
  sessions: RegisteredSessionView[];
}

/** The GATEWAY_ID of a registry gateway id (GATEWAY_ID@<boot id>, the gateway's PresenceClient.registryId). */
export function gatewayIdOf(registryId: string): string {
  const at = registryId.lastIndexOf('@');
  return at > 0 ? registryId.slice(0, at) : registryId;
}

/** Subjects.gatewayStats: asked of every gateway at once. */
export interface GatewayStatsRequest {
  /** Count only this app's sessions and messages; absent: all apps. */
  appId?: string;
}

/** One gateway's answer (counts of this process since it started). */
export interface GatewayStatsReply {
  /** GATEWAY_ID. */
  id: string;
  /** The process in the registry (GATEWAY_ID@<boot id>). */
  instance: string;
  /** Unix ms when this process started (its message totals count from then). */
  startedAt: number;
  /** Sessions it holds (connected, or inside their reconnect window). */
  sessions: number;
  /** Open WebSocket connections (logged in or not); with appId, that app's connected sessions. */
  connections: number;
  /** Messages accepted from its clients since it started: peer and channel sends. */
  messages: { peer: number; channel: number };
}
