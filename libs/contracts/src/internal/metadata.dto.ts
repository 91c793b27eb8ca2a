import type { MetadataData, MetadataItemArgs, MetadataOptionsArgs } from '../metadata';

// ── gateway / server API → attributes service (MetadataSubjects.*) ────────────

export const MetadataOp = { SET: 'set', ADD: 'add', UPDATE: 'update', DELETE: 'delete', CLEAR: 'clear' } as const;
export type MetadataOp = (typeof MetadataOp)[keyof typeof MetadataOp];

/** What every metadata write carries besides its target: the op, its items and RtmMetadataOptions. */
export interface MetadataWriteBody extends MetadataOptionsArgs {
  op: MetadataOp;
  /** SET / ADD / UPDATE / DELETE (SET may be empty: the set is emptied). */
  items?: MetadataItemArgs[];
  /** The writer: authorUserId of the items when recordUserId. */
  author: string;
}

/**
 * MetadataSubjects.userWrite → MetadataWriteResult. `uid`'s set (the SDK writes only its own; the
 * server API any). Published on MetadataSubjects.user(app, uid) as UserMetadataEvent before the
 * transaction commits, in revision order.
 */
export interface UserMetadataWriteRequest extends MetadataWriteBody {
  appId: string;
  uid: string;
}

/** MetadataSubjects.channelWrite → MetadataWriteResult. Published to members as [ChanMsgKind.METADATA, ChannelMetadataEvent]. */
export interface ChannelMetadataWriteRequest extends MetadataWriteBody {
  appId: string;
  ch: string;
}

/** MetadataSubjects.userGet → MetadataData */
export interface UserMetadataGetRequest {
  appId: string;
  uid: string;
}

/** MetadataSubjects.channelGet → MetadataData */
export interface ChannelMetadataGetRequest {
  appId: string;
  ch: string;
}

export type { MetadataData };
