import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, HISTORY_LIMITS, ParleyError, requireAppId, requireChannelId, requireUid } from '@parley/contracts';
import type {
  HistoryCountReply,
  HistoryCountRequest,
  HistoryFilter,
  HistoryPageReply,
  HistoryPageRequest,
  HistoryQueryReply,
  HistoryQueryRequest,
  HistoryRecord,
} from '@parley/contracts/internal';
import { HISTORY_CONFIG, type HistoryConfig } from '../config/history.config';
import { conversationOf } from '../store/history-store.repository';
import { HistoryQueryRepository, type Filter, type Thread } from './history-query.repository';

/** Agora 1.x's page sizes. */
const QUERY_LIMITS: ReadonlySet<unknown> = new Set([20, 50, 100]);
/** The most messages of one millisecond a page returns when they alone exceed its limit. */
const SAME_MS_MAX = 1_000;

/**
 * A page without a message twice: the same send repeated after a reconnect to another gateway (same
 * sender and id, a later ts) is stored twice; the newest copy stays (rare: only sends in flight
 * during a drop; Agora 1.x queries and counts see both).
 */
function distinct(msgs: HistoryRecord[]): HistoryRecord[] {
  const seen = new Set<string>();
  return msgs.filter((m) => {
    const key = `${m.from}\n${m.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function fail(message: string): never {
  throw new ParleyError(ErrorCode.INVALID_ARGUMENT, message);
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${what}: Unix ms, a whole number ≥ 0`);
  return value;
}

function optionalTime(value: unknown, what: string): number | undefined {
  return value === undefined || value === null ? undefined : time(value, what);
}

/**
 * History queries (the gateway's SDK pages, the server API's v2 pages and Agora 1.x queries). Who
 * may read a thread is the caller's decision; the service checks the request's shape, keeps every
 * read within the app's visible bound (retention, size-cap cutoff) and pages so that `before` = the
 * oldest ts of a page continues exactly: a page never ends inside one millisecond.
 */
@Injectable()
export class HistoryQueryService {
  constructor(
    private readonly repository: HistoryQueryRepository,
    @Inject(HISTORY_CONFIG) private readonly config: Readonly<HistoryConfig>,
  ) {}

  async page(req: HistoryPageRequest): Promise<HistoryPageReply> {
    const page = await this.rawPage(req);
    return { msgs: distinct(page.msgs), more: page.more };
  }

  private async rawPage(req: HistoryPageRequest): Promise<HistoryPageReply> {
    const appId = requireAppId(req?.appId);
    const thread = this.thread(req);
    const limit = req.limit ?? HISTORY_LIMITS.PAGE_DEFAULT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_LIMITS.PAGE_MAX) fail(`limit: 1–${HISTORY_LIMITS.PAGE_MAX}`);
    const before = optionalTime(req.before, 'before') ?? Date.now() + 1;
    const after = optionalTime(req.after, 'after') ?? 0;
    const from = Math.max(after, await this.repository.visibleFrom(appId, this.config.HISTORY_RETENTION_MS));
    if (from >= before) return { msgs: [], more: false };
    const rows = await this.repository.page(appId, thread, from, before, limit + 1);
    if (rows.length <= limit) return { msgs: rows, more: false };
    const last = rows[limit - 1]!.ts;
    if (rows[limit]!.ts !== last) return { msgs: rows.slice(0, limit), more: true };
    // The page would end inside one millisecond: end before it, or (it alone is more than a page) return all of it.
    const whole = rows.filter((r) => r.ts !== last);
    if (whole.length > 0) return { msgs: whole, more: true };
    const same = await this.repository.at(appId, thread, last, SAME_MS_MAX);
    const older = await this.repository.page(appId, thread, from, last, 1);
    return { msgs: same, more: older.length > 0 };
  }

  async query(req: HistoryQueryRequest): Promise<HistoryQueryReply> {
    const appId = requireAppId(req?.appId);
    const filter = await this.filter(appId, req);
    const offset = req.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) fail('offset: a whole number ≥ 0');
    const limit = req.limit ?? 20;
    if (!QUERY_LIMITS.has(limit)) fail('limit: 20, 50 or 100');
    const order = req.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') fail('order: asc or desc');
    if (filter.startMs >= filter.endMs) return { msgs: [] };
    return { msgs: await this.repository.query(appId, filter, offset, limit, order) };
  }

  async count(req: HistoryCountRequest): Promise<HistoryCountReply> {
    const appId = requireAppId(req?.appId);
    const filter = await this.filter(appId, req);
    if (filter.startMs >= filter.endMs) return { count: 0 };
    return { count: await this.repository.count(appId, filter) };
  }

  private thread(req: HistoryPageRequest): Thread {
    if (req.kind === 'channel') return { kind: 'c', conv: requireChannelId(req.a) };
    if (req.kind === 'peer') return { kind: 'p', conv: conversationOf(requireUid(req.a), requireUid(req.b)) };
    return fail('kind: peer or channel');
  }

  /** The filter within the app's visible bound. */
  private async filter(appId: string, req: HistoryFilter & { textOnly?: boolean }): Promise<Filter> {
    const startMs = time(req.startMs, 'startMs');
    const endMs = time(req.endMs, 'endMs');
    const source = req.source === undefined || req.source === null ? undefined : requireUid(req.source);
    // A destination is a uid or a channel: both follow the channel id rules' superset.
    const destination = req.destination === undefined || req.destination === null ? undefined : requireChannelId(req.destination);
    const visible = await this.repository.visibleFrom(appId, this.config.HISTORY_RETENTION_MS);
    return { source, destination, startMs: Math.max(startMs, visible), endMs, textOnly: req.textOnly === true };
  }
}
