import type { AppId } from '@parley/contracts';
import type { AppRecord, AppsRepository, NewApp } from './apps.repository';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './cli-error';
import { unknownAppError, type CustomerRecord, type CustomersRepository, type NewCustomer } from './customers.repository';
import type { NewWebhook, WebhookFailure, WebhookRecord, WebhooksRepository, WebhookTestResult } from './webhooks.repository';

/** Largest page the admin API gives; listings fetch every page. */
const PAGE = 1_000;
const TIMEOUT_MS = 15_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface AppBody {
  appId: string;
  name: string | null;
  certified: boolean;
  certificate?: string | null;
  previousCertificateValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

interface CredentialBody {
  customerKey: string;
  customerSecret?: string;
  name: string | null;
  appIds: string[];
  allApps: boolean;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * The api's admin API (/v1/admin, bearer PARLEY_ADMIN_TOKEN) over fetch. Nothing is sent before a
 * command needs it: `--help` and argument errors work without the api. Refusals the user can act on
 * (bad token, admin API disabled, bad input) exit 2; an unreachable or failing api exits 1.
 */
export class AdminApiClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The answer of a 2xx or of one of `expected` (e.g. 404 → "unknown"); anything else is a CliError. */
  async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, expected: readonly number[] = []): Promise<Answer> {
    if (!this.token) throw new CliError('PARLEY_API_URL is set but PARLEY_ADMIN_TOKEN is not: set it to the api’s ADMIN_TOKEN');
    let url: URL;
    try {
      url = new URL(`${this.base}${path}`);
    } catch {
      throw new CliError(`PARLEY_API_URL is not a URL: "${this.base}"`);
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the admin API at ${this.base} (${cause?.code ?? cause?.message ?? (err as Error).message}); check PARLEY_API_URL`,
        EXIT_FAILURE,
      );
    }
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      if (res.ok) throw new CliError(`the admin API at ${this.base} answered ${res.status} without JSON`, EXIT_FAILURE);
    }
    if (res.status === 404 && expected.includes(404) && !/^unknown /.test(String((parsed['error'] as { message?: unknown } | undefined)?.message))) {
      // Not "unknown app/key": the route itself is missing, the URL is not the api's.
      throw new CliError(`the admin API is not at ${this.base} (404 for ${path}): set PARLEY_API_URL to the api’s base URL, e.g. http://127.0.0.1:8090`);
    }
    if (res.ok || expected.includes(res.status)) return { status: res.status, body: parsed };
    throw this.refusal(res.status, parsed);
  }

  private refusal(status: number, body: Record<string, unknown>): CliError {
    const error = (body['error'] ?? {}) as { code?: string; message?: string };
    const message = error.message ?? `HTTP ${status}`;
    if (status === 401) return new CliError(`the admin API at ${this.base} refused the token (401): set PARLEY_ADMIN_TOKEN to the api’s ADMIN_TOKEN`);
    if (status === 403) return new CliError(`the admin API at ${this.base} is disabled (403): the api has no ADMIN_TOKEN`);
    if (error.code === 'unknown_app') return unknownAppError(/unknown app (\S+)/.exec(message)?.[1] ?? '?');
    if (status >= 400 && status < 500) return new CliError(`the admin API refused the request (${status}): ${message}`, EXIT_USAGE);
    return new CliError(`the admin API at ${this.base} failed (${status}): ${message}`, EXIT_FAILURE);
  }
}

const appPath = (appId: AppId) => `/v1/admin/apps/${encodeURIComponent(appId)}`;
const webhookPath = (appId: AppId, id: string) => `${appPath(appId)}/webhooks/${encodeURIComponent(id)}`;
const byAge =
  <T extends { createdAt: Date }>(id: (t: T) => string) =>
  (a: T, b: T) =>
    a.createdAt.getTime() - b.createdAt.getTime() || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

function toApp(b: AppBody): AppRecord {
  return {
    id: b.appId as AppId,
    name: b.name,
    certified: b.certified,
    certificate: b.certificate ?? null,
    previousCertificateUntil: b.previousCertificateValidUntil ? new Date(b.previousCertificateValidUntil) : null,
    createdAt: new Date(b.createdAt),
    updatedAt: new Date(b.updatedAt),
  };
}

function toCustomer(b: CredentialBody): CustomerRecord {
  return {
    key: b.customerKey,
    name: b.name,
    appIds: b.appIds,
    allApps: b.allApps,
    createdAt: new Date(b.createdAt),
    revokedAt: b.revokedAt ? new Date(b.revokedAt) : null,
  };
}

/** Apps through the admin API (same answers as PgAppsRepository, except certificates: shown only when made). */
export class HttpAppsRepository implements AppsRepository {
  constructor(private readonly api: AdminApiClient) {}

  async create(appId: AppId, app: NewApp): Promise<AppRecord | null> {
    const res = await this.api.call('POST', '/v1/admin/apps', { appId, ...(app.name !== null ? { name: app.name } : {}), certified: app.certified }, [409]);
    return res.status === 409 ? null : toApp(res.body as unknown as AppBody);
  }

  async find(appId: AppId): Promise<AppRecord | null> {
    const res = await this.api.call('GET', appPath(appId), undefined, [404]);
    return res.status === 404 ? null : toApp(res.body as unknown as AppBody);
  }

  async list(): Promise<AppRecord[]> {
    const apps: AppRecord[] = [];
    let after: string | null = null;
    do {
      const res = await this.api.call('GET', `/v1/admin/apps?limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      apps.push(...(res.body['apps'] as AppBody[]).map(toApp));
      after = res.body['next'] as string | null;
    } while (after !== null);
    return apps.sort(byAge((a) => a.id));
  }

  async rotateCertificate(appId: AppId, overlapSeconds: number): Promise<AppRecord | null> {
    const res = await this.api.call('POST', `${appPath(appId)}/certificate/rotate`, { overlapSeconds }, [404]);
    return res.status === 404 ? null : toApp(res.body as unknown as AppBody);
  }

  async removeCertificate(appId: AppId): Promise<AppRecord | null> {
    const res = await this.api.call('DELETE', `${appPath(appId)}/certificate`, undefined, [404]);
    return res.status === 404 ? null : toApp(res.body as unknown as AppBody);
  }

  async delete(appId: AppId): Promise<boolean> {
    return (await this.api.call('DELETE', appPath(appId), undefined, [404])).status !== 404;
  }
}

/** Customer credentials through the admin API. */
export class HttpCustomersRepository implements CustomersRepository {
  constructor(private readonly api: AdminApiClient) {}

  async create(customer: NewCustomer): Promise<{ customer: CustomerRecord; secret: string }> {
    const body = {
      ...(customer.name !== null ? { name: customer.name } : {}),
      ...(customer.allApps ? { allApps: true } : { appIds: customer.appIds }),
    };
    const created = (await this.api.call('POST', '/v1/admin/credentials', body)).body as unknown as CredentialBody;
    return { customer: toCustomer(created), secret: created.customerSecret! };
  }

  async list(): Promise<CustomerRecord[]> {
    const customers: CustomerRecord[] = [];
    let after: string | null = null;
    do {
      const res = await this.api.call('GET', `/v1/admin/credentials?limit=${PAGE}${after ? `&after=${after}` : ''}`);
      customers.push(...(res.body['credentials'] as CredentialBody[]).map(toCustomer));
      after = res.body['next'] as string | null;
    } while (after !== null);
    return customers.sort(byAge((c) => c.key));
  }

  async revoke(key: string): Promise<CustomerRecord | null> {
    const res = await this.api.call('DELETE', `/v1/admin/credentials/${encodeURIComponent(key)}`, undefined, [404]);
    return res.status === 404 ? null : toCustomer(res.body as unknown as CredentialBody);
  }
}

interface WebhookBody {
  id: string;
  appId: string;
  url: string;
  eventTypes: string[];
  includePayload: boolean;
  enabled: boolean;
  secret?: string;
  createdAt: string;
  updatedAt: string;
}

interface FailureBody extends Omit<WebhookFailure, 'createdAt'> {
  createdAt: string;
}

function toWebhook(b: WebhookBody): WebhookRecord {
  return {
    id: b.id,
    appId: b.appId,
    url: b.url,
    eventTypes: b.eventTypes,
    includePayload: b.includePayload,
    enabled: b.enabled,
    createdAt: new Date(b.createdAt),
    updatedAt: new Date(b.updatedAt),
  };
}

/** 404 with "unknown app …" (not the webhook): the app does not exist. */
const unknownAppIn = (res: Answer, appId: AppId): boolean =>
  res.status === 404 && String((res.body['error'] as { message?: unknown } | undefined)?.message).startsWith(`unknown app ${appId}`);

/** Webhook endpoints through the admin API (all commands, the test ping and failures included). */
export class HttpWebhooksRepository implements WebhooksRepository {
  constructor(private readonly api: AdminApiClient) {}

  async create(appId: AppId, webhook: NewWebhook): Promise<{ webhook: WebhookRecord; secret: string }> {
    const body = { url: webhook.url, eventTypes: webhook.eventTypes, includePayload: webhook.includePayload, enabled: webhook.enabled };
    const res = await this.api.call('POST', `${appPath(appId)}/webhooks`, body, [404]);
    if (res.status === 404) throw unknownAppError(appId);
    const created = res.body as unknown as WebhookBody;
    return { webhook: toWebhook(created), secret: created.secret! };
  }

  async list(appId: AppId): Promise<WebhookRecord[]> {
    const res = await this.api.call('GET', `${appPath(appId)}/webhooks`, undefined, [404]);
    if (res.status === 404) throw unknownAppError(appId);
    return (res.body['webhooks'] as WebhookBody[]).map(toWebhook);
  }

  async remove(appId: AppId, id: string): Promise<boolean> {
    const res = await this.api.call('DELETE', webhookPath(appId, id), undefined, [404]);
    return res.status !== 404;
  }

  async test(appId: AppId, id: string): Promise<WebhookTestResult | null> {
    const res = await this.api.call('POST', `${webhookPath(appId, id)}/test`, undefined, [404]);
    if (unknownAppIn(res, appId)) throw unknownAppError(appId);
    return res.status === 404 ? null : (res.body as unknown as WebhookTestResult);
  }

  async failures(appId: AppId, id: string): Promise<WebhookFailure[] | null> {
    const failures: WebhookFailure[] = [];
    let after: string | null = null;
    do {
      const res = await this.api.call('GET', `${webhookPath(appId, id)}/failures?limit=${PAGE}${after ? `&after=${after}` : ''}`, undefined, [404]);
      if (res.status === 404) return null;
      failures.push(...(res.body['failures'] as FailureBody[]).map((f) => ({ ...f, createdAt: new Date(f.createdAt) })));
      after = res.body['next'] as string | null;
    } while (after !== null);
    return failures;
  }

  async replay(appId: AppId, id: string, ids: number[] | undefined): Promise<number | null> {
    const res = await this.api.call('POST', `${webhookPath(appId, id)}/failures/replay`, ids ? { ids } : {}, [404]);
    return res.status === 404 ? null : (res.body['replayed'] as number);
  }
}
