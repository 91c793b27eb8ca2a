import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

export interface WebhookRow {
  id: string;
  appId: string;
  url: string;
  secret: string;
  eventTypes: string[];
  includePayload: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhook {
  id: string;
  url: string;
  secret: string;
  eventTypes: string[];
  includePayload: boolean;
  enabled: boolean;
}

export type WebhookChanges = Partial<Pick<WebhookRow, 'url' | 'secret' | 'eventTypes' | 'includePayload' | 'enabled'>>;

export interface FailureRow {
  id: bigint;
  noticeId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  body: string;
}

/** webhook_deliveries.state */
const DEAD = 2;
const PENDING = 0;

const RETURNING = `id::text AS id, app_id AS "appId", url, secret, coalesce(event_types, '{}') AS "eventTypes", include_payload AS "includePayload", enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The `webhook_endpoints` table (owned by the api), and, as operator tool access (TOOL_ACCESS
 * 'api/admin'), an endpoint's rows of the dispatcher's outbox `webhook_deliveries`: its dead ones
 * listed and queued again, all of them deleted with the endpoint.
 */
@Injectable()
export class AdminWebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts unless the app does not exist or has `max` endpoints already: then null (see appExists). */
  async create(appId: AppId, webhook: NewWebhook, max: number): Promise<WebhookRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<WebhookRow[]>(
      `INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, include_payload, enabled, created_at, updated_at)
       SELECT $1::uuid, $2::varchar, $3::varchar, $4::varchar, $5::varchar[], $6::boolean, $7::boolean, now(), now()
       WHERE EXISTS (SELECT 1 FROM apps WHERE id = $2::varchar) AND (SELECT count(*) FROM webhook_endpoints WHERE app_id = $2::varchar) < $8::int
       RETURNING ${RETURNING}`,
      webhook.id,
      appId,
      webhook.url,
      webhook.secret,
      webhook.eventTypes,
      webhook.includePayload,
      webhook.enabled,
      max,
    );
    return rows[0] ?? null;
  }

  async appExists(appId: AppId): Promise<boolean> {
    return (await this.prisma.app.count({ where: { id: appId } })) > 0;
  }

  /** The app's endpoints, oldest first. */
  async list(appId: AppId): Promise<WebhookRow[]> {
    return this.prisma.$queryRawUnsafe<WebhookRow[]>(`SELECT ${RETURNING} FROM webhook_endpoints WHERE app_id = $1 ORDER BY created_at, id`, appId);
  }

  async find(appId: AppId, id: string): Promise<WebhookRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<WebhookRow[]>(`SELECT ${RETURNING} FROM webhook_endpoints WHERE app_id = $1 AND id = $2::uuid`, appId, id);
    return rows[0] ?? null;
  }

  /** null: no such endpoint of this app. */
  async update(appId: AppId, id: string, changes: WebhookChanges): Promise<WebhookRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<WebhookRow[]>(
      `UPDATE webhook_endpoints SET
         url = coalesce($3::varchar, url),
         secret = coalesce($4::varchar, secret),
         event_types = coalesce($5::varchar[], event_types),
         include_payload = coalesce($6::boolean, include_payload),
         enabled = coalesce($7::boolean, enabled),
         updated_at = now()
       WHERE app_id = $1 AND id = $2::uuid
       RETURNING ${RETURNING}`,
      appId,
      id,
      changes.url ?? null,
      changes.secret ?? null,
      changes.eventTypes ?? null,
      changes.includePayload ?? null,
      changes.enabled ?? null,
    );
    return rows[0] ?? null;
  }

  /** Deletes the endpoint and its outbox rows in one transaction; null: no such endpoint of this app. */
  deleteWithDeliveries(appId: AppId, id: string): Promise<{ deletedDeliveries: number } | null> {
    return this.prisma.$transaction(async (tx) => {
      if ((await tx.$executeRaw`DELETE FROM webhook_endpoints WHERE app_id = ${appId} AND id = ${id}::uuid`) === 0) return null;
      const deletedDeliveries = await tx.$executeRaw`DELETE FROM webhook_deliveries WHERE app_id = ${appId} AND endpoint_id = ${id}::uuid`;
      return { deletedDeliveries };
    });
  }

  /** Up to `limit` dead deliveries of the endpoint with ids after `after`, in id order. */
  failures(appId: AppId, endpointId: string, limit: number, after: bigint | undefined): Promise<FailureRow[]> {
    return this.prisma.$queryRaw<FailureRow[]>`
      SELECT id, notice_id::text AS "noticeId", event_type AS "eventType", attempts, last_status AS "lastStatus", last_error AS "lastError",
             created_at AS "createdAt", body
      FROM webhook_deliveries
      WHERE app_id = ${appId} AND endpoint_id = ${endpointId}::uuid AND state = ${DEAD} AND id > ${after ?? 0n}
      ORDER BY id LIMIT ${limit}`;
  }

  /** Dead deliveries of the endpoint (those of `ids`, or all) become due now, attempts from 0; how many. */
  replay(appId: AppId, endpointId: string, ids: readonly number[] | undefined): Promise<number> {
    if (ids === undefined) {
      return this.prisma.$executeRaw`
        UPDATE webhook_deliveries SET state = ${PENDING}, next_attempt_at = now(), attempts = 0
        WHERE app_id = ${appId} AND endpoint_id = ${endpointId}::uuid AND state = ${DEAD}`;
    }
    return this.prisma.$executeRaw`
      UPDATE webhook_deliveries SET state = ${PENDING}, next_attempt_at = now(), attempts = 0
      WHERE app_id = ${appId} AND endpoint_id = ${endpointId}::uuid AND state = ${DEAD} AND id = ANY(${ids.map(BigInt)}::bigint[])`;
  }
}
