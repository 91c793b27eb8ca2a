import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Op } from '@parley/contracts';
import { createTestApp, Stack, testDatabaseUrl } from '@parley/testing';
import { Client } from 'pg';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { cpuMs } from '../lib/proc-stats';
import { fmt, percentiles, table } from '../lib/report';
import { sleep } from '../lib/time';

export interface WebhooksBenchOptions {
  /** Users logged in (then joined to a channel) in each phase. */
  users: number;
  /** Logins (then joins) in progress at once. */
  parallel: number;
  /** Users per channel. */
  perChannel: number;
  /** How long to wait for the last events to reach the receiver after the actions, s. */
  drainSeconds: number;
}

/** What one phase of logins and joins measured, from the clients' side. */
interface PhaseFigures {
  elapsedLogins: number;
  elapsedJoins: number;
  loginLatencies: number[];
  joinLatencies: number[];
  failed: number;
}

/** One notification as the receiver saw it (Agora's body plus Parley's `event`). */
interface Received {
  event: string;
  userId: string;
  at: number;
}

const WARMUP_USERS = 100;

/** A local receiver answering 200 to everything, recording when each notification arrived. */
class Receiver {
  readonly received: Received[] = [];
  /** Requests without a user event's body (e.g. pings). */
  other = 0;
  private readonly server: Server = createServer((req, res) => this.onRequest(req, res));

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    receiver.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: string; payload?: { userId?: string } };
        if (typeof body.event === 'string' && typeof body.payload?.userId === 'string')
          this.received.push({ event: body.event, userId: body.payload.userId, at });
        else this.other++;
      } catch {
        this.other++;
      }
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/parley`;
  }

  count(event: string, uids: Set<string>): number {
    return this.received.filter((r) => r.event === event && uids.has(r.userId)).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * `npm run bench -- webhooks`: gateways ×2, presence, channel and webhooks ×2 with a local receiver.
 * Phase 1 logs `users` lean clients in and joins each to a channel with no endpoint configured;
 * phase 2 does the same for new users after one endpoint (every non-opt-in event type) is added for
 * the app. Prints the login and join rates of both phases (the cost the event record's fan-out adds),
 * the events/s the receiver got and the latency from each action (LOGIN or JOIN sent) to its
 * notification at the receiver (one clock: this process).
 */
export async function benchWebhooks(o: WebhooksBenchOptions): Promise<void> {
  const receiver = await Receiver.start();
  const stack = await Stack.start({
    replicas: { gateway: 2, presence: 1, channel: 1, webhooks: 2 },
    env: { LOG_LEVEL: 'warn', MESSAGE_RATE: '1000000/3000' },
    // A receiver on 127.0.0.1 over plain http: development settings (npm start uses them too).
    appEnv: { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' } },
  });
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  const clients: LeanClient[] = [];
  const endpointId = randomUUID();
  try {
    const app = await createTestApp();
    const urls = stack.gatewayUrls;
    const tag = randomBytes(3).toString('hex');
    const loginSentAt = new Map<string, number>();
    const joinSentAt = new Map<string, number>();

    /** Logs every uid in, then joins each to its channel, `parallel` at a time. */
    const phase = async (prefix: string, n: number): Promise<PhaseFigures & { uids: Set<string> }> => {
      const uids = Array.from({ length: n }, (_, i) => `${prefix}${i}-${tag}`);
      const mine: LeanClient[] = new Array(n);
      const figures: PhaseFigures = { elapsedLogins: 0, elapsedJoins: 0, loginLatencies: [], joinLatencies: [], failed: 0 };
      const each = async (work: (i: number) => Promise<void>) => {
        let next = 0;
        const worker = async () => {
          while (next < n) {
            const i = next++;
            await work(i).catch(() => void figures.failed++);
          }
        };
        const t0 = performance.now();
        await Promise.all(Array.from({ length: Math.min(o.parallel, n) }, worker));
        return (performance.now() - t0) / 1000;
      };
      figures.elapsedLogins = await each(async (i) => {
        const uid = uids[i]!;
        const t = performance.now();
        loginSentAt.set(uid, t);
        mine[i] = await loginLean(urls[i % urls.length]!, app.appId, uid);
        clients.push(mine[i]!);
        figures.loginLatencies.push(performance.now() - t);
      });
      figures.elapsedJoins = await each(async (i) => {
        const c = mine[i];
        if (!c) throw new Error('not logged in');
        const uid = uids[i]!;
        const t = performance.now();
        joinSentAt.set(uid, t);
        const [code] = await c.request(Op.JOIN, { ch: `wh-${tag}-${Math.floor(i / o.perChannel)}` }, 60_000);
        if (code !== 0) throw new Error(`join ${uid}: ${code}`);
        figures.joinLatencies.push(performance.now() - t);
      });
      return { ...figures, uids: new Set(uids) };
    };

    // The first logins and joins of fresh processes compile their code paths: not part of either phase.
    await phase('warm', WARMUP_USERS);
    await sleep(1_000);
    const without = await phase('a', o.users);

    // One endpoint for the app, every event type that is not opt-in; the fan-out wakes when it is
    // created (NOTIFY from the endpoint table's trigger): a probe user's user.online says it has.
    await db.query(`INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, enabled) VALUES ($1, $2, $3, $4, '{}', true)`, [
      endpointId,
      app.appId,
      receiver.url,
      randomBytes(16).toString('hex'),
    ]);
    const probe = await phase('probe', 1);
    const probeDeadline = performance.now() + 30_000;
    while (receiver.count('user.online', probe.uids) === 0) {
      if (performance.now() > probeDeadline) throw new Error('the probe user.online never reached the receiver (is apps/webhooks built and running?)');
      await sleep(50);
    }
    await sleep(500);

    const webhookPids = stack.processes.filter((p) => p.app === 'webhooks').map((p) => p.child.pid!);
    const cpu0 = webhookPids.reduce((s, pid) => s + cpuMs(pid), 0);
    const start = performance.now();
    const withEndpoint = await phase('b', o.users);
    const expected = withEndpoint.loginLatencies.length + withEndpoint.joinLatencies.length;
    const got = () => receiver.count('user.online', withEndpoint.uids) + receiver.count('channel.join', withEndpoint.uids);
    const drainDeadline = performance.now() + o.drainSeconds * 1000;
    while (got() < expected && performance.now() < drainDeadline) await sleep(20);
    const cpu = webhookPids.reduce((s, pid) => s + cpuMs(pid), 0) - cpu0;

    // Phase 2's notifications: latency from the action that caused each.
    const latencies: number[] = [];
    let first = Infinity;
    let last = 0;
    for (const r of receiver.received) {
      if (!withEndpoint.uids.has(r.userId)) continue;
      const sent = r.event === 'user.online' ? loginSentAt.get(r.userId) : r.event === 'channel.join' ? joinSentAt.get(r.userId) : undefined;
      if (sent === undefined) continue;
      latencies.push(r.at - sent);
      first = Math.min(first, r.at);
      last = Math.max(last, r.at);
    }
    const received = latencies.length;
    const dup = received - new Set(receiver.received.filter((r) => withEndpoint.uids.has(r.userId)).map((r) => `${r.event}/${r.userId}`)).size;

    const e2e = percentiles(latencies);
    const rate = (n: number, s: number) => `${fmt.rate(n / s)}/s`;
    const ops = (f: PhaseFigures) => {
      const l = percentiles(f.loginLatencies);
      const j = percentiles(f.joinLatencies);
      return {
        logins: `${rate(f.loginLatencies.length, f.elapsedLogins)}  (p50 ${fmt.ms(l.p50)}, p99 ${fmt.ms(l.p99)})`,
        joins: `${rate(f.joinLatencies.length, f.elapsedJoins)}  (p50 ${fmt.ms(j.p50)}, p99 ${fmt.ms(j.p99)})`,
      };
    };
    const a = ops(without);
    const b = ops(withEndpoint);
    console.log(
      `\nwebhooks: ${o.users} logins then ${o.users} channel joins (${o.perChannel} per channel), ${o.parallel} in progress, over 2 gateways; ` +
        `2 webhooks replicas, one endpoint (a local receiver answering 200)`,
    );
    console.log(
      table([
        ['logins/s, no endpoint', a.logins],
        ['logins/s, one endpoint', b.logins],
        ['joins/s, no endpoint', a.joins],
        ['joins/s, one endpoint', b.joins],
        ['failed logins + joins', `${without.failed} without, ${withEndpoint.failed} with the endpoint`],
        [
          'notifications received',
          `${received} of ${expected} (user.online + channel.join)${dup > 0 ? `, ${dup} redelivered` : ''}${received < expected ? `, after waiting ${o.drainSeconds} s` : ''}`,
        ],
        ['events/s at the receiver', received > 1 ? `${rate(received, (last - first) / 1000)} (first to last; bounded by the actions' own rate)` : '?'],
        ['action → receiver p50 / p99 / max', `${fmt.ms(e2e.p50)} / ${fmt.ms(e2e.p99)} / ${fmt.ms(e2e.max)}`],
        ['from the first action to the last notification', `${((last - start) / 1000).toFixed(2)} s`],
        ['CPU / notification, webhooks replicas', received > 0 ? `${((cpu * 1000) / received).toFixed(0)} µs` : '?'],
      ]),
    );
    console.log(
      "  (latency includes the fan-out's poll of the event record, WEBHOOK_EVENTS_POLL_MS 200 ± 20 %; compare the login rate with `npm run bench -- logins`)",
    );
  } finally {
    for (const c of clients) c.close();
    await db.query('DELETE FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId]).catch(() => undefined);
    await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]).catch(() => undefined);
    await db.end();
    await stack.stop();
    await receiver.stop();
  }
}
