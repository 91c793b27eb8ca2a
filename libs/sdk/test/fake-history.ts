/**
 * The history part of the fake gateway: messages sent with `hist` (SEND_PEER / SEND_CHANNEL) are
 * kept in memory, and GET_CHANNEL_HISTORY (members only) / GET_PEER_HISTORY (the caller's
 * conversation with `peer`, both directions) answer pages as the server does: newest first,
 * `ts < before`, at most `limit` (default 20), never ending in the middle of one millisecond.
 * Tests seed messages with `add` and replace `gw.handlers[Op.…]` to script answers.
 */
import { ErrorCode, HISTORY_LIMITS, Op, type ChannelHistoryArgs, type HistoryItem, type HistoryPage, type PeerHistoryArgs } from '@parley/contracts';
import type { Answer, FakeConnection, FakeGateway } from './fake-gateway';

/** A stored message: a channel's (`ch`) or a peer message (`to`). */
export type StoredMessage = HistoryItem & { ch?: string };

export class FakeHistory {
  readonly stored: StoredMessage[] = [];

  constructor(private readonly gw: FakeGateway) {
    Object.assign(gw.handlers, {
      [Op.GET_CHANNEL_HISTORY]: (conn: FakeConnection, args: ChannelHistoryArgs): Answer =>
        this.gw.members(args.ch).has(conn)
          ? { code: ErrorCode.OK, data: this.page((m) => m.ch === args.ch, args, false) }
          : { code: ErrorCode.NOT_IN_CHANNEL, data: { message: 'not in channel' } },
      [Op.GET_PEER_HISTORY]: (conn: FakeConnection, args: PeerHistoryArgs): Answer => {
        const me = conn.login?.uid ?? '';
        const between = (m: StoredMessage) => m.ch === undefined && ((m.from === me && m.to === args.peer) || (m.from === args.peer && m.to === me));
        return { code: ErrorCode.OK, data: this.page(between, args, true) };
      },
    });
  }

  add(message: StoredMessage): void {
    this.stored.push(message);
  }

  private page(match: (m: StoredMessage) => boolean, args: { before?: number; limit?: number }, peer: boolean): HistoryPage {
    const before = args.before ?? Number.MAX_SAFE_INTEGER;
    const limit = args.limit ?? HISTORY_LIMITS.PAGE_DEFAULT;
    const all = this.stored.filter((m) => match(m) && m.ts < before).sort((a, b) => b.ts - a.ts);
    let end = Math.min(limit, all.length);
    // Not in the middle of a millisecond: leave out the last one's, unless it is the whole page.
    if (end > 0 && end < all.length && all[end]!.ts === all[end - 1]!.ts) {
      const ts = all[end]!.ts;
      const first = all.findIndex((m) => m.ts === ts);
      const older = all.findIndex((m) => m.ts < ts);
      end = first > 0 ? first : older === -1 ? all.length : older;
    }
    const msgs = all.slice(0, end).map(({ from, to, id, ts, m }) => (peer ? { from, to, id, ts, m } : { from, id, ts, m }));
    return { msgs, more: end < all.length };
  }
}
