import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, Op } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import {
  createTestApp,
  scrapeMetricsAt,
  Stack,
  startTestS3,
  testDatabaseUrl,
  waitFor,
  WebhookReceiver,
  WireClient,
  workspaceRoot,
  type AppName,
  type MetricsSnapshot,
  type TestApp,
  type TestS3,
} from '@parley/testing';
import { logoutAll, newClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

interface Dashboard {
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query?: string }> };
  panels: Array<{ type: string; title: string; datasource?: { uid?: string }; targets?: Array<{ expr: string }> }>;
}

const dashboard = JSON.parse(readFileSync(join(workspaceRoot(), 'deploy/grafana/parley-dashboard.json'), 'utf8')) as Dashboard;
/** Every metric name a PromQL expression of the dashboard reads. */
const dashboardMetricNames = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => t.expr.match(/\bparley_[a-z0-9_]+\b/g) ?? [])));

describe('Grafana dashboard', () => {
  it('is a Grafana ≥ 10.4 dashboard on a Prometheus datasource variable, in rows', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Gateway', 'Messages', 'Presence', 'Channels', 'Media', 'Webhooks', 'History', 'NATS', 'Processes']);
    for (const p of dashboard.panels.filter((q) => q.type !== 'row')) {
      expect(p.datasource?.uid).toBe('${datasource}');
      expect(p.targets?.length).toBeGreaterThan(0);
    }
    expect(dashboardMetricNames.size).toBeGreaterThan(15);
  });
});

/**
 * Every app serves its metrics at GET /metrics on its HTTP port. Two users on two gateways log in,
 * message each other (peer, channel, offline), upload and download a file; then the gateways',
 * presence's, channel's and media's counters, gauges and histograms show exactly that traffic.
 */
describe('metrics of a running stack', () => {
  let stack: Stack;
  let s3: TestS3;
  let app: TestApp;
  let hook: WebhookReceiver;
  let db: PrismaService;
  /** The n-th process of an app in the order of stack.processes (gateways: the order of stack.gatewayUrls). */
  const scrape = (name: AppName, n = 0): Promise<MetricsSnapshot> => {
    const proc = stack.processes.filter((p) => p.app === name)[n];
    if (!proc) throw new Error(`no ${name} #${n}`);
    return scrapeMetricsAt(proc.port);
  };

  beforeAll(async () => {
    s3 = await startTestS3();
    // No invitation service: an invitation alice sends fails with UNAVAILABLE (a failure to count).
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, media: 1, attributes: 1, webhooks: 1, history: 1 },
      env: FAST_TIMERS,
      appEnv: { media: s3.env, webhooks: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_IDLE_POLL_MS: '300' } },
    });
    app = await createTestApp();
    // A webhook endpoint: the webhooks replica delivers the logins' user.online (its latency histogram).
    hook = await WebhookReceiver.start();
    db = new PrismaService(testDatabaseUrl());
    await db.$executeRaw`
      INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, updated_at)
      VALUES (${randomUUID()}::uuid, ${app.appId}, ${hook.url}, 'secret', ${['user.online']}::varchar[], now())`;
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await s3?.stop();
    await hook?.stop();
    if (db) {
      await db.$executeRaw`DELETE FROM webhook_deliveries WHERE app_id = ${app.appId}`;
      await db.$executeRaw`DELETE FROM webhook_endpoints WHERE app_id = ${app.appId}`;
      await db.$disconnect();
    }
  });

  it('counts logins, sessions, messages and peer delivery latency on the gateways, and the services’ gauges', async () => {
    const [gwA, gwB] = stack.gatewayUrls as [string, string];
    // A failed login, on a raw connection that then goes away.
    const raw = await WireClient.open(gwA);
    expect((await raw.request(Op.LOGIN, { appId: 'short', uid: 'u', instanceId: 'raw' }))[0]).toBe(ErrorCode.INVALID_APP_ID);
    raw.close();

    const alice = newClient(app.appId, gwA);
    const bob = newClient(app.appId, gwB);
    await alice.login({ uid: 'alice' });
    await bob.login({ uid: 'bob' });
    const got = new Promise<void>((resolve) => bob.on('MessageFromPeer', () => resolve()));
    expect(await alice.sendMessageToPeer({ text: 'hi' }, 'bob')).toMatchObject({ hasPeerReceived: true });
    await got;
    // Stored for a user who is not logged in (the offline queue gauge).
    expect(await alice.sendMessageToPeer({ text: 'later' }, 'carol', { enableOfflineMessaging: true })).toMatchObject({ hasPeerReceived: false });
    // A channel message from alice reaches bob only.
    const [chA, chB] = [alice.createChannel('metrics-room'), bob.createChannel('metrics-room')];
    await chA.join();
    await chB.join();
    const gotChannel = new Promise<void>((resolve) => chB.on('ChannelMessage', () => resolve()));
    // Kept in the history: the history replica's capture, insert and lag metrics.
    await chA.sendMessage({ text: 'all' }, { enableHistoricalMessaging: true });
    await gotChannel;
    // A file up through gateway A, down through gateway B.
    const file = await alice.createFileMessageByUploading(new Uint8Array(200_000).fill(1));
    expect((await bob.downloadMediaToMemory(file.mediaId)).byteLength).toBe(200_000);
    // An invitation with no invitation service running: the request fails (UNAVAILABLE).
    const invitation = alice.createLocalInvitation('bob');
    const failed = new Promise((resolve) => invitation.on('LocalInvitationFailure', resolve));
    invitation.send();
    await failed;

    // Gateway A: alice's side.
    const a = await waitFor(
      async () => {
        const s = await scrape('gateway', 0);
        // The raw socket's close settles asynchronously.
        return s.value('parley_gateway_connections') === 1 && s.value('parley_nats_request_failures_total', { operation: 'invitation.create' }) ? s : undefined;
      },
      { what: 'gateway A settled' },
    );
    expect(a.contentType).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(a.value('parley_gateway_logins_total', { result: 'ok' })).toBe(1);
    expect(a.value('parley_gateway_logins_total', { result: 'INVALID_APP_ID' })).toBe(1);
    expect(a.value('parley_gateway_sessions', { state: 'online' })).toBe(1);
    expect(a.value('parley_gateway_sessions', { state: 'unreachable' })).toBe(0);
    expect(a.value('parley_gateway_messages_in_total', { kind: 'peer', type: 'text' })).toBe(2);
    expect(a.value('parley_gateway_messages_in_total', { kind: 'channel', type: 'text' })).toBe(1);
    expect(a.value('parley_gateway_messages_in_total', { kind: 'peer', type: 'raw' })).toBe(0);
    expect(a.value('parley_gateway_messages_out_total', { kind: 'channel' })).toBe(0); // the sender gets no copy
    expect(a.value('parley_gateway_messages_out_total', { kind: 'peer' })).toBe(0);
    // Peer delivery: one received (bob's ACK), one stored offline.
    expect(a.value('parley_gateway_peer_delivery_seconds_count', { result: 'received' })).toBe(1);
    expect(a.value('parley_gateway_peer_delivery_seconds_bucket', { result: 'received', le: '+Inf' })).toBe(1);
    expect(a.value('parley_gateway_peer_delivery_seconds_bucket', { result: 'received', le: '0.0005' })).toBe(0);
    const latency = a.value('parley_gateway_peer_delivery_seconds_sum', { result: 'received' })!;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(5);
    expect(a.value('parley_gateway_peer_delivery_seconds_count', { result: 'cached' })).toBe(1);
    expect(a.value('parley_gateway_requests_total', { op: 'send_peer', result: 'ok' })).toBe(2);
    expect(a.value('parley_gateway_requests_total', { op: 'login', result: 'INVALID_APP_ID' })).toBe(1);
    expect(a.value('parley_gateway_media_bytes_total', { direction: 'upload' })).toBe(200_000);
    // NATS requests by operation (no prefix, no ids), and the failures of the missing invitation service.
    expect(a.value('parley_nats_request_duration_seconds_count', { operation: 'presence.register' })).toBe(1);
    expect(a.value('parley_nats_request_duration_seconds_count', { operation: 'presence.offline.store' })).toBe(1);
    expect(a.value('parley_nats_request_duration_seconds_count', { operation: 'media.upload' })).toBeGreaterThanOrEqual(2);
    expect(a.value('parley_nats_request_failures_total', { operation: 'invitation.create', error: 'UNAVAILABLE' })).toBeGreaterThanOrEqual(1);
    expect(a.text).not.toContain(stack.prefix);
    expect(a.text).not.toContain(app.appId);
    expect(a.text).not.toMatch(/alice|bob|metrics-room/);
    expect(a.value('parley_process_resident_memory_bytes', { service_name: 'parley-gateway' })).toBeGreaterThan(10_000_000);

    // Gateway B: bob's side.
    const b = await scrape('gateway', 1);
    expect(b.value('parley_gateway_logins_total', { result: 'ok' })).toBe(1);
    expect(b.value('parley_gateway_sessions', { state: 'online' })).toBe(1);
    expect(b.value('parley_gateway_messages_out_total', { kind: 'peer', type: 'text' })).toBe(1);
    expect(b.value('parley_gateway_messages_out_total', { kind: 'channel', type: 'text' })).toBe(1);
    expect(b.value('parley_gateway_messages_in_total')).toBe(0);
    expect(b.value('parley_gateway_peer_delivery_seconds_count')).toBe(0);
    expect(b.value('parley_gateway_media_bytes_total', { direction: 'download' })).toBe(200_000);

    // Presence: the registry and the offline store (the database is shared with other suites: at least).
    const presence = await scrape('presence');
    expect(presence.value('parley_presence_sessions', { state: 'online' })).toBeGreaterThanOrEqual(2);
    expect(presence.value('parley_presence_offline_messages')).toBeGreaterThanOrEqual(1);
    expect(presence.value('parley_rpc_handled_total', { operation: 'presence.register', result: 'ok' })).toBe(2);
    expect(presence.value('parley_rpc_handled_total', { operation: 'presence.offline.store', result: 'ok' })).toBe(1);
    expect(presence.find('target_info')[0]?.labels['service_name']).toBe('parley-presence');

    const channel = await scrape('channel');
    expect(channel.value('parley_channel_channels')).toBeGreaterThanOrEqual(1);
    expect(channel.value('parley_channel_members')).toBeGreaterThanOrEqual(2);
    expect(channel.value('parley_rpc_handled_total', { operation: 'channel.join', result: 'ok' })).toBe(2);

    const media = await scrape('media');
    expect(media.value('parley_media_bytes_total', { direction: 'upload' })).toBe(200_000);
    expect(media.value('parley_media_bytes_total', { direction: 'download' })).toBe(200_000);
    expect(media.value('parley_media_uploads_total', { result: 'ok' })).toBe(1);
    expect(media.value('parley_media_uploads_total', { result: 'canceled' })).toBe(0);
    expect(media.value('parley_media_uploads_in_progress')).toBe(0);
    expect(media.value('parley_rpc_handled_total', { operation: 'media.upload', result: 'ok' })).toBeGreaterThanOrEqual(2);
  });

  it('exports every metric the dashboard queries', async () => {
    await waitFor(() => hook.received.length >= 2, { timeoutMs: 15_000, what: 'the logins’ webhooks' });
    // Twice: the event loop delay covers the time since the previous scrape.
    const scrapeAll = () => Promise.all(stack.processes.map((p) => scrapeMetricsAt(p.port)));
    await scrapeAll();
    await new Promise((r) => setTimeout(r, 300));
    const snapshots = await scrapeAll();
    const exported = new Set(snapshots.flatMap((s) => [...s.names()]));
    const missing = [...dashboardMetricNames].filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
    for (const s of snapshots)
      expect(s.find('target_info')[0]?.labels['service_name']).toMatch(/^parley-(gateway|presence|channel|media|attributes|webhooks|history)$/);
  });

  it('still stops promptly on SIGTERM once scraped (the MeterProvider shuts down with the tracer)', async () => {
    for (const name of ['media', 'presence'] as const) {
      const proc = stack.processes.find((p) => p.app === name)!;
      await scrapeMetricsAt(proc.port);
      const started = Date.now();
      await stack.kill(proc, 'SIGTERM');
      expect(await proc.exited).toBe(0); // 1 would mean SHUTDOWN_DEADLINE_MS passed
      expect(Date.now() - started).toBeLessThan(2_500);
    }
  });
});
