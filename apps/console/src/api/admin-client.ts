import type { Stats } from '../stats';

/** An app as the admin API shows it (`certificate` only in the answer that made it). */
export interface AppInfo {
  appId: string;
  name: string | null;
  certified: boolean;
  certificate?: string | null;
  previousCertificateValidUntil?: string | null;
  createdAt: string;
}

export interface Page {
  /** The `after` of the next page; null on the last. */
  next: string | null;
}

export interface MintedToken {
  token: string;
  uid: string;
  format: string;
  expiresAt: string;
}

export interface MetadataView {
  majorRevision: number;
  items: { key: string; value: string; revision: number; updateTs?: number; authorUserId?: string }[];
}

export interface UserLookup {
  appId: string;
  uid: string;
  status: 'ONLINE' | 'UNREACHABLE' | 'OFFLINE';
  sessions: { gatewayId: string; since: string; status?: string }[];
  channels: string[];
  attributes: Record<string, string>;
  metadata?: MetadataView;
}

export interface ChannelLookup {
  appId: string;
  channel: string;
  memberCount: number;
  members: string[];
  attributes: Record<string, { value: string; lastUpdateUserId: string; lastUpdateTs: number }>;
  metadata?: MetadataView;
}

export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  includePayload?: boolean;
}

export interface WebhookFailure {
  id: number;
  noticeId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  /** The exact JSON body that was sent. */
  body?: string;
}

export interface WebhookTestResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  body: string;
  error: string | null;
}

/** An answer of the API that is not 2xx, or no answer at all. */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The admin API of the server API, as the console calls it: bearer token, JSON, typed answers.
 * Errors come back as AdminApiError with the API's code (`unauthorized`, `not_found`, …), or
 * `unreachable` when the API did not answer (wrong URL, CORS, down).
 */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
  ) {}

  listApps(after?: string | null): Promise<{ apps: AppInfo[] } & Page> {
    return this.call('GET', `/v1/admin/apps${query({ limit: '100', after })}`);
  }

  createApp(name: string, certified: boolean): Promise<AppInfo> {
    return this.call('POST', '/v1/admin/apps', { ...(name ? { name } : {}), certified });
  }

  /** A new certificate; tokens of the old one verify `overlapSeconds` more (the api's default: 86400). */
  rotateCertificate(appId: string, overlapSeconds?: number): Promise<AppInfo> {
    return this.call('POST', `/v1/admin/apps/${enc(appId)}/certificate/rotate`, overlapSeconds === undefined ? {} : { overlapSeconds });
  }

  mintToken(appId: string, uid: string, options: { expireSeconds?: number; format?: '007' | '006' } = {}): Promise<MintedToken> {
    return this.call('POST', `/v1/admin/apps/${enc(appId)}/tokens`, { uid, ...options });
  }

  stats(appId?: string): Promise<Stats> {
    return this.call('GET', `/v1/admin/stats${query({ appId })}`);
  }

  user(appId: string, uid: string): Promise<UserLookup> {
    return this.call('GET', `/v1/admin/apps/${enc(appId)}/users/${enc(uid)}`);
  }

  channel(appId: string, channel: string): Promise<ChannelLookup> {
    return this.call('GET', `/v1/admin/apps/${enc(appId)}/channels/${enc(channel)}`);
  }

  webhooks(appId: string): Promise<{ webhooks: Webhook[] }> {
    return this.call('GET', `/v1/admin/apps/${enc(appId)}/webhooks`);
  }

  testWebhook(appId: string, webhookId: string): Promise<WebhookTestResult> {
    return this.call('POST', `/v1/admin/apps/${enc(appId)}/webhooks/${enc(webhookId)}/test`);
  }

  failures(appId: string, webhookId: string, after?: string | null): Promise<{ failures: WebhookFailure[] } & Page> {
    return this.call('GET', `/v1/admin/apps/${enc(appId)}/webhooks/${enc(webhookId)}/failures${query({ limit: '100', after })}`);
  }

  /** Queues dead deliveries again: `ids`, or all of the endpoint's when absent. */
  replay(appId: string, webhookId: string, ids?: number[]): Promise<{ replayed: number }> {
    return this.call('POST', `/v1/admin/apps/${enc(appId)}/webhooks/${enc(webhookId)}/failures/replay`, ids ? { ids } : {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl.replace(/\/+$/, '')}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new AdminApiError(
        `The server API at ${this.baseUrl} did not answer; set CONSOLE_API_URL (gateway) or the API URL in Settings, and check API_CORS_ORIGINS (api).`,
        0,
        'unreachable',
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const answer = parsed as { error?: { code?: string; message?: string }; request_id?: string } | undefined;
      const error = answer?.error;
      throw new AdminApiError(
        `${res.status} ${error?.code ?? 'error'}: ${error?.message ?? (text.slice(0, 200) || res.statusText)}`,
        res.status,
        error?.code ?? 'error',
        answer?.request_id,
      );
    }
    return parsed as T;
  }
}

const enc = encodeURIComponent;

/** `?a=1&b=2` of the parameters that are set ('' when none). */
function query(params: Record<string, string | null | undefined>): string {
  const set = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return set.length === 0 ? '' : `?${new URLSearchParams(set).toString()}`;
}
