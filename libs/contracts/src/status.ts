/**
 * Online-status subscriptions: wire (SDK ⇄ gateway), the status subject (presence → gateways) and
 * the presence snapshot request. Browser-safe.
 */

/** agora-rtm PeerOnlineState as numbers (native SDK values). */
export const PeerState = { ONLINE: 0, UNREACHABLE: 1, OFFLINE: 2 } as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

export const STATUS_LIMITS = {
  /** Subscribed uids per session (agora-rtm: 512, OVERFLOW beyond). */
  MAX_SUBSCRIBED: 512,
} as const;

/**
 * Op.SUBSCRIBE_STATUS → SubscribeStatusResult. Adds the uids to the session's subscriptions (1–512
 * per call, ≤ 512 in all, else OVERFLOW and nothing changes; uids already subscribed are no error).
 * After the response, every change of any subscribed uid is pushed as Evt.PEER_STATUS.
 * The SDK sends its whole list again after a reconnect and diffs the answer with what it knew.
 */
export interface SubscribeStatusArgs {
  uids: string[];
}
/** Current state of each requested uid, in the request's order. */
export type SubscribeStatusResult = PeerState[];

/** Op.UNSUBSCRIBE_STATUS → null (uids not subscribed are ignored). */
export interface UnsubscribeStatusArgs {
  uids: string[];
}

/** Op.QUERY_SUBSCRIBED: args { option: 'ONLINE_STATUS' } → string[] (the session's subscribed uids). */
export interface QuerySubscribedArgs {
  option: string;
}
export type QuerySubscribedResult = string[];

/** Evt.PEER_STATUS data: uid → new state (only changes; one uid per event or several). */
export type PeerStatusEvent = Record<string, PeerState>;
