import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { webhookSignatureHeaders } from '@parley/platform';
import type { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { ApiError, badRequest, notFound } from '../http/api-error';
import { AdminWebhooksRepository, type WebhookChanges, type WebhookRow } from './admin-webhooks.repository';
import {
  type AdminWebhookFailureView,
  type AdminWebhookTestResultView,
  type AdminWebhookView,
  type AdminWebhookWithSecretView,
  type CreateWebhookBody,
  type FailuresQuery,
  type ReplayBody,
  type UpdateWebhookBody,
} from './admin-webhooks.schemas';
import { WEBHOOK_PRODUCT_ID, WEBHOOKS_PER_APP_MAX } from '@parley/contracts/internal';
import { PAGE_DEFAULT } from './admin.schemas';
import { PrivateAddressError, WebhookPingClient } from './webhook-ping.client';
import { webhookUrlProblem } from './webhook-url.rules';

/** A receiver must answer within this (as for real deliveries). */
export const WEBHOOK_TEST_TIMEOUT_MS = 10_000;
/** The test answer shows this much of the receiver's body. */
export const WEBHOOK_TEST_BODY_BYTES = 1024;

const unknownWebhook = (id: string) => notFound(`unknown webhook ${id}`);
const newSecret = () => randomBytes(32).toString('base64url');

/**
 * Webhook endpoints of an app: URLs checked against the server's rules (https unless allowed, no
 * credentials, no private address literals unless allowed), secrets shown only when made, a signed
 * test ping sent from here, and the endpoint's dead deliveries listed and replayed.
 */
@Injectable()
export class AdminWebhooksService {
  constructor(
    private readonly repository: AdminWebhooksRepository,
    private readonly ping: WebhookPingClient,
    @Inject(API_CONFIG) private readonly config: Pick<ApiConfig, 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOW_PRIVATE'>,
  ) {}

  async create(appId: AppId, body: z.infer<typeof CreateWebhookBody>): Promise<AdminWebhookWithSecretView> {
    this.checkUrl(body.url);
    const row = await this.repository.create(
      appId,
      {
        id: randomUUID(),
        url: body.url,
        secret: body.secret ?? newSecret(),
        eventTypes: [...new Set(body.eventTypes ?? [])],
        includePayload: body.includePayload ?? false,
        enabled: body.enabled ?? true,
      },
      WEBHOOKS_PER_APP_MAX,
    );
    if (!row) {
      if (!(await this.repository.appExists(appId))) throw notFound(`unknown app ${appId}`);
      throw new ApiError(409, 'too_many_webhooks', `app ${appId} has ${WEBHOOKS_PER_APP_MAX} webhooks already (the most one app may have)`);
    }
    return withSecret(row);
  }

  async list(appId: AppId): Promise<{ webhooks: AdminWebhookView[] }> {
    const rows = await this.repository.list(appId);
    if (rows.length === 0 && !(await this.repository.appExists(appId))) throw notFound(`unknown app ${appId}`);
    return { webhooks: rows.map(view) };
  }

  async get(appId: AppId, id: string): Promise<AdminWebhookView> {
    return view(await this.findOrFail(appId, id));
  }

  /** The changed endpoint; with its new secret when rotateSecret (shown only then). */
  async update(appId: AppId, id: string, body: z.infer<typeof UpdateWebhookBody>): Promise<AdminWebhookView | AdminWebhookWithSecretView> {
    if (body.url !== undefined) this.checkUrl(body.url);
    const changes: WebhookChanges = {
      url: body.url,
      eventTypes: body.eventTypes && [...new Set(body.eventTypes)],
      includePayload: body.includePayload,
      enabled: body.enabled,
      secret: body.rotateSecret ? newSecret() : undefined,
    };
    const row = await this.repository.update(appId, id, changes);
    if (!row) throw unknownWebhook(id);
    return body.rotateSecret ? withSecret(row) : view(row);
  }

  async delete(appId: AppId, id: string): Promise<{ id: string; deletedDeliveries: number }> {
    const deleted = await this.repository.deleteWithDeliveries(appId, id);
    if (!deleted) throw unknownWebhook(id);
    return { id, ...deleted };
  }

  /** Sends a signed ping now (also to a disabled endpoint) and reports the receiver's answer. */
  async test(appId: AppId, id: string): Promise<AdminWebhookTestResultView> {
    const webhook = await this.findOrFail(appId, id);
    const body = JSON.stringify({
      noticeId: randomUUID(),
      productId: WEBHOOK_PRODUCT_ID,
      eventType: 0,
      notifyMs: Date.now(),
      sid: randomUUID(),
      payload: { ping: true },
      event: 'webhook.test',
    });
    try {
      const answer = await this.ping.post({
        url: webhook.url,
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'Parley-Webhooks', ...webhookSignatureHeaders(webhook.secret, body) },
        timeoutMs: WEBHOOK_TEST_TIMEOUT_MS,
        maxBodyBytes: WEBHOOK_TEST_BODY_BYTES,
        allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE,
      });
      const ok = answer.status !== null && answer.status >= 200 && answer.status < 300;
      return { ok, status: answer.status, durationMs: answer.durationMs, body: answer.body, error: answer.error };
    } catch (err) {
      if (err instanceof PrivateAddressError) throw badRequest(err.message, 'private_address');
      throw err;
    }
  }

  async failures(appId: AppId, id: string, query: z.infer<typeof FailuresQuery>): Promise<{ failures: AdminWebhookFailureView[]; next: string | null }> {
    await this.findOrFail(appId, id);
    const limit = query.limit ?? PAGE_DEFAULT;
    const rows = await this.repository.failures(appId, id, limit + 1, query.after === undefined ? undefined : BigInt(query.after));
    const page = rows.slice(0, limit);
    return {
      failures: page.map((r) => ({
        id: Number(r.id),
        noticeId: r.noticeId,
        eventType: r.eventType,
        attempts: r.attempts,
        lastStatus: r.lastStatus,
        lastError: r.lastError,
        createdAt: r.createdAt.toISOString(),
        body: r.body,
      })),
      next: rows.length > limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** Dead deliveries (those of ids, or all of the endpoint) are queued again, due now. */
  async replay(appId: AppId, id: string, body: z.infer<typeof ReplayBody>): Promise<{ replayed: number }> {
    await this.findOrFail(appId, id);
    return { replayed: await this.repository.replay(appId, id, body.ids && [...new Set(body.ids)]) };
  }

  private async findOrFail(appId: AppId, id: string): Promise<WebhookRow> {
    const row = await this.repository.find(appId, id);
    if (!row) throw unknownWebhook(id);
    return row;
  }

  private checkUrl(url: string): void {
    const problem = webhookUrlProblem(url, { allowHttp: this.config.WEBHOOK_ALLOW_HTTP, allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE });
    if (problem !== null) throw badRequest(problem, 'invalid_webhook_url');
  }
}

function view(row: WebhookRow): AdminWebhookView {
  return {
    id: row.id,
    appId: row.appId,
    url: row.url,
    eventTypes: row.eventTypes,
    includePayload: row.includePayload,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const withSecret = (row: WebhookRow): AdminWebhookWithSecretView => ({ ...view(row), secret: row.secret });
