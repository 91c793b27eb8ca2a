import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';

/**
 * Retention and size caps (docs/architecture.md, "Message history"): reads the apps' settings, moves
 * the cutoffs of apps over their cap, forgets usage older than every retention.
 */
@Injectable()
export class MaintenanceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The longest retention of any app (its own setting, else the default), ms. */
  async longestRetentionMs(defaultMs: number): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ ms: bigint | null }[]>`SELECT max(history_retention_ms) AS ms FROM apps`;
    return Math.max(defaultMs, Number(row?.ms ?? 0));
  }

  /**
   * Per app with usage: the earliest hour whose bytes, with every newer hour's, still fit its cap;
   * older hours stop being returned (history_cutoffs.visible_from). Apps within their cap lose their
   * cutoff. Hours are counted within the app's retention only. Returns how many apps are over.
   */
  async applyCaps(defaultMaxBytes: number, defaultRetentionMs: number): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ over: bigint }[]>`
      WITH settings AS (
        SELECT u.app_id,
               COALESCE(a.history_max_bytes, ${BigInt(defaultMaxBytes)}::bigint) AS cap,
               COALESCE(a.history_retention_ms, ${BigInt(defaultRetentionMs)}::bigint) AS ret
        FROM (SELECT DISTINCT app_id FROM history_usage) u LEFT JOIN apps a ON a.id = u.app_id
      ), windowed AS (
        SELECT h.app_id, h.hour, s.cap, sum(h.bytes) OVER (PARTITION BY h.app_id ORDER BY h.hour DESC) AS newer_bytes
        FROM history_usage h JOIN settings s ON s.app_id = h.app_id
        WHERE h.hour >= date_trunc('hour', now() - s.ret * interval '1 millisecond')
      ), over AS (
        SELECT app_id, max(hour) + interval '1 hour' AS visible_from FROM windowed WHERE newer_bytes > cap GROUP BY app_id
      ), set_cutoffs AS (
        INSERT INTO history_cutoffs (app_id, visible_from) SELECT app_id, visible_from FROM over
        ON CONFLICT (app_id) DO UPDATE SET visible_from = EXCLUDED.visible_from
      ), cleared AS (
        DELETE FROM history_cutoffs c WHERE NOT EXISTS (SELECT 1 FROM over o WHERE o.app_id = c.app_id)
      )
      SELECT count(*) AS over FROM over`;
    return Number(row?.over ?? 0);
  }

  /** Usage rows older than `beforeMs` (their partitions are gone). */
  async forgetUsage(beforeMs: number): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM history_usage WHERE hour < to_timestamp(${beforeMs}::float8 / 1000)`;
  }
}
