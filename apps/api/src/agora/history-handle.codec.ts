import type { HistoryQueryRequest } from '@parley/contracts/internal';
import { z } from 'zod';
import { HISTORY_QUERY_LIMITS, HISTORY_QUERY_OFFSET_MAX } from './agora-history.schemas';
import { AppIdParam, ChannelName, UserId } from './agora.schemas';

/** A normalized Agora 1.x history query: what a handle stands for (HistoryQueryRequest without textOnly). */
export type HistoryQuery = Omit<HistoryQueryRequest, 'textOnly'>;

/** Longer than any handle this codec makes (two 64-character ids, an app id, numbers). */
const HANDLE_MAX = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const Ms = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The handle's JSON, version 1: short keys in a fixed order. */
const HandleV1 = z
  .strictObject({
    v: z.literal(1),
    a: AppIdParam,
    s: UserId.optional(),
    d: ChannelName.optional(),
    st: Ms,
    et: Ms,
    o: z.number().int().min(0).max(HISTORY_QUERY_OFFSET_MAX),
    l: z.literal(HISTORY_QUERY_LIMITS),
    r: z.enum(['asc', 'desc']),
  })
  .refine((h) => (h.s !== undefined || h.d !== undefined) && h.st < h.et);

/**
 * Handles are stateless: base64url (no padding) of the compact JSON of the normalized query, so any
 * api replica answers any handle and nothing is stored. A handle grants nothing: it is checked again
 * when it is read (app, shape, the caller's right to the filter), as the query it stands for would be.
 */
export function encodeHistoryHandle(q: HistoryQuery): string {
  // JSON.stringify leaves out the absent source or destination.
  const h = { v: 1, a: q.appId, s: q.source, d: q.destination, st: q.startMs, et: q.endMs, o: q.offset, l: q.limit, r: q.order };
  return Buffer.from(JSON.stringify(h), 'utf8').toString('base64url');
}

/** The query of a handle this codec made; null for anything else (not base64url, not its JSON, out of bounds). */
export function decodeHistoryHandle(handle: string): HistoryQuery | null {
  if (handle.length > HANDLE_MAX || !BASE64URL.test(handle)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = HandleV1.safeParse(json);
  if (!parsed.success) return null;
  const h = parsed.data;
  const q: HistoryQuery = { appId: h.a, startMs: h.st, endMs: h.et, offset: h.o, limit: h.l, order: h.r };
  if (h.s !== undefined) q.source = h.s;
  if (h.d !== undefined) q.destination = h.d;
  return q;
}
