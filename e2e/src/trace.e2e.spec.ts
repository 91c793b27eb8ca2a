import { createTestApp, OtlpCollector, Stack, waitFor } from '@parley/testing';
import { logoutAll, newClient } from './support/clients';

/** One OpenTelemetry trace follows a login from the gateway's WebSocket handling over NATS into presence. */
describe('trace context across gateway, NATS and presence', () => {
  let stack: Stack;
  let collector: OtlpCollector;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    stack = await Stack.start({ replicas: { gateway: 1, presence: 2 }, env: collector.env() });
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await collector?.stop();
  });

  it('links the gateway login span, the NATS request span and the presence span in one trace', async () => {
    const app = await createTestApp();
    await newClient(app.appId, stack.gatewayUrls[0]!).login({ uid: 'traced' });

    const register = `${stack.prefix}.svc.presence.register`;
    const [login, send, process] = await waitFor(() => {
      const login = collector.spans.find((s) => s.service === 'parley-gateway' && s.name === 'ws login');
      const send = login && collector.spans.find((s) => s.traceId === login.traceId && s.name === `send ${register}`);
      const process = send && collector.spans.find((s) => s.traceId === login.traceId && s.name === `process ${register}`);
      return process ? ([login, send, process] as const) : undefined;
    }, { timeoutMs: 10_000, what: `login trace (spans so far: ${collector.spans.map((s) => `${s.service}:${s.name}`).join(', ')})` });

    expect(login.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(login.traceId).not.toBe('0'.repeat(32));
    expect(send.service).toBe('parley-gateway');
    expect(send.parentSpanId).toBe(login.spanId);
    expect(process.service).toBe('parley-presence');
    expect(process.parentSpanId).toBe(send.spanId);
    expect(process.attributes['messaging.system']).toBe('nats');
  });
});
