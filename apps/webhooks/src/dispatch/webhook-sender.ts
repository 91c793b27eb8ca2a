import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type AgentOptions, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from './address-filter';

export interface SenderOptions {
  timeoutMs: number;
  allowHttp: boolean;
  allowPrivate: boolean;
  maxResponseBytes: number;
}

/** How an attempt ended: delivered (2xx), the receiver's non-2xx status, or no answer at all. */
export type SendOutcome = 'delivered' | 'http_error' | 'timeout' | 'network' | 'refused';

export interface SendResult {
  outcome: SendOutcome;
  status?: number;
  error?: string;
}

export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Pool key of a connection: the host and port and the vetted address it was opened to. */
type Pooled = { vettedAddress?: string };
const pooledName = (name: string, options: unknown) => `${name}|${(options as Pooled).vettedAddress ?? ''}`;

/**
 * Keep-alive pools (no TCP and TLS handshake per attempt), keyed by the vetted address too: a pooled
 * connection is only reused for a request whose host resolved to the address it was opened to.
 */
class VettedHttpAgent extends HttpAgent {
  override getName(options?: Parameters<HttpAgent['getName']>[0]): string {
    return pooledName(super.getName(options), options);
  }
}
class VettedHttpsAgent extends HttpsAgent {
  override getName(options?: Parameters<HttpsAgent['getName']>[0]): string {
    return pooledName(super.getName(options), options);
  }
}

/**
 * POSTs one signed body. https only (http when allowed), certificates checked, no redirect followed
 * (a 3xx is a failed attempt), at most `maxResponseBytes` of the answer read, everything within
 * `timeoutMs`. The host is resolved at every attempt and the connection goes to an address checked
 * here (the socket's lookup returns exactly it), so DNS cannot swap in a private address afterwards.
 */
export class WebhookSender {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(
    private readonly options: SenderOptions,
    private readonly resolve: Resolve = systemResolve,
  ) {
    // Idle connections close after 30 s (receivers commonly keep them 60 s or more).
    const pool: AgentOptions = { keepAlive: true, keepAliveMsecs: 30_000, timeout: options.timeoutMs, maxFreeSockets: 64, scheduling: 'lifo' };
    this.http = new VettedHttpAgent(pool);
    this.https = new VettedHttpsAgent(pool);
  }

  /** Closes the pooled connections (shutdown). */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }

  /** The address to connect to, or why the URL is refused. */
  async vet(url: URL): Promise<{ address: LookupAddress } | { refused: string }> {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowHttp)) return { refused: `scheme ${url.protocol} not allowed` };
    if (url.username || url.password) return { refused: 'credentials in URL' };
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch (err) {
      return { refused: `cannot resolve ${host}: ${(err as Error).message}` };
    }
    const usable = this.options.allowPrivate ? addresses : addresses.filter((a) => !isForbiddenAddress(a.address));
    if (!usable[0]) return { refused: `${host} resolves only to private or reserved addresses` };
    return { address: usable[0] };
  }

  async send(rawUrl: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { outcome: 'refused', error: 'invalid URL' };
    }
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const vetted = await this.vet(url);
    if ('refused' in vetted) return { outcome: 'refused', error: vetted.refused };
    const { address, family } = vetted.address;
    const lookup: LookupFunction = (_host, opts, callback) => {
      if (opts.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const secure = url.protocol === 'https:';
    const request = secure ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (result: SendResult) => {
        if (settled) return;
        settled = true;
        deadline.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const options: RequestOptions & Pooled = {
        method: 'POST',
        lookup,
        agent: secure ? this.https : this.http,
        vettedAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Parley-Webhooks/1', ...headers },
      };
      const req = request(url, options);
      const onAbort = () => {
        done({ outcome: 'timeout', error: `no answer within ${this.options.timeoutMs} ms` });
        req.destroy();
      };
      deadline.addEventListener('abort', onAbort);
      req.on('error', (err) => done({ outcome: 'network', error: err.message }));
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // Only the status counts: past the cap the rest of the answer is not read at all.
          if (read > this.options.maxResponseBytes) res.destroy();
        });
        // The connection goes back to the pool once the answer was read to its end.
        const finish = () =>
          done(status >= 200 && status < 300 ? { outcome: 'delivered', status } : { outcome: 'http_error', status, error: `HTTP ${status}` });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      req.end(body);
    });
  }
}
