import { Injectable } from '@nestjs/common';
import { createCodec, type WireMessage } from '@parley/contracts';
import type { HistoryRecord } from '@parley/contracts/internal';
import { Prisma, PrismaService } from '@parley/platform';

const codec = createCodec();

interface Row {
  kind: string;
  src: string;
  dst: string;
  msg_id: string;
  ms: bigint;
  body: Uint8Array;
}

function toRecord(r: Row): HistoryRecord {
  return { k: r.kind === 'p' ? 'peer' : 'channel', from: r.src, to: r.dst, id: r.msg_id, ts: Number(r.ms), m: codec.decode(r.body) as WireMessage };
}

const COLUMNS = Prisma.sql`kind, src, dst, msg_id, (extract(epoch FROM ts) * 1000)::bigint AS ms, body`;

/** Where one conversation or channel is: kind and conv (history_messages' primary key prefix). */
export interface Thread {
  kind: 'p' | 'c';
  conv: string;
}

/** Agora 1.x's filter, resolved: sender and destination (either may be absent), times in ms. */
export interface Filter {
  source?: string;
  destination?: string;
  startMs: number;
  endMs: number;
  textOnly: boolean;
}

/**
 * Reads of `history_messages` (docs/architecture.md, "Message history"). Every read starts no earlier
 * than the app's visible bound: its retention (its own setting or the default) and its size-cap
 * cutoff — so what maintenance has not dropped yet is never returned past either.
 */
@Injectable()
export class HistoryQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The earliest ts (ms) the app may still see. */
  async visibleFrom(appId: string, defaultRetentionMs: number, now = Date.now()): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ retention: bigint | null; cutoff: bigint | null }[]>`
      SELECT (SELECT history_retention_ms FROM apps WHERE id = ${appId}) AS retention,
             (SELECT (extract(epoch FROM visible_from) * 1000)::bigint FROM history_cutoffs WHERE app_id = ${appId}) AS cutoff`;
    const retention = row?.retention === null || row?.retention === undefined ? defaultRetentionMs : Number(row.retention);
    return Math.max(now - retention, row?.cutoff === null || row?.cutoff === undefined ? 0 : Number(row.cutoff));
  }

  /** Up to `limit` messages of a thread with from ≤ ts < before, newest first (ties in a fixed order). */
  async page(appId: string, thread: Thread, fromMs: number, beforeMs: number, limit: number): Promise<HistoryRecord[]> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT ${COLUMNS} FROM history_messages
      WHERE app_id = ${appId} AND kind = ${thread.kind} AND conv = ${thread.conv}
        AND ts >= to_timestamp(${fromMs}::float8 / 1000) AND ts < to_timestamp(${beforeMs}::float8 / 1000)
      ORDER BY ts DESC, src DESC, msg_id DESC
      LIMIT ${limit}::int`;
    return rows.map(toRecord);
  }

  /** Every message of a thread in one millisecond (a page never ends inside one). */
  async at(appId: string, thread: Thread, ms: number, max: number): Promise<HistoryRecord[]> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT ${COLUMNS} FROM history_messages
      WHERE app_id = ${appId} AND kind = ${thread.kind} AND conv = ${thread.conv} AND ts = to_timestamp(${ms}::float8 / 1000)
      ORDER BY src DESC, msg_id DESC
      LIMIT ${max}::int`;
    return rows.map(toRecord);
  }

  /** Agora 1.x's query: offset / limit in `order` of ts. */
  async query(appId: string, f: Filter, offset: number, limit: number, order: 'asc' | 'desc'): Promise<HistoryRecord[]> {
    const direction = order === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT ${COLUMNS} FROM history_messages
      WHERE ${this.where(appId, f)}
      ORDER BY ts ${direction}, src ${direction}, msg_id ${direction}
      OFFSET ${offset}::int LIMIT ${limit}::int`;
    return rows.map(toRecord);
  }

  /** Agora 1.x's count. */
  async count(appId: string, f: Filter): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM history_messages WHERE ${this.where(appId, f)}`;
    return Number(row?.n ?? 0);
  }

  private where(appId: string, f: Filter): Prisma.Sql {
    const parts = [
      Prisma.sql`app_id = ${appId}`,
      Prisma.sql`ts >= to_timestamp(${f.startMs}::float8 / 1000)`,
      Prisma.sql`ts < to_timestamp(${f.endMs}::float8 / 1000)`,
    ];
    if (f.source !== undefined) parts.push(Prisma.sql`src = ${f.source}`);
    if (f.destination !== undefined) parts.push(Prisma.sql`dst = ${f.destination}`);
    if (f.textOnly) parts.push(Prisma.sql`mtype = 1`);
    return Prisma.join(parts, ' AND ');
  }
}
