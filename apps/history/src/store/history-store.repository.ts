import { Injectable } from '@nestjs/common';
import { createCodec, type WireMessage } from '@parley/contracts';
import type { HistoryCapture } from '@parley/contracts/internal';
import { PrismaService } from '@parley/platform';

const codec = createCodec();

/** The key both directions of a conversation share: the two parties in order, joined by a newline (not in the uid charset). */
export function conversationOf(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}

/** The stored body of a message (msgpack of the WireMessage). */
export const encodeBody = (m: WireMessage): Uint8Array => codec.encode(m);

/**
 * Inserts into `history_messages` (docs/architecture.md, "Message history"): one statement per
 * batch, which also adds the rows it inserted to `history_usage` (bytes per app and hour; the size
 * caps). A capture delivered twice (a replica died before acknowledging it) inserts nothing the
 * second time and is not counted twice.
 */
@Injectable()
export class HistoryStoreRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the captures; returns how many rows were new. */
  async insert(captures: readonly HistoryCapture[]): Promise<number> {
    if (captures.length === 0) return 0;
    const appIds: string[] = [];
    const ts: bigint[] = [];
    const kinds: string[] = [];
    const srcs: string[] = [];
    const dsts: string[] = [];
    const convs: string[] = [];
    const ids: string[] = [];
    const mtypes: number[] = [];
    const bodies: string[] = [];
    const sizes: number[] = [];
    for (const c of captures) {
      const body = encodeBody(c.m);
      appIds.push(c.appId);
      ts.push(BigInt(c.ts));
      kinds.push(c.k === 'peer' ? 'p' : 'c');
      srcs.push(c.from);
      dsts.push(c.to);
      convs.push(c.k === 'peer' ? conversationOf(c.from, c.to) : c.to);
      ids.push(c.id);
      mtypes.push(c.m.k);
      bodies.push(Buffer.from(body).toString('base64'));
      sizes.push(body.byteLength + c.from.length + c.to.length + c.id.length);
    }
    const rows = await this.prisma.$queryRaw<{ inserted: bigint }[]>`
      WITH ins AS (
        INSERT INTO history_messages (app_id, ts, kind, src, dst, conv, msg_id, mtype, body, bytes)
        SELECT t.app_id, to_timestamp(t.ms / 1000.0), t.kind, t.src, t.dst, t.conv, t.msg_id, t.mtype, decode(t.body, 'base64'), t.bytes
        FROM unnest(${appIds}::varchar[], ${ts}::bigint[], ${kinds}::char[], ${srcs}::varchar[], ${dsts}::varchar[], ${convs}::varchar[],
                    ${ids}::varchar[], ${mtypes}::smallint[], ${bodies}::text[], ${sizes}::int[])
             AS t(app_id, ms, kind, src, dst, conv, msg_id, mtype, body, bytes)
        ON CONFLICT DO NOTHING
        RETURNING app_id, ts, bytes
      ), counted AS (
        INSERT INTO history_usage (app_id, hour, bytes, messages)
        SELECT app_id, date_trunc('hour', ts), sum(bytes), count(*) FROM ins GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (app_id, hour) DO UPDATE
          SET bytes = history_usage.bytes + EXCLUDED.bytes, messages = history_usage.messages + EXCLUDED.messages
      )
      SELECT count(*) AS inserted FROM ins`;
    return Number(rows[0]?.inserted ?? 0);
  }
}
