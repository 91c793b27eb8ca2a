import { Injectable } from '@nestjs/common';
import { HISTORY_LIMITS, MessageKind, type WireMessage } from '@parley/contracts';
import type { HistoryPageReply, HistoryPageRequest, HistoryRecord } from '@parley/contracts/internal';
import { requireActingAs } from '../auth/api-auth.service';
import type { Principal } from '../auth/principal';
import { ServicesClient } from '../clients/services.client';
import { forbidden } from '../http/api-error';
import { SharedRateLimits } from '../http/shared-rate-limits';
import type { HistoryMessageView, HistoryPageAnswer, HistoryPageQuery } from './history.schemas';

const TYPE_NAME: Record<MessageKind, HistoryMessageView['messageType']> = {
  [MessageKind.TEXT]: 'TEXT',
  [MessageKind.RAW]: 'RAW',
  [MessageKind.IMAGE]: 'IMAGE',
  [MessageKind.FILE]: 'FILE',
};

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The fields of one message kind, in the order of the answer's schema. */
function body(m: WireMessage): Pick<HistoryMessageView, 'text' | 'rawMessage' | 'description' | 'media'> {
  const out: Pick<HistoryMessageView, 'text' | 'rawMessage' | 'description' | 'media'> = {};
  if (m.text !== undefined) out.text = m.text;
  if (m.raw !== undefined) out.rawMessage = base64(m.raw);
  if (m.desc !== undefined && m.desc !== '') out.description = m.desc;
  if (m.media) {
    out.media = { mediaId: m.media.id, size: m.media.size, fileName: m.media.name };
    if (m.media.w) out.media.width = m.media.w;
    if (m.media.h) out.media.height = m.media.h;
  }
  return out;
}

/** A stored message as the /v1 history pages list it (a channel page leaves out `to`: the channel asked for). */
export function historyMessage(r: HistoryRecord): HistoryMessageView {
  const to = r.k === 'peer' ? { to: r.to } : {};
  return { messageId: r.id, from: r.from, ...to, messageType: TYPE_NAME[r.m.k] ?? 'TEXT', ...body(r.m), serverReceivedTs: r.ts };
}

/** The page bounds of a query: 0 and absent mean "no bound" (Agora 2.x's defaults are 0). */
function bounds(q: HistoryPageQuery): Pick<HistoryPageRequest, 'before' | 'after' | 'limit'> {
  const out: Pick<HistoryPageRequest, 'before' | 'after' | 'limit'> = { limit: q.messageCount ?? HISTORY_LIMITS.PAGE_DEFAULT };
  if (q.start) out.before = q.start;
  if (q.end) out.after = q.end;
  return out;
}

function answer(reply: HistoryPageReply, requestId: string): HistoryPageAnswer {
  const oldest = reply.msgs[reply.msgs.length - 1];
  return { messages: reply.msgs.map(historyMessage), count: reply.msgs.length, newStart: reply.more && oldest ? oldest.ts : null, request_id: requestId };
}

/**
 * History pages for app backends (Agora 2.x's history REST, Parley's paths). Who may read: a customer
 * credential any channel and any conversation of its apps; an RTM token only the conversations of
 * its own uid — never a channel's, since a token cannot prove membership. Counts against the app's
 * shared history rate.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async channel(caller: Principal, ch: string, q: HistoryPageQuery, requestId: string): Promise<HistoryPageAnswer> {
    if (caller.kind === 'token') throw forbidden('only a customer credential may read a channel’s history');
    this.limits.take('history', caller.appId);
    return answer(await this.services.historyPage({ appId: caller.appId, kind: 'channel', a: ch, ...bounds(q) }), requestId);
  }

  async peer(caller: Principal, uid: string, peer: string, q: HistoryPageQuery, requestId: string): Promise<HistoryPageAnswer> {
    requireActingAs(caller, uid);
    this.limits.take('history', caller.appId);
    return answer(await this.services.historyPage({ appId: caller.appId, kind: 'peer', a: uid, b: peer, ...bounds(q) }), requestId);
  }
}
