import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  Evt,
  isChannelId,
  isUid,
  ParleyError,
  type ChannelMetadataClearArgs,
  type ChannelMetadataEvent,
  type ChannelMetadataGetArgs,
  type ChannelMetadataWriteArgs,
  type MetadataData,
  type MetadataOptionsArgs,
  type MetadataWriteResult,
  type UserMetadataClearArgs,
  type UserMetadataTargetArgs,
  type UserMetadataWriteArgs,
} from '@parley/contracts';
import { MetadataOp, type MetadataWriteBody } from '@parley/contracts/internal';
import { MetadataClient } from '../clients/metadata.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';

/** The write's body for the attributes service: only the fields the client gave. */
function body(op: MetadataOp, author: string, args: MetadataOptionsArgs & { items?: MetadataWriteBody['items'] }): MetadataWriteBody {
  const out: MetadataWriteBody = { op, author };
  if (args.items !== undefined && op !== MetadataOp.CLEAR) out.items = args.items;
  if (args.majorRevision !== undefined) out.majorRevision = args.majorRevision;
  if (args.recordTs !== undefined) out.recordTs = args.recordTs;
  if (args.recordUserId !== undefined) out.recordUserId = args.recordUserId;
  return out;
}

/**
 * User and channel metadata: rate limits, who may write what (a session writes its own user's set
 * and the sets of channels it joined) and the ChannelMetaDataUpdated fan-out here; rules,
 * revisions and storage in the attributes service.
 */
@Injectable()
export class MetadataService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly metadata: MetadataClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** ChanMsgKind.METADATA: ChannelMetaDataUpdated to every local member (the SDK drops stale revisions). */
  channelMetadataChanged(members: ReadonlySet<Session>, event: unknown): void {
    for (const member of members) member.conn?.event(Evt.CHANNEL_METADATA, event as ChannelMetadataEvent);
  }

  setUser(conn: Connection, args: UserMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeUser(conn, MetadataOp.SET, args);
  }

  addUser(conn: Connection, args: UserMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeUser(conn, MetadataOp.ADD, args);
  }

  updateUser(conn: Connection, args: UserMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeUser(conn, MetadataOp.UPDATE, args);
  }

  deleteUser(conn: Connection, args: UserMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeUser(conn, MetadataOp.DELETE, args);
  }

  clearUser(conn: Connection, args: UserMetadataClearArgs): Promise<MetadataWriteResult> {
    return this.writeUser(conn, MetadataOp.CLEAR, args);
  }

  async getUser(conn: Connection, args: UserMetadataTargetArgs): Promise<MetadataData> {
    const session = this.sessions.requireSession(conn);
    if (!isUid(args?.uid)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid user id');
    enforceRate(session, 'metadata-read', this.config.METADATA_READ_RATE);
    return this.metadata.getUser({ appId: session.appId, uid: args.uid });
  }

  setChannel(conn: Connection, args: ChannelMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeChannel(conn, MetadataOp.SET, args);
  }

  addChannel(conn: Connection, args: ChannelMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeChannel(conn, MetadataOp.ADD, args);
  }

  updateChannel(conn: Connection, args: ChannelMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeChannel(conn, MetadataOp.UPDATE, args);
  }

  deleteChannel(conn: Connection, args: ChannelMetadataWriteArgs): Promise<MetadataWriteResult> {
    return this.writeChannel(conn, MetadataOp.DELETE, args);
  }

  clearChannel(conn: Connection, args: ChannelMetadataClearArgs): Promise<MetadataWriteResult> {
    return this.writeChannel(conn, MetadataOp.CLEAR, args);
  }

  async getChannel(conn: Connection, args: ChannelMetadataGetArgs): Promise<MetadataData> {
    const session = this.sessions.requireSession(conn);
    const ch = this.joinedChannel(session, args?.ch);
    enforceRate(session, 'metadata-read', this.config.METADATA_READ_RATE);
    return this.metadata.getChannel({ appId: session.appId, ch });
  }

  private async writeUser(conn: Connection, op: MetadataOp, args: MetadataOptionsArgs & { items?: MetadataWriteBody['items'] }): Promise<MetadataWriteResult> {
    const session = this.sessions.requireSession(conn);
    enforceRate(session, 'metadata-write', this.config.METADATA_WRITE_RATE);
    return this.metadata.writeUser({ appId: session.appId, uid: session.uid, ...body(op, session.uid, args ?? {}) });
  }

  private async writeChannel(
    conn: Connection,
    op: MetadataOp,
    args: MetadataOptionsArgs & { ch: string; items?: MetadataWriteBody['items'] },
  ): Promise<MetadataWriteResult> {
    const session = this.sessions.requireSession(conn);
    const ch = this.joinedChannel(session, args?.ch);
    enforceRate(session, 'metadata-write', this.config.METADATA_WRITE_RATE);
    return this.metadata.writeChannel({ appId: session.appId, ch, ...body(op, session.uid, args) });
  }

  /** RtmChannel's metadata methods work on a joined channel (agora-rtm 1.6.0 METADATA_OPERATION_ERR NOT_IN_CHANNEL). */
  private joinedChannel(session: Session, ch: unknown): string {
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.has(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    return ch;
  }
}
