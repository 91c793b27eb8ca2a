import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';

const DAY_MS = 24 * 3600_000;

/** The partition of `history_messages` holding one UTC day: history_messages_YYYYMMDD. */
export function partitionName(dayStartMs: number): string {
  return `history_messages_${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Midnight UTC of the day `ms` falls in. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

const PARTITION_NAME = /^history_messages_(\d{4})(\d{2})(\d{2})$/;

/** The day a partition holds, from its name (undefined: not one of ours). */
export function dayOfPartition(name: string): number | undefined {
  const m = PARTITION_NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/**
 * The day partitions of `history_messages` (docs/architecture.md, "Message history"): created ahead
 * by every replica (idempotent: a racing replica's creation is not an error), dropped whole once
 * every app's retention has passed them.
 */
@Injectable()
export class PartitionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the partitions of these days (UTC midnights) that do not exist yet. */
  async ensure(days: Iterable<number>): Promise<void> {
    for (const day of new Set(days)) {
      const name = partitionName(day);
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      try {
        // Names and bounds come from numbers formatted here, never from input.
        await this.prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF history_messages FOR VALUES FROM ('${from}') TO ('${to}')`);
      } catch (err) {
        // Another replica created it between IF NOT EXISTS and the creation.
        if (!/already exists|duplicate key/i.test((err as Error).message)) throw err;
      }
    }
  }

  /** The days that have a partition. */
  async days(): Promise<number[]> {
    const rows = await this.prisma.$queryRaw<{ name: string }[]>`
      SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'history_messages'`;
    return rows.map((r) => dayOfPartition(r.name)).filter((d): d is number => d !== undefined);
  }

  /** Drops the partition of a day (all its rows, in one catalog operation). */
  async drop(day: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS "${partitionName(day)}"`);
  }
}
