import { Injectable } from '@nestjs/common';
import { type AppId, type Uid } from '@parley/contracts';
import { UserAttrsOp } from '@parley/contracts/internal';
import { ADVISORY_LOCKS, Prisma, PrismaService } from '@parley/platform';
import type { AttributeChange } from '../rules/attribute-rules';

type Tx = Prisma.TransactionClient;

/** Many writers of one user queue on its set row: wait for the lock rather than fail. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
/** pg_try_advisory_xact_lock key of the orphan sweep: one replica sweeps at a time. */
const SWEEP_LOCK = ADVISORY_LOCKS.ATTRIBUTES_SWEEP;

/**
 * User attribute sets in Postgres. A set belongs to one login (the SDK instance id) and is visible
 * only while the session registry (presence's view `session_registry`) holds a session of that instance.
 */
@Injectable()
export class UserAttributesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One write in one transaction. Upserting the set row locks it, so writers of one user queue; a set
   * of another login is emptied first. `check` sees the current attributes and throws to abort the
   * write (nothing changes). `instanceId` undefined: the user's current login, read from the session
   * registry in this transaction (false, nothing written, when the user has no session).
   */
  async write(
    appId: AppId,
    uid: Uid,
    instanceId: string | undefined,
    change: AttributeChange,
    check: (current: ReadonlyMap<string, string>) => void,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const login = instanceId ?? (await this.currentLogin(tx, appId, uid));
      if (login === undefined) return false;
      const [set] = await tx.$queryRaw<{ instance_id: string; inserted: boolean }[]>`
        INSERT INTO user_attribute_sets (app_id, uid, instance_id, updated_at) VALUES (${appId}, ${uid}, ${login}, now())
        ON CONFLICT (app_id, uid) DO UPDATE SET updated_at = now()
        RETURNING instance_id, (xmax = 0) AS inserted`;
      const fresh = set!.inserted || set!.instance_id !== login;
      if (fresh) {
        // A new login starts from an empty set (also if rows of an earlier one were left behind).
        await tx.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid}`;
        if (!set!.inserted) {
          await tx.$executeRaw`UPDATE user_attribute_sets SET instance_id = ${login} WHERE app_id = ${appId} AND uid = ${uid}`;
        }
      }
      check(fresh ? new Map() : await this.current(tx, appId, uid));
      await this.apply(tx, appId, uid, change);
      return true;
    }, TX_OPTIONS);
  }

  /** The attributes of the user's current login ({} when the user has no session, or the set is of another instance). */
  async get(appId: AppId, uid: Uid, keys?: readonly string[]): Promise<Map<string, string>> {
    const only = keys ? Prisma.sql`AND a.key = ANY(${[...keys]}::text[])` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<{ key: string; value: string }[]>`
      SELECT a.key, a.value
      FROM user_attributes a
      JOIN user_attribute_sets s ON s.app_id = a.app_id AND s.uid = a.uid
      JOIN session_registry x ON x.app_id = s.app_id AND x.uid = s.uid AND x.instance_id = s.instance_id
      WHERE a.app_id = ${appId} AND a.uid = ${uid} ${only}`;
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** Removes the set of this login (a newer login's set stays); true when there was one. */
  async remove(appId: AppId, uid: Uid, instanceId: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const removed = await tx.$executeRaw`
        DELETE FROM user_attribute_sets WHERE app_id = ${appId} AND uid = ${uid} AND instance_id = ${instanceId}`;
      // A separate statement: it sees attributes a writer committed while this one waited for the set row.
      if (removed > 0) await tx.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid}`;
      return removed > 0;
    }, TX_OPTIONS);
  }

  /**
   * Deletes sets whose login has no session any more and that were not written for `idleMs` (a write
   * can come just before its session is registered), then attributes without a set. One replica at a
   * time (an advisory lock), the others skip; returns the number of sets removed. When there is
   * nothing to delete (the usual case) it is one read, without a transaction.
   */
  async sweepOrphans(idleMs: number): Promise<number> {
    if (!(await this.hasOrphans(idleMs))) return 0;
    return this.prisma.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`;
      if (!lock!.locked) return 0;
      const idle = `${idleMs} milliseconds`;
      const [gone] = await tx.$queryRaw<{ n: number }[]>`
        WITH gone AS (
          DELETE FROM user_attribute_sets s
          WHERE s.updated_at < now() - ${idle}::interval
            AND NOT EXISTS (SELECT 1 FROM session_registry x WHERE x.app_id = s.app_id AND x.uid = s.uid AND x.instance_id = s.instance_id)
          RETURNING s.app_id, s.uid
        ), attrs AS (
          DELETE FROM user_attributes a USING gone g WHERE a.app_id = g.app_id AND a.uid = g.uid
        )
        SELECT count(*)::int AS n FROM gone`;
      await tx.$executeRaw`
        DELETE FROM user_attributes a
        WHERE NOT EXISTS (SELECT 1 FROM user_attribute_sets s WHERE s.app_id = a.app_id AND s.uid = a.uid)`;
      return gone!.n;
    }, TX_OPTIONS);
  }

  /** Whether sweepOrphans would delete anything (the same conditions, read only). */
  private async hasOrphans(idleMs: number): Promise<boolean> {
    const idle = `${idleMs} milliseconds`;
    const [row] = await this.prisma.$queryRaw<{ any: boolean }[]>`
      SELECT EXISTS (
          SELECT 1 FROM user_attribute_sets s
          WHERE s.updated_at < now() - ${idle}::interval
            AND NOT EXISTS (SELECT 1 FROM session_registry x WHERE x.app_id = s.app_id AND x.uid = s.uid AND x.instance_id = s.instance_id)
        ) OR EXISTS (
          SELECT 1 FROM user_attributes a
          WHERE NOT EXISTS (SELECT 1 FROM user_attribute_sets s WHERE s.app_id = a.app_id AND s.uid = a.uid)
        ) AS any`;
    return row?.any === true;
  }

  /** The SDK instance of the user's session in the registry (one per uid), if any. */
  private async currentLogin(tx: Tx, appId: AppId, uid: Uid): Promise<string | undefined> {
    const [row] = await tx.$queryRaw<{ instance_id: string }[]>`
      SELECT instance_id FROM session_registry WHERE app_id = ${appId} AND uid = ${uid}`;
    return row?.instance_id;
  }

  private async current(tx: Tx, appId: AppId, uid: Uid): Promise<Map<string, string>> {
    const rows = await tx.$queryRaw<{ key: string; value: string }[]>`
      SELECT key, value FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid}`;
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  private async apply(tx: Tx, appId: AppId, uid: Uid, change: AttributeChange): Promise<void> {
    switch (change.op) {
      case UserAttrsOp.SET:
        await tx.$executeRaw`
          DELETE FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid} AND NOT (key = ANY(${[...change.attrs.keys()]}::text[]))`;
        await this.upsert(tx, appId, uid, change.attrs);
        return;
      case UserAttrsOp.ADD:
        await this.upsert(tx, appId, uid, change.attrs);
        return;
      case UserAttrsOp.DELETE:
        await tx.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid} AND key = ANY(${[...change.keys]}::text[])`;
        return;
      case UserAttrsOp.CLEAR:
        await tx.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid}`;
        return;
    }
  }

  private async upsert(tx: Tx, appId: AppId, uid: Uid, attrs: ReadonlyMap<string, string>): Promise<void> {
    if (attrs.size === 0) return;
    await tx.$executeRaw`
      INSERT INTO user_attributes (app_id, uid, key, value)
      SELECT ${appId}, ${uid}, t.key, t.value FROM unnest(${[...attrs.keys()]}::text[], ${[...attrs.values()]}::text[]) AS t(key, value)
      ON CONFLICT (app_id, uid, key) DO UPDATE SET value = EXCLUDED.value`;
  }
}
