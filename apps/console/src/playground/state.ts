/**
 * What the playground shows, and the pure changes the session makes to it (reducers: state in,
 * partial state out). The session (session.ts) turns SDK events and call results into these.
 */

export interface SentMessage {
  key: number;
  to: string;
  text: string;
  /** SENDING, then PEER_RECEIVED / CACHED_BY_SERVER / PEER_UNREACHABLE, or `Failed: <SDK error name>`. */
  result: string;
}

export interface ReceivedMessage {
  key: number;
  from: string;
  text: string;
  /** serverReceivedTs (Unix ms). */
  ts: number;
  offline: boolean;
}

export interface Transfer {
  current: number;
  total: number;
}

export interface MediaItem {
  key: number;
  from: string;
  /** "peer" or "#<channel>". */
  where: string;
  kind: 'FILE' | 'IMAGE';
  name: string;
  size: number;
  mediaId: string;
  thumbnailUrl?: string;
  download?: Transfer & { url?: string; failed?: string };
}

export type ChannelAttributeMap = Record<string, { value: string; lastUpdateUserId: string; lastUpdateTs: number }>;

export interface ChannelState {
  name: string;
  joined: boolean;
  members: string[];
  count: number | null;
  messages: ReceivedMessage[];
  attributes: ChannelAttributeMap;
}

export interface UploadState extends Transfer {
  name: string;
  /** uploading → sending → sent; failed or canceled (Cancel upload) end it early. */
  phase: 'uploading' | 'sending' | 'sent' | 'failed' | 'canceled';
}

export interface PlaygroundState {
  connection: string;
  reason: string;
  uid: string | null;
  appId: string | null;
  /** A notice about the session that is not an error (token expiring, banned, …). */
  notice: string | null;
  sent: SentMessage[];
  received: ReceivedMessage[];
  media: MediaItem[];
  channel: ChannelState | null;
  /** Subscribed or queried peers: ONLINE / UNREACHABLE / OFFLINE ("…" until the first answer). */
  statuses: Record<string, string>;
  localAttributes: Record<string, string>;
  peerAttributes: { uid: string; attributes: Record<string, string> } | null;
  outgoing: { callee: string; state: string } | null;
  incoming: { caller: string; content: string; channelId: string; state: string } | null;
  upload: UploadState | null;
  error: string | null;
}

export const INITIAL: PlaygroundState = {
  connection: 'DISCONNECTED',
  reason: '',
  uid: null,
  appId: null,
  notice: null,
  sent: [],
  received: [],
  media: [],
  channel: null,
  statuses: {},
  localAttributes: {},
  peerAttributes: null,
  outgoing: null,
  incoming: null,
  upload: null,
  error: null,
};

/** Lists keep their newest entries only, so a long session does not grow the page without end. */
export const LIST_MAX = 200;

/** Keeps the newest `max` entries of a list. */
export const capped = <T>(list: readonly T[], item: T, max = LIST_MAX): T[] => [...list, item].slice(-max);

/** Whether the session counts as logged in (Log out enabled, Log in replaces it). */
export const isLoggedIn = (s: Pick<PlaygroundState, 'uid' | 'connection'>): boolean =>
  s.uid !== null && s.connection !== 'DISCONNECTED' && s.connection !== 'ABORTED';

export const sentResult = (s: PlaygroundState, key: number, result: string): Partial<PlaygroundState> => ({
  sent: s.sent.map((m) => (m.key === key ? { ...m, result } : m)),
});

export const memberJoined = (c: ChannelState, uid: string): Partial<ChannelState> => ({
  members: c.members.includes(uid) ? c.members : [...c.members, uid].sort(),
});

export const memberLeft = (c: ChannelState, uid: string): Partial<ChannelState> => ({ members: c.members.filter((m) => m !== uid) });

/** getMembers' answer merged with the MemberJoined events that may have arrived before it. */
export const membersLoaded = (c: ChannelState, members: readonly string[]): Partial<ChannelState> => {
  const merged = [...new Set([...members, ...c.members])].sort();
  return { members: merged, count: c.count ?? merged.length };
};

/** Peers just subscribed show "…" until PeersOnlineStatusChanged (which usually came first) says more. */
export const subscribed = (s: PlaygroundState, peers: readonly string[]): Partial<PlaygroundState> => ({
  statuses: { ...Object.fromEntries(peers.map((p) => [p, '…'])), ...s.statuses },
});

export const unsubscribed = (s: PlaygroundState, peers: readonly string[]): Partial<PlaygroundState> => ({
  statuses: Object.fromEntries(Object.entries(s.statuses).filter(([uid]) => !peers.includes(uid))),
});

/** queryPeersOnlineStatus answers true / false (UNREACHABLE counts as online). */
export const queried = (s: PlaygroundState, result: Record<string, boolean>): Partial<PlaygroundState> => ({
  statuses: { ...s.statuses, ...Object.fromEntries(Object.entries(result).map(([uid, on]) => [uid, on ? 'ONLINE' : 'OFFLINE'])) },
});

export const mediaDownload = (s: PlaygroundState, key: number, download: MediaItem['download']): Partial<PlaygroundState> => ({
  media: s.media.map((m) => (m.key === key ? { ...m, download } : m)),
});

/** The text `data-testid="invitation-state"` shows for a caller's invitation. */
export function localInvitationText(state: string, reason?: string): string {
  return reason ? `${state}: ${reason}` : state;
}
