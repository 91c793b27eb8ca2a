import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { hostOf, isPrivateAddress } from './webhook-url.rules';

export interface PingRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Bytes of the answer kept (the rest is not read). */
  maxBodyBytes: number;
  allowPrivate: boolean;
}

export interface PingAnswer {
  status: number | null;
  body: string;
  durationMs: number;
  error: string | null;
}

/** The host resolves to an address the api must not call (WEBHOOK_ALLOW_PRIVATE is off). */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
}

type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * One signed POST, as the dispatcher sends it: the host is resolved once and every address checked
 * (unless private ones are allowed); the connection goes to the checked address (no second lookup
 * that could answer differently), certificates are verified, redirects are not followed, the
 * answer is read up to a cap, and the whole exchange has one deadline.
 */
@Injectable()
export class WebhookPingClient {
  /** DNS (tests replace it). */
  resolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

  async post(req: PingRequest): Promise<PingAnswer> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(req.url);
    const host = hostOf(url);
    let target: { address: string; family: number };
    try {
      target = await this.checkedAddress(host, req.allowPrivate);
    } catch (err) {
      if (err instanceof PrivateAddressError) throw err;
      return {
        status: null,
        body: '',
        durationMs: elapsed(),
        error: `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      };
    }
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) callback(null, [target]);
      else callback(null, target.address, target.family);
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      lookup: pinned,
      agent: false,
    };
    return new Promise<PingAnswer>((resolvePromise) => {
      let settled = false;
      const finish = (answer: Omit<PingAnswer, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        outgoing.destroy();
        resolvePromise({ ...answer, durationMs: elapsed() });
      };
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: null });
        res.on('data', (chunk: Buffer) => {
          const room = req.maxBodyBytes - kept;
          if (room > 0) {
            chunks.push(chunk.subarray(0, room));
            kept += Math.min(room, chunk.length);
          }
          if (kept >= req.maxBodyBytes) done();
        });
        res.on('end', done);
        res.on('error', done);
      };
      const outgoing = url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      const deadline = setTimeout(() => finish({ status: null, body: '', error: `no answer within ${req.timeoutMs} ms` }), req.timeoutMs);
      outgoing.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, body: '', error: err.code ? `${err.code}: ${err.message}` : err.message }));
      outgoing.end(req.body);
    });
  }

  /** The first address of the host, after checking all of them (one bad address refuses the URL). */
  private async checkedAddress(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }> {
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family }] : await this.resolve(host);
    if (addresses.length === 0) throw new Error('no address');
    if (!allowPrivate) {
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad) throw new PrivateAddressError(`${host} resolves to ${bad.address}, a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE is off)`);
    }
    return addresses[0]!;
  }
}
