import { Injectable } from '@nestjs/common';
import type { HistoryFilter, HistoryRecord } from '@parley/contracts/internal';
import type { Principal } from '../auth/principal';
import { ServicesClient } from '../clients/services.client';
import { forbidden, notFound } from '../http/api-error';
import { SharedRateLimits } from '../http/shared-rate-limits';
import type { HistoryCountAnswer, HistoryCountQuery, HistoryMessagesAnswer, HistoryQueryAnswer, HistoryQueryBody } from './agora-history.schemas';
import { decodeHistoryHandle, encodeHistoryHandle, type HistoryQuery } from './history-handle.codec';

type Filter = Omit<HistoryFilter, 'appId'>;
type AgoraMessage = HistoryMessagesAnswer['messages'][number];

/** Agora's filter fields as the history service's, without the absent ones. */
function filterOf(f: { source?: string | null; destination?: string | null; start_time: number; end_time: number }): Filter {
  const out: Filter = { startMs: f.start_time, endMs: f.end_time };
  if (f.source) out.source = f.source;
  if (f.destination) out.destination = f.destination;
  return out;
}

/**
 * A customer credential reads the whole app's history. An RTM token reads only what its uid sent
 * (source) or received (destination): it cannot prove membership of a channel.
 */
function requireFilterAccess(caller: Principal, f: Filter): void {
  if (caller.kind === 'token' && f.source !== caller.uid && f.destination !== caller.uid) {
    throw forbidden('an RTM token may read only the history of its own uid: source or destination must be it');
  }
}

/**
 * Uids and channel ids share one namespace: a token that is only the destination would also match a
 * channel of its uid's name. Such a token sees peer messages only.
 */
function visibleTo(caller: Principal, q: Filter): (r: HistoryRecord) => boolean {
  return (r) => caller.kind !== 'token' || q.source === caller.uid || r.k === 'peer';
}

/** A stored text message as Agora's history lists it (key order of Agora's documentation). */
export function agoraMessage(r: HistoryRecord): AgoraMessage {
  return { src: r.from, dst: r.to, message_type: r.k === 'peer' ? 'peer_message' : 'channel_message', payload: r.m.text ?? '', ms: r.ts };
}

/**
 * Agora 1.x's history endpoints over the history service. The query's handle is stateless (the
 * normalized query, encoded): the query runs when the handle is read, on any replica, so the answer
 * is always `code: "ok"`. Text messages only, as Agora 1.x stores. All three count against the app's
 * shared history rate (Agora: 100/s).
 */
@Injectable()
export class AgoraHistoryService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  createQuery(caller: Principal, body: HistoryQueryBody): HistoryQueryAnswer {
    const q: HistoryQuery = { appId: caller.appId, ...filterOf(body.filter), offset: body.offset ?? 0, limit: body.limit ?? 20, order: body.order ?? 'asc' };
    requireFilterAccess(caller, q);
    this.limits.take('history', caller.appId);
    return { result: 'success', offset: q.offset, limit: q.limit, order: q.order, location: `~/rtm/message/history/query/${encodeHistoryHandle(q)}` };
  }

  /** An undecodable handle, or one of another app, is an unknown resource (404), as at Agora. */
  async readQuery(caller: Principal, handle: string): Promise<HistoryMessagesAnswer> {
    const q = decodeHistoryHandle(handle);
    if (!q || q.appId !== caller.appId) throw notFound('unknown history query handle');
    requireFilterAccess(caller, q);
    this.limits.take('history', caller.appId);
    const { msgs } = await this.services.historyQuery({ ...q, textOnly: true });
    return { result: 'success', code: 'ok', messages: msgs.filter(visibleTo(caller, q)).map(agoraMessage) };
  }

  async count(caller: Principal, query: HistoryCountQuery): Promise<HistoryCountAnswer> {
    const f = filterOf(query);
    requireFilterAccess(caller, f);
    this.limits.take('history', caller.appId);
    const { count } = await this.services.historyCount({ appId: caller.appId, ...f, textOnly: true });
    return { result: 'success', code: 'ok', count };
  }
}
