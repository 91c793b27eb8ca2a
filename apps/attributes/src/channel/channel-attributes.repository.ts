import { Injectable } from '@nestjs/common';
import { type AppId, type ChannelAttributesMap, type ChannelId, type Uid } from '@parley/contracts';
import { UserAttrsOp } from '@parley/contracts/internal';
import { Prisma, PrismaService } from '@parley/platform';
import type { AttributeChange } from '../rules/attribute-rules';

type Tx = Prisma.TransactionClient;

/** Many writers of one channel queue on its set row: wait for the lock rather than fail. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

interface AttributeRow {
  key: string;
  value: string;
  last_update_user_id: string;
  last_update_ts: bigint;
}

function toMap(rows: AttributeRow[]): ChannelAttributesMap {
  return Object.fromEntries(rows.map((r) => [r.key, { value: r.value, lastUpdateUserId: r.last_update_user_id, lastUpdateTs: Number(r.last_update_ts) }]));
}

/** Called inside the write's transaction, while the channel's set row is still locked. */
export type AfterWrite = (attrs: ChannelAttributesMap, version: number) => Promise<void>;

/** Channel attribute sets in Postgres; they outlive members, sessions and restarts. */
@Injectable()
export class ChannelAttributesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One write in one transaction. Upserting the set row bumps its version and locks it, so writers of
   * one channel (on any replica) queue there. `check` sees the current values and throws to abort (the
   * version bump is rolled back with the rest); `afterWrite`, when given, receives the full set after
   * the write before the lock is released. Returns the new version.
   */
  async write(
    appId: AppId,
    ch: ChannelId,
    uid: Uid,
    change: AttributeChange,
    check: (current: ReadonlyMap<string, string>) => void,
    afterWrite?: AfterWrite,
  ): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      // clock_timestamp() after the lock: a later writer never stamps an earlier time than this one.
      const [set] = await tx.$queryRaw<{ version: bigint; now_ms: bigint }[]>`
        INSERT INTO channel_attribute_sets (app_id, channel_id, version, updated_at) VALUES (${appId}, ${ch}, 1, now())
        ON CONFLICT (app_id, channel_id) DO UPDATE SET version = channel_attribute_sets.version + 1, updated_at = now()
        RETURNING version, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms`;
      const version = Number(set!.version);
      const current = await this.read(tx, appId, ch);
      check(new Map(current.map((r) => [r.key, r.value])));
      await this.apply(tx, appId, ch, uid, set!.now_ms, change);
      if (afterWrite) await afterWrite(toMap(await this.read(tx, appId, ch)), version);
      return version;
    }, TX_OPTIONS);
  }

  async get(appId: AppId, ch: ChannelId, keys?: readonly string[]): Promise<ChannelAttributesMap> {
    return toMap(await this.read(this.prisma, appId, ch, keys));
  }

  private read(tx: Tx, appId: AppId, ch: ChannelId, keys?: readonly string[]): Promise<AttributeRow[]> {
    const only = keys ? Prisma.sql`AND key = ANY(${[...keys]}::text[])` : Prisma.empty;
    return tx.$queryRaw<AttributeRow[]>`
      SELECT key, value, last_update_user_id, last_update_ts FROM channel_attributes
      WHERE app_id = ${appId} AND channel_id = ${ch} ${only} ORDER BY key`;
  }

  private async apply(tx: Tx, appId: AppId, ch: ChannelId, uid: Uid, nowMs: bigint, change: AttributeChange): Promise<void> {
    switch (change.op) {
      case UserAttrsOp.SET:
        await tx.$executeRaw`
          DELETE FROM channel_attributes
          WHERE app_id = ${appId} AND channel_id = ${ch} AND NOT (key = ANY(${[...change.attrs.keys()]}::text[]))`;
        await this.upsert(tx, appId, ch, uid, nowMs, change.attrs);
        return;
      case UserAttrsOp.ADD:
        await this.upsert(tx, appId, ch, uid, nowMs, change.attrs);
        return;
      case UserAttrsOp.DELETE:
        await tx.$executeRaw`
          DELETE FROM channel_attributes WHERE app_id = ${appId} AND channel_id = ${ch} AND key = ANY(${[...change.keys]}::text[])`;
        return;
      case UserAttrsOp.CLEAR:
        await tx.$executeRaw`DELETE FROM channel_attributes WHERE app_id = ${appId} AND channel_id = ${ch}`;
        return;
    }
  }

  private async upsert(tx: Tx, appId: AppId, ch: ChannelId, uid: Uid, nowMs: bigint, attrs: ReadonlyMap<string, string>): Promise<void> {
    if (attrs.size === 0) return;
    await tx.$executeRaw`
      INSERT INTO channel_attributes (app_id, channel_id, key, value, last_update_user_id, last_update_ts)
      SELECT ${appId}, ${ch}, t.key, t.value, ${uid}, ${nowMs}
      FROM unnest(${[...attrs.keys()]}::text[], ${[...attrs.values()]}::text[]) AS t(key, value)
      ON CONFLICT (app_id, channel_id, key) DO UPDATE
        SET value = EXCLUDED.value, last_update_user_id = EXCLUDED.last_update_user_id, last_update_ts = EXCLUDED.last_update_ts`;
  }
}
