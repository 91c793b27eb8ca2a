import { Logger } from '@nestjs/common';
import type { WebhooksConfig } from '../config/webhooks.config';
import type { ClaimedDelivery, ClaimLimits, ClaimResult, DeliveriesRepository } from './deliveries.repository';
import { CLAIM_RETRY_MS, DispatcherService, REMOTE_FOLLOW_UP_MS } from './dispatcher.service';
import { OutboxSignal } from './outbox-signal';
import type { SendResult, WebhookSender } from './webhook-sender';

const POLL = 30_000;
const COOLDOWN = 10_000;
const config = {
  WEBHOOK_DISPATCH_POLL_MS: POLL,
  WEBHOOK_CONCURRENCY: 4,
  WEBHOOK_ENDPOINT_CONCURRENCY: 2,
  WEBHOOK_TIMEOUT_MS: 1_000,
  WEBHOOK_LEASE_MARGIN_MS: 500,
  WEBHOOK_CLAIM_COALESCE_MS: 5,
  WEBHOOK_CIRCUIT_FAILURES: 1,
  WEBHOOK_CIRCUIT_COOLDOWN_MS: COOLDOWN,
  WEBHOOK_BACKOFF_BASE_MS: 60_000,
  WEBHOOK_BACKOFF_MAX_MS: 60_000,
  WEBHOOK_RETRY_HORIZON_MS: 3_600_000,
} as WebhooksConfig;

const nothing: ClaimResult = { claimed: [], nextDueMs: null };

function delivery(id: number, endpointId = 'ep1'): ClaimedDelivery {
  return {
    id: BigInt(id),
    noticeId: `n${id}`,
    endpointId,
    eventType: 'user.online',
    body: JSON.stringify({ payload: { ts: Date.now() } }),
    attempts: 1,
    createdAtMs: Date.now(),
    url: 'https://example.com/hook',
    secret: 's',
    traceParent: null,
  };
}

/** The dispatcher's sleeping and waking (issue 14), with fake timers and a fake outbox. */
describe('DispatcherService', () => {
  let claim: jest.Mock<Promise<ClaimResult>, [ClaimLimits]>;
  let failed: jest.Mock;
  let notify: jest.Mock;
  let send: jest.Mock<Promise<SendResult>, [string, string, Record<string, string>]>;
  let signal: OutboxSignal;
  let sut: DispatcherService;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers();
    claim = jest.fn().mockResolvedValue(nothing);
    failed = jest.fn().mockResolvedValue(true);
    notify = jest.fn().mockResolvedValue(undefined);
    send = jest.fn().mockResolvedValue({ outcome: 'delivered', status: 200 });
    const repository = {
      claim,
      failed,
      notify,
      delivered: jest.fn((results: Array<{ id: bigint }>) => Promise.resolve(new Set(results.map((r) => r.id)))),
    } as unknown as DeliveriesRepository;
    signal = new OutboxSignal('postgresql://unused');
    sut = new DispatcherService(config, repository, { send, close: jest.fn() } as unknown as WebhookSender, signal);
  });

  afterEach(() => {
    // Not beforeApplicationShutdown: some tests leave attempts in flight for good.
    sut.onApplicationShutdown();
    jest.useRealTimers();
  });

  async function start(): Promise<void> {
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(1);
  }

  it('with nothing due, claims once at start and then only every WEBHOOK_DISPATCH_POLL_MS ± 20 %', async () => {
    await start();
    await jest.advanceTimersByTimeAsync(0.8 * POLL - 100);
    expect(claim).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(0.4 * POLL + 200);
    expect(claim).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(10 * POLL);
    expect(claim.mock.calls.length).toBeGreaterThanOrEqual(2 + 8);
    expect(claim.mock.calls.length).toBeLessThanOrEqual(2 + 13);
  });

  it('sleeps until the next due time the claim read (a retry, a lease end), not longer', async () => {
    claim.mockResolvedValueOnce({ claimed: [], nextDueMs: 5_000 });
    await start();
    await jest.advanceTimersByTimeAsync(4_990);
    expect(claim).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(20);
    expect(claim).toHaveBeenCalledTimes(2);
  });

  it("claims at once when its fan-out queued rows, and when another replica's notification or the database says so", async () => {
    await start();
    sut.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(2);
    // Its own fan-out's notification: it was woken by the call already.
    signal.notified(signal.duePayload);
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(2);
    for (const payload of ['d:another', 'e', 'r']) {
      signal.notified(payload);
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(claim).toHaveBeenCalledTimes(5);
  });

  it("claims once more REMOTE_FOLLOW_UP_MS after another replica's notification (to see that replica's leases), then sleeps", async () => {
    await start();
    signal.notified('d:another');
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(REMOTE_FOLLOW_UP_MS - 10);
    expect(claim).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(20);
    expect(claim).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(0.8 * POLL - 100);
    expect(claim).toHaveBeenCalledTimes(3);
  });

  it('claims again right after an attempt ends (the next row of its key), and at once after a full claim', async () => {
    claim.mockResolvedValueOnce({ claimed: [delivery(1)], nextDueMs: null });
    await start();
    await jest.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(1);
    // Recorded (one statement for the turn's 2xx answers), then a claim WEBHOOK_CLAIM_COALESCE_MS later.
    await jest.advanceTimersByTimeAsync(config.WEBHOOK_CLAIM_COALESCE_MS + 1);
    expect(claim).toHaveBeenCalledTimes(2);

    claim.mockResolvedValueOnce({ claimed: [1, 2, 3, 4].map((i) => delivery(10 + i, `ep${i}`)), nextDueMs: null });
    send.mockImplementation(() => new Promise(() => undefined)); // in flight
    sut.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(3);
    // Every slot is taken now: no claim until an attempt ends.
    await jest.advanceTimersByTimeAsync(2 * POLL);
    expect(claim).toHaveBeenCalledTimes(3);
  });

  it("wakes when an open circuit's cooldown ends (its probe may go), before the poll", async () => {
    claim.mockResolvedValueOnce({ claimed: [delivery(1)], nextDueMs: null });
    send.mockResolvedValueOnce({ outcome: 'http_error', status: 500, error: 'HTTP 500' });
    await start();
    await jest.advanceTimersByTimeAsync(config.WEBHOOK_CLAIM_COALESCE_MS + 1);
    expect(failed).toHaveBeenCalledTimes(1);
    expect(claim).toHaveBeenCalledTimes(2);
    // The circuit is open: the claim gave it no slot.
    expect(claim.mock.calls[1]![0].endpointSlots.get('ep1')).toBe(0);
    await jest.advanceTimersByTimeAsync(COOLDOWN - 100);
    expect(claim).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(200);
    expect(claim).toHaveBeenCalledTimes(3);
    expect(claim.mock.calls[2]![0].endpointSlots.get('ep1')).toBe(1);
  });

  it('a cooldown that ends while a claim (which gave the circuit no slot) runs is followed by a claim at once', async () => {
    claim.mockResolvedValueOnce({ claimed: [delivery(1)], nextDueMs: null });
    send.mockResolvedValueOnce({ outcome: 'http_error', status: 500, error: 'HTTP 500' });
    await start();
    await jest.advanceTimersByTimeAsync(config.WEBHOOK_CLAIM_COALESCE_MS + 1);
    expect(claim).toHaveBeenCalledTimes(2);
    // Woken just before the cooldown ends (which replaces the alarm set for its end); the claim is slow.
    await jest.advanceTimersByTimeAsync(COOLDOWN - 100);
    claim.mockImplementationOnce(() => new Promise((resolve) => setTimeout(() => resolve(nothing), 200)));
    sut.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(claim).toHaveBeenCalledTimes(3);
    expect(claim.mock.calls[2]![0].endpointSlots.get('ep1')).toBe(0);
    await jest.advanceTimersByTimeAsync(201);
    expect(claim).toHaveBeenCalledTimes(4);
    expect(claim.mock.calls[3]![0].endpointSlots.get('ep1')).toBe(1);
  });

  it('tries a failed claim again after CLAIM_RETRY_MS ± 20 %, not after the poll', async () => {
    claim.mockRejectedValueOnce(new Error('connection refused'));
    await start();
    await jest.advanceTimersByTimeAsync(1.2 * CLAIM_RETRY_MS + 10);
    expect(claim).toHaveBeenCalledTimes(2);
  });

  it('stopping with attempts in flight: waits for them, then wakes the other replicas (their keys may go on)', async () => {
    let answer!: (r: SendResult) => void;
    send.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    claim.mockResolvedValueOnce({ claimed: [delivery(1)], nextDueMs: null });
    await start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = sut.beforeApplicationShutdown().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    expect(notify).not.toHaveBeenCalled();
    answer({ outcome: 'delivered', status: 200 });
    await jest.advanceTimersByTimeAsync(0);
    await stopping;
    expect(notify).toHaveBeenCalledWith(signal.duePayload);
    // No claim after the stop.
    expect(claim).toHaveBeenCalledTimes(1);
  });

  it('stopping with nothing in flight still hands over once (retries only it knew of); a second stop sends nothing', async () => {
    await start();
    await sut.beforeApplicationShutdown();
    await sut.beforeApplicationShutdown();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(signal.duePayload);
  });
});
