import type { PeerState } from '../status';

/**
 * Body of a message on Subjects.status(app, uid), published by presence on every change of the
 * uid's state: MessagePack [uid, state, seq]. `seq` orders one uid's changes (a gateway drops an
 * event whose seq is not above the last it applied).
 */
export type StatusChange = [uid: string, state: PeerState, seq: number];

/** Subjects.presence.statuses → StatusSnapshotReply: current state and seq of each uid. */
export interface StatusSnapshotRequest {
  appId: string;
  uids: string[];
}
export interface StatusSnapshotReply {
  states: PeerState[];
  /** 0 when the uid has no session. */
  seqs: number[];
}
