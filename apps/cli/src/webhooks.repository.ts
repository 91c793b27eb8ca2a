import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId } from '@parley/contracts';
import { WEBHOOKS_PER_APP_MAX } from '@parley/contracts/internal';
import { CliError } from './cli-error';
import { unknownAppError } from './customers.repository';
import type { PgDatabase } from './database';

export interface WebhookRecord {
  id: string;
  appId: string;
  url: string;
  /** Empty: every event type except the opt-in message ones. */
  eventTypes: string[];
  includePayload: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhook {
  url: string;
  eventTypes: string[];
  includePayload: boolean;
  enabled: boolean;
}

export interface WebhookTestResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  body: string;
  error: string | null;
}

export interface WebhookFailure {
  id: number;
  noticeId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  body: string;
}

/** Webhook endpoints, in Postgres (add, list, remove) or through the api's admin API (all of them). */
export interface WebhooksRepository {
  /** The endpoint with its secret (shown only now); a CliError for an unknown app or one with too many endpoints. */
  create(appId: AppId, webhook: NewWebhook): Promise<{ webhook: WebhookRecord; secret: string }>;
  /** The app's endpoints, oldest first; a CliError for an unknown app. */
  list(appId: AppId): Promise<WebhookRecord[]>;
  /** Deletes the endpoint with its outbox rows; false when the app has no such endpoint. */
  remove(appId: AppId, id: string): Promise<boolean>;
  /** A signed ping sent by the api now; null when the app has no such endpoint. */
  test(appId: AppId, id: string): Promise<WebhookTestResult | null>;
  /** Every dead delivery of the endpoint, oldest first; null when the app has no such endpoint. */
  failures(appId: AppId, id: string): Promise<WebhookFailure[] | null>;
  /** Queues dead deliveries again (those of ids, or all); how many, or null when no such endpoint. */
  replay(appId: AppId, id: string, ids: number[] | undefined): Promise<number | null>;
}

export const apiOnly = (what: string) =>
  new CliError(`parley webhook ${what} works only through the admin API (the api sends the request): set PARLEY_API_URL and PARLEY_ADMIN_TOKEN`);

interface WebhookRow {
  id: string;
  app_id: string;
  url: string;
  event_types: string[] | null;
  include_payload: boolean;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id::text AS id, app_id, url, event_types, include_payload, enabled, created_at, updated_at';

const toRecord = (row: WebhookRow): WebhookRecord => ({
  id: row.id,
  appId: row.app_id,
  url: row.url,
  eventTypes: row.event_types ?? [],
  includePayload: row.include_payload,
  enabled: row.enabled,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The `webhook_endpoints` table (owned by the api; the CLI is an operator tool next to its admin
 * API), and an endpoint's rows of the outbox when it is removed. Secrets are made as the admin API
 * makes them (32 random bytes, base64url). Test pings, failures and replays need the api.
 */
export class PgWebhooksRepository implements WebhooksRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(appId: AppId, webhook: NewWebhook): Promise<{ webhook: WebhookRecord; secret: string }> {
    const secret = randomBytes(32).toString('base64url');
    const rows = await this.db.query<WebhookRow>(
      `INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, include_payload, enabled, created_at, updated_at)
       SELECT $1::uuid, $2::varchar, $3::varchar, $4::varchar, $5::varchar[], $6::boolean, $7::boolean, now(), now()
       WHERE EXISTS (SELECT 1 FROM apps WHERE id = $2::varchar) AND (SELECT count(*) FROM webhook_endpoints WHERE app_id = $2::varchar) < $8::int
       RETURNING ${COLUMNS}`,
      [randomUUID(), appId, webhook.url, secret, webhook.eventTypes, webhook.includePayload, webhook.enabled, WEBHOOKS_PER_APP_MAX],
    );
    if (rows[0]) return { webhook: toRecord(rows[0]), secret };
    await this.requireApp(appId);
    throw new CliError(`app ${appId} has ${WEBHOOKS_PER_APP_MAX} webhooks already (the most one app may have)`);
  }

  async list(appId: AppId): Promise<WebhookRecord[]> {
    const rows = await this.db.query<WebhookRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE app_id = $1 ORDER BY created_at, id`, [appId]);
    if (rows.length === 0) await this.requireApp(appId);
    return rows.map(toRecord);
  }

  /** Same statements as the admin API (apps/api/src/admin/admin-webhooks.repository.ts), in one transaction. */
  remove(appId: AppId, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if ((await tx.query('DELETE FROM webhook_endpoints WHERE app_id = $1 AND id = $2::uuid RETURNING id', [appId, id])).length === 0) return false;
      await tx.query('DELETE FROM webhook_deliveries WHERE app_id = $1 AND endpoint_id = $2::uuid', [appId, id]);
      return true;
    });
  }

  test(): Promise<WebhookTestResult | null> {
    return Promise.reject(apiOnly('test'));
  }

  failures(): Promise<WebhookFailure[] | null> {
    return Promise.reject(apiOnly('failures'));
  }

  replay(): Promise<number | null> {
    return Promise.reject(apiOnly('replay'));
  }

  private async requireApp(appId: AppId): Promise<void> {
    if ((await this.db.query('SELECT 1 FROM apps WHERE id = $1', [appId])).length === 0) throw unknownAppError(appId);
  }
}
