import { Injectable } from '@nestjs/common';
import { type AppId, type ChannelId, type MetadataData, type MetadataItemData, type Uid } from '@parley/contracts';
import type { MetadataChangedDetail } from '@parley/contracts/internal';
import { Prisma, PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';
import { applyPlan, changeDetail, type MetadataChange, type MetadataPlan, type MetadataState } from './metadata-rules';

type Tx = Prisma.TransactionClient;

/** Many writers of one set queue on its row: wait for the lock rather than fail. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/** Whose set: a user's or a channel's (the app is the repository calls' first argument). */
export type MetadataTarget = { scope: 'u'; name: Uid } | { scope: 'c'; name: ChannelId };

export const userTarget = (uid: Uid): MetadataTarget => ({ scope: 'u', name: uid });
export const channelTarget = (ch: ChannelId): MetadataTarget => ({ scope: 'c', name: ch });

interface ItemRow {
  key: string;
  value: string;
  revision: bigint;
  update_ts: bigint;
  author_uid: string;
}

function toItem(r: ItemRow): MetadataItemData {
  return { key: r.key, value: r.value, revision: Number(r.revision), updateTs: Number(r.update_ts), authorUserId: r.author_uid };
}

/** Called inside the write's transaction with the set it leaves, while the set's row is still locked. */
export type AfterWrite = (after: MetadataData) => Promise<void>;

/**
 * Metadata sets in Postgres (`metadata_sets`, `metadata_items`); they outlive sessions, members and
 * restarts. Writers of one set queue on its row, so each write reads, checks and writes a set nobody
 * else changes meanwhile, on any replica.
 */
@Injectable()
export class MetadataRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One write in one transaction: lock the set's row (created at majorRevision 0 when missing), read
   * its items, let `plan` decide (it throws to refuse: the transaction rolls back and nothing
   * changes), take the new revision from the column's sequence, write, then hand the resulting set
   * to `afterWrite` before the lock is released. Returns that set.
   */
  async write(
    appId: AppId,
    target: MetadataTarget,
    change: MetadataChange,
    plan: (current: MetadataState) => MetadataPlan,
    afterWrite: AfterWrite,
  ): Promise<MetadataData> {
    // The set's row exists, committed, before any write of it takes its lock: a reader that comes
    // while the write's event is already out (it is published before the commit) waits for that
    // commit on the row (get() reads FOR SHARE) instead of missing both. An empty row at revision 0
    // reads as a set never written.
    await this.ensureSet(this.prisma, appId, target);
    return this.prisma.$transaction(async (tx) => {
      let majorRevision = await this.lock(tx, appId, target);
      if (majorRevision === undefined) {
        await this.ensureSet(tx, appId, target); // deleted meanwhile (its app was deleted): written again
        majorRevision = (await this.lock(tx, appId, target))!;
      }
      const items = await this.items(tx, appId, target);
      const current: MetadataState = { majorRevision, items: new Map(items.map((i) => [i.key, i])) };
      const decided = plan(current);
      const { scope, name } = target;
      // clock_timestamp() after the lock: a later writer never records an earlier time than this one.
      const [next] = await tx.$queryRaw<{ major_revision: bigint; now_ms: bigint }[]>`
        UPDATE metadata_sets SET major_revision = nextval(pg_get_serial_sequence('metadata_sets', 'major_revision')), updated_at = now()
        WHERE app_id = ${appId} AND scope = ${scope} AND name = ${name}
        RETURNING major_revision, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms`;
      const revision = Number(next!.major_revision);
      const nowMs = Number(next!.now_ms);
      await this.apply(tx, appId, target, decided, change, revision, nowMs);
      const after = applyPlan(current, decided, change, revision, nowMs);
      await this.record(tx, appId, target, changeDetail(current, after, change));
      await afterWrite(after);
      return after;
    }, TX_OPTIONS);
  }

  /**
   * The set as last committed ({items: [], majorRevision: 0} when never written). It waits for a
   * write holding the set's lock to end: never older than an event that write already published.
   */
  async get(appId: AppId, target: MetadataTarget): Promise<MetadataData> {
    const rows = await this.prisma.$queryRaw<(Partial<ItemRow> & { major_revision: bigint })[]>`
      SELECT s.major_revision, i.key, i.value, i.revision, i.update_ts, i.author_uid
      FROM metadata_sets s
      LEFT JOIN metadata_items i ON i.app_id = s.app_id AND i.scope = s.scope AND i.name = s.name
      WHERE s.app_id = ${appId} AND s.scope = ${target.scope} AND s.name = ${target.name}
      ORDER BY i.key COLLATE "C"
      FOR SHARE OF s`;
    if (rows.length === 0) return { items: [], majorRevision: 0 };
    return {
      majorRevision: Number(rows[0]!.major_revision),
      items: rows.filter((r): r is ItemRow & { major_revision: bigint } => typeof r.key === 'string').map(toItem),
    };
  }

  /**
   * The write's event in the record (kind `metadata`, type `User` with the user as uid, or `Channel`
   * with the writer as uid and the channel), in the write's transaction: a committed write always has
   * its event (the webhooks' metadata.user / metadata.channel), a refused one none.
   */
  private async record(tx: Tx, appId: AppId, { scope, name }: MetadataTarget, detail: MetadataChangedDetail): Promise<void> {
    const [type, uid, ch] = scope === 'u' ? ['User', name, null] : ['Channel', detail.author, name];
    await tx.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts, detail, trace_parent)
      VALUES (${appId}, 'metadata', ${type}, ${uid}, ${ch}, clock_timestamp(), ${JSON.stringify(detail)}::jsonb, ${activeTraceparent()})`;
  }

  private async ensureSet(tx: Tx, appId: AppId, { scope, name }: MetadataTarget): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO metadata_sets (app_id, scope, name, major_revision, updated_at) VALUES (${appId}, ${scope}, ${name}, 0, now())
      ON CONFLICT (app_id, scope, name) DO NOTHING`;
  }

  /** Locks the set's row; its majorRevision, or undefined when there is no row. */
  private async lock(tx: Tx, appId: AppId, { scope, name }: MetadataTarget): Promise<number | undefined> {
    const [set] = await tx.$queryRaw<{ major_revision: bigint }[]>`
      SELECT major_revision FROM metadata_sets WHERE app_id = ${appId} AND scope = ${scope} AND name = ${name} FOR UPDATE`;
    return set ? Number(set.major_revision) : undefined;
  }

  private async items(tx: Tx, appId: AppId, target: MetadataTarget): Promise<MetadataItemData[]> {
    const rows = await tx.$queryRaw<ItemRow[]>`
      SELECT key, value, revision, update_ts, author_uid FROM metadata_items
      WHERE app_id = ${appId} AND scope = ${target.scope} AND name = ${target.name}`;
    return rows.map(toItem);
  }

  private async apply(
    tx: Tx,
    appId: AppId,
    { scope, name }: MetadataTarget,
    plan: MetadataPlan,
    change: Pick<MetadataChange, 'recordTs' | 'recordUserId' | 'author'>,
    revision: number,
    nowMs: number,
  ): Promise<void> {
    const kept = plan.upserts.map((i) => i.key);
    if (plan.replace) {
      await tx.$executeRaw`
        DELETE FROM metadata_items WHERE app_id = ${appId} AND scope = ${scope} AND name = ${name} AND NOT (key = ANY(${kept}::text[]))`;
    } else if (plan.deletes.length > 0) {
      await tx.$executeRaw`
        DELETE FROM metadata_items WHERE app_id = ${appId} AND scope = ${scope} AND name = ${name} AND key = ANY(${[...plan.deletes]}::text[])`;
    }
    if (plan.upserts.length === 0) return;
    // Bigints: a time in ms (and, one day, a revision) does not fit the int4 a JS number is sent as.
    const ts = BigInt(change.recordTs ? nowMs : 0);
    const author = change.recordUserId ? change.author : '';
    await tx.$executeRaw`
      INSERT INTO metadata_items (app_id, scope, name, key, value, revision, update_ts, author_uid)
      SELECT ${appId}, ${scope}, ${name}, t.key, t.value, ${BigInt(revision)}, ${ts}, ${author}
      FROM unnest(${kept}::text[], ${plan.upserts.map((i) => i.value)}::text[]) AS t(key, value)
      ON CONFLICT (app_id, scope, name, key) DO UPDATE
        SET value = EXCLUDED.value, revision = EXCLUDED.revision, update_ts = EXCLUDED.update_ts, author_uid = EXCLUDED.author_uid`;
  }
}
