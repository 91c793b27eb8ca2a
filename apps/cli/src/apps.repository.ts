import type { AppId } from '@parley/contracts';
import { generateCertificate } from '@parley/tokens';
import type { PgDatabase } from './database';

export interface AppRecord {
  id: AppId;
  name: string | null;
  /** Logins need a token (the app has a certificate). */
  certified: boolean;
  /**
   * The App Certificate (null: static). Through the admin API it is known only when just made
   * (creation, rotation): elsewhere it is null, `certified` says whether there is one.
   */
  certificate: string | null;
  /** Until when tokens of the certificate a rotation replaced still verify; null: none does. */
  previousCertificateUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewApp {
  name: string | null;
  /** true: the app gets a fresh App Certificate. */
  certified: boolean;
}

/** Apps, in Postgres (PgAppsRepository) or through the api's admin API (admin-api.client.ts). */
export interface AppsRepository {
  /** Creates the app; null when the id is taken (nothing is changed then). */
  create(appId: AppId, app: NewApp): Promise<AppRecord | null>;
  find(appId: AppId): Promise<AppRecord | null>;
  /** All apps, oldest first. */
  list(): Promise<AppRecord[]>;
  /**
   * A new certificate; tokens of the replaced one still verify for overlapSeconds (0: not at all).
   * A static app simply gets one. null when the app does not exist.
   */
  rotateCertificate(appId: AppId, overlapSeconds: number): Promise<AppRecord | null>;
  /** Makes the app static; null when it does not exist. */
  removeCertificate(appId: AppId): Promise<AppRecord | null>;
  /** Deletes the app with all its data (every table keyed by app_id, its credential grants); false when it does not exist. */
  delete(appId: AppId): Promise<boolean>;
}

interface AppRow {
  id: string;
  name: string | null;
  certificate: string | null;
  previous_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, name, certificate, created_at, updated_at,
  CASE WHEN previous_certificate IS NOT NULL AND previous_certificate_until > now() THEN previous_certificate_until END AS previous_until`;

const toRecord = (row: AppRow): AppRecord => ({
  id: row.id as AppId,
  name: row.name,
  certified: row.certificate !== null,
  certificate: row.certificate,
  previousCertificateUntil: row.previous_until,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The `apps` table (prisma/schema.prisma, model App), and an app's rows everywhere when it is deleted (TOOL_ACCESS cli). */
export class PgAppsRepository implements AppsRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly newCertificate: () => string = generateCertificate,
  ) {}

  async create(appId: AppId, app: NewApp): Promise<AppRecord | null> {
    const rows = await this.db.query<AppRow>(
      `INSERT INTO apps (id, name, certificate, created_at, updated_at) VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [appId, app.name, app.certified ? this.newCertificate() : null],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async find(appId: AppId): Promise<AppRecord | null> {
    const rows = await this.db.query<AppRow>(`SELECT ${COLUMNS} FROM apps WHERE id = $1`, [appId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.db.query<AppRow>(`SELECT ${COLUMNS} FROM apps ORDER BY created_at, id`, []);
    return rows.map(toRecord);
  }

  /** One statement, as the admin API's: the current certificate becomes the previous one (unless overlap 0 or none). */
  async rotateCertificate(appId: AppId, overlapSeconds: number): Promise<AppRecord | null> {
    const rows = await this.db.query<AppRow>(
      `UPDATE apps SET
         previous_certificate = CASE WHEN $3::int > 0 THEN certificate END,
         previous_certificate_until = CASE WHEN $3::int > 0 AND certificate IS NOT NULL THEN now() + make_interval(secs => $3::int) END,
         certificate = $2, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [appId, this.newCertificate(), overlapSeconds],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async removeCertificate(appId: AppId): Promise<AppRecord | null> {
    const rows = await this.db.query<AppRow>(
      `UPDATE apps SET certificate = NULL, previous_certificate = NULL, previous_certificate_until = NULL, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [appId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Same statements as the admin API (apps/api/src/admin/admin-apps.repository.ts), in one transaction. */
  delete(appId: AppId): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if ((await tx.query('DELETE FROM apps WHERE id = $1 RETURNING id', [appId])).length === 0) return false;
      await tx.query('DELETE FROM sessions WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM offline_messages WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM channel_members WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM channels WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM user_attributes WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM user_attribute_sets WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM channel_attributes WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM channel_attribute_sets WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM metadata_items WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM metadata_sets WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM invitations WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM user_bans WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM channel_bans WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM media WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM webhook_deliveries WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM webhook_endpoints WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM app_events WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM event_cursors WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM history_messages WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM history_usage WHERE app_id = $1', [appId]);
      await tx.query('DELETE FROM history_cutoffs WHERE app_id = $1', [appId]);
      await tx.query('UPDATE customer_credentials SET app_ids = array_remove(app_ids, $1::varchar) WHERE $1::varchar = ANY(app_ids)', [appId]);
      return true;
    });
  }
}
