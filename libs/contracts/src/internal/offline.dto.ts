import type { PeerMessageEvent } from '../messages';

/** Offline store (presence service, Subjects.offline.*). */
export interface StoreOfflineRequest {
  appId: string;
  to: string;
  msg: PeerMessageEvent;
}

export interface FetchOfflineRequest {
  appId: string;
  uid: string;
  /** At most this many, oldest first. */
  limit: number;
}

export interface StoredOfflineMessage {
  seq: number;
  msg: PeerMessageEvent;
}

export interface RemoveOfflineRequest {
  appId: string;
  uid: string;
  seqs: number[];
}
