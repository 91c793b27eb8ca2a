import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { Prisma, PrismaService } from '@parley/platform';

export interface AppRow {
  id: AppId;
  name: string | null;
  certificate: string | null;
  previousCertificate: string | null;
  previousCertificateUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Message history: store every message; retention and size cap (null: the history service's defaults). */
  historyStoreAll: boolean;
  historyRetentionMs: bigint | null;
  historyMaxBytes: bigint | null;
}

/** The changes of a PATCH: a field that is absent stays as it is; null resets it. */
export interface AppChanges {
  name?: string | null;
  historyStoreAll?: boolean;
  historyRetentionMs?: number | null;
  historyMaxBytes?: number | null;
}

/** The columns of an AppRow, for RETURNING. */
const APP_COLUMNS = Prisma.sql`id, name, certificate, previous_certificate AS "previousCertificate", previous_certificate_until AS "previousCertificateUntil",
  created_at AS "createdAt", updated_at AS "updatedAt", history_store_all AS "historyStoreAll", history_retention_ms AS "historyRetentionMs",
  history_max_bytes AS "historyMaxBytes"`;

/** Rows deleted per table when an app is deleted, and the credentials that lost it. */
export interface DeletedApp {
  deletedRows: Record<string, number>;
  credentialsUpdated: number;
}

/** Deleting a large app's rows may take a while; it is one transaction all the same. */
const DELETE_TIMEOUT_MS = 120_000;

/** The `apps` table, and an app's rows in every table when it is deleted (TOOL_ACCESS 'api/admin'). */
@Injectable()
export class AdminAppsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** null when the id is taken (nothing changes then). */
  async create(appId: AppId, app: { name: string | null; certificate: string | null }): Promise<AppRow | null> {
    const rows = await this.prisma.$queryRaw<AppRow[]>`
      INSERT INTO apps (id, name, certificate, created_at, updated_at) VALUES (${appId}, ${app.name}, ${app.certificate}, now(), now())
      ON CONFLICT (id) DO NOTHING
      RETURNING ${APP_COLUMNS}`;
    return rows[0] ?? null;
  }

  async find(appId: AppId): Promise<AppRow | null> {
    const rows = await this.prisma.$queryRaw<AppRow[]>`SELECT ${APP_COLUMNS} FROM apps WHERE id = ${appId}`;
    return rows[0] ?? null;
  }

  /** Up to `limit` apps with ids after `after`, in id order. */
  async list(limit: number, after: AppId | undefined): Promise<AppRow[]> {
    const where = after === undefined ? Prisma.empty : Prisma.sql`WHERE id > ${after}`;
    return this.prisma.$queryRaw<AppRow[]>`SELECT ${APP_COLUMNS} FROM apps ${where} ORDER BY id LIMIT ${limit}::int`;
  }

  /** Changes the given fields in one statement. null: no such app. */
  async update(appId: AppId, changes: AppChanges): Promise<AppRow | null> {
    const given = (v: unknown) => v !== undefined;
    const rows = await this.prisma.$queryRaw<AppRow[]>`
      UPDATE apps SET
        name = CASE WHEN ${given(changes.name)}::boolean THEN ${changes.name ?? null}::varchar ELSE name END,
        history_store_all = COALESCE(${changes.historyStoreAll ?? null}::boolean, history_store_all),
        history_retention_ms = CASE WHEN ${given(changes.historyRetentionMs)}::boolean THEN ${changes.historyRetentionMs ?? null}::bigint ELSE history_retention_ms END,
        history_max_bytes = CASE WHEN ${given(changes.historyMaxBytes)}::boolean THEN ${changes.historyMaxBytes ?? null}::bigint ELSE history_max_bytes END,
        updated_at = now()
      WHERE id = ${appId}
      RETURNING ${APP_COLUMNS}`;
    return rows[0] ?? null;
  }

  /**
   * Sets a new certificate in one statement: the current one becomes the previous one until
   * `previousUntil` (null: it stops at once). A static app has no previous one. null: no such app.
   */
  async rotateCertificate(appId: AppId, certificate: string, previousUntil: Date | null): Promise<AppRow | null> {
    const rows = await this.prisma.$queryRaw<AppRow[]>`
      UPDATE apps SET
        previous_certificate = CASE WHEN ${previousUntil}::timestamptz IS NULL THEN NULL ELSE certificate END,
        previous_certificate_until = CASE WHEN certificate IS NULL THEN NULL ELSE ${previousUntil}::timestamptz END,
        certificate = ${certificate},
        updated_at = now()
      WHERE id = ${appId}
      RETURNING ${APP_COLUMNS}`;
    return rows[0] ?? null;
  }

  /** Makes the app static (no certificate, no previous one). null: no such app. */
  async removeCertificate(appId: AppId): Promise<AppRow | null> {
    const rows = await this.prisma.$queryRaw<AppRow[]>`
      UPDATE apps SET certificate = NULL, previous_certificate = NULL, previous_certificate_until = NULL, updated_at = now()
      WHERE id = ${appId}
      RETURNING ${APP_COLUMNS}`;
    return rows[0] ?? null;
  }

  /**
   * Deletes the app and its rows of every table keyed by app_id (APP_DATA_TABLES), and removes it
   * from the customer credentials granted it, in one transaction. null: no such app (nothing deleted).
   */
  deleteWithData(appId: AppId): Promise<DeletedApp | null> {
    return this.prisma.$transaction(
      async (tx) => {
        if ((await tx.$executeRaw`DELETE FROM apps WHERE id = ${appId}`) === 0) return null;
        const deletedRows: Record<string, number> = {
          sessions: await tx.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`,
          offline_messages: await tx.$executeRaw`DELETE FROM offline_messages WHERE app_id = ${appId}`,
          channel_members: await tx.$executeRaw`DELETE FROM channel_members WHERE app_id = ${appId}`,
          channels: await tx.$executeRaw`DELETE FROM channels WHERE app_id = ${appId}`,
          user_attributes: await tx.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId}`,
          user_attribute_sets: await tx.$executeRaw`DELETE FROM user_attribute_sets WHERE app_id = ${appId}`,
          channel_attributes: await tx.$executeRaw`DELETE FROM channel_attributes WHERE app_id = ${appId}`,
          channel_attribute_sets: await tx.$executeRaw`DELETE FROM channel_attribute_sets WHERE app_id = ${appId}`,
          metadata_items: await tx.$executeRaw`DELETE FROM metadata_items WHERE app_id = ${appId}`,
          metadata_sets: await tx.$executeRaw`DELETE FROM metadata_sets WHERE app_id = ${appId}`,
          invitations: await tx.$executeRaw`DELETE FROM invitations WHERE app_id = ${appId}`,
          user_bans: await tx.$executeRaw`DELETE FROM user_bans WHERE app_id = ${appId}`,
          channel_bans: await tx.$executeRaw`DELETE FROM channel_bans WHERE app_id = ${appId}`,
          media: await tx.$executeRaw`DELETE FROM media WHERE app_id = ${appId}`,
          webhook_deliveries: await tx.$executeRaw`DELETE FROM webhook_deliveries WHERE app_id = ${appId}`,
          webhook_endpoints: await tx.$executeRaw`DELETE FROM webhook_endpoints WHERE app_id = ${appId}`,
          app_events: await tx.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`,
          event_cursors: await tx.$executeRaw`DELETE FROM event_cursors WHERE app_id = ${appId}`,
          history_messages: await tx.$executeRaw`DELETE FROM history_messages WHERE app_id = ${appId}`,
          history_usage: await tx.$executeRaw`DELETE FROM history_usage WHERE app_id = ${appId}`,
          history_cutoffs: await tx.$executeRaw`DELETE FROM history_cutoffs WHERE app_id = ${appId}`,
        };
        const credentialsUpdated = await tx.$executeRaw`
          UPDATE customer_credentials SET app_ids = array_remove(app_ids, ${appId}::varchar) WHERE ${appId}::varchar = ANY(app_ids)`;
        return { deletedRows, credentialsUpdated };
      },
      { timeout: DELETE_TIMEOUT_MS },
    );
  }
}
