import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, jittered, webhookSignatureHeaders } from '@parley/platform';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { linksTo } from '@parley/platform/telemetry';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { pastHorizon, retryDelayMs } from './backoff';
import { CircuitBreaker } from './circuit-breaker';
import { DeliveriesRepository, type ClaimedDelivery } from './deliveries.repository';
import { OutboxSignal } from './outbox-signal';
import { TurnBatch } from './turn-batch';
import { WebhookSender, type SendResult } from './webhook-sender';
import { countAttempt, deadDeliveries, deliveryLatency } from './webhooks.metrics';

const tracer = trace.getTracer('parley-webhooks');

/**
 * After a notification from another replica's fan-out, a claim at least this much later: the claim
 * the notification caused may have run while that replica's own claim of the same rows was in
 * progress (SKIP LOCKED), so it did not see their leases; this one does, and the replica then sleeps
 * until they end (the rows are taken again there if that replica died).
 */
export const REMOTE_FOLLOW_UP_MS = 1_000;
/** A failed claim (database unreachable) is tried again after this (± 20 %), or the poll if shorter. */
export const CLAIM_RETRY_MS = 2_000;

/**
 * Delivers the outbox. Every replica claims due rows (DeliveriesRepository.claim: one attempt in
 * flight per endpoint and ordering key, in id order), sends each outside any transaction and records
 * the result. Bounded per replica: WEBHOOK_CONCURRENCY in all, WEBHOOK_ENDPOINT_CONCURRENCY per
 * endpoint, none to an endpoint whose circuit is open.
 *
 * Claims only when something can be due (issue 14): when woken — this replica's fan-out queued rows,
 * an attempt ended (its key's next row, a free slot), a notification (OutboxSignal: another replica's
 * fan-out, a replay, an endpoint enabled) — at the next due time the last claim read (a retry, a
 * lease's end: DeliveriesRepository.claim), when an open circuit's cooldown ends, and at the latest
 * every WEBHOOK_DISPATCH_POLL_MS ± 20 % (a lost notification; a retry set by another replica since).
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('WebhookDispatcher');
  private readonly alarm = new Alarm(() => void this.run());
  private readonly breaker: CircuitBreaker;
  /** The 2xx answers of one event-loop turn, recorded in one statement. */
  private readonly deliveredBatch = new TurnBatch<{ id: bigint; attempts: number; status: number }, boolean>(async (results) => {
    const recorded = await this.repository.delivered(results);
    return results.map((r) => recorded.has(r.id));
  });
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private total = 0;
  private claiming = false;
  private again = false;
  private started = false;
  private stopped = false;
  /** When another replica's notification came (performance.now()), until a claim REMOTE_FOLLOW_UP_MS later ran. */
  private remoteAt?: number;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: Readonly<WebhooksConfig>,
    private readonly repository: DeliveriesRepository,
    private readonly sender: WebhookSender,
    private readonly signal: OutboxSignal,
  ) {
    this.breaker = new CircuitBreaker(config.WEBHOOK_CIRCUIT_FAILURES, config.WEBHOOK_CIRCUIT_COOLDOWN_MS);
    signal.subscribe({ due: () => this.wakeFromElsewhere() });
  }

  onApplicationBootstrap(): void {
    this.started = true;
    this.alarm.in(0);
  }

  /**
   * Stops claiming and waits for the attempts in flight (each ends within WEBHOOK_TIMEOUT_MS), before
   * the database connections close. Then one notification hands over to the other replicas: the next
   * rows of those keys are due now, and retries this replica was going to claim (their due times
   * read by its claims) may be unknown to the others; their claims read them.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const wasRunning = this.started && !this.stopped;
    this.stopped = true;
    this.alarm.cancel();
    await Promise.all([...this.attempts]);
    if (!wasRunning) return;
    await this.repository.notify(this.signal.duePayload).catch((err: Error) => this.log.warn(`handing over to the other replicas failed: ${err.message}`));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.alarm.cancel();
    this.sender.close();
  }

  /** Looks for due deliveries now (this replica queued some). */
  wake(): void {
    if (this.started && !this.stopped) this.alarm.in(0);
  }

  /** Another replica (or the database) says deliveries may be due. */
  private wakeFromElsewhere(): void {
    if (!this.started || this.stopped) return;
    this.remoteAt = performance.now();
    this.alarm.in(0);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    const startedAt = performance.now();
    const poll = this.config.WEBHOOK_DISPATCH_POLL_MS;
    let next = jittered(poll);
    try {
      const free = this.config.WEBHOOK_CONCURRENCY - this.total;
      // The allowances and the next cooldown's end from one clock reading: a circuit given no slot
      // for its cooldown is always one whose end wakes the dispatcher (a timer may fire a little early).
      const at = this.breaker.now();
      const probeAt = at + this.breaker.nextProbeIn(at);
      // With no slot free, the attempts' ends wake it.
      if (free > 0) {
        const { claimed, nextDueMs } = await this.repository.claim({
          max: free,
          perEndpoint: this.config.WEBHOOK_ENDPOINT_CONCURRENCY,
          endpointSlots: this.endpointSlots(at),
          leaseMs: this.config.WEBHOOK_TIMEOUT_MS + this.config.WEBHOOK_LEASE_MARGIN_MS,
        });
        for (const delivery of claimed) this.start(delivery);
        // A full claim may have left due rows behind.
        if (claimed.length === free) next = 0;
        else if (nextDueMs !== null) next = Math.min(next, nextDueMs);
      }
      next = Math.min(next, probeAt - this.breaker.now());
    } catch (err) {
      this.log.warn({ err }, 'claiming webhook deliveries failed; retrying');
      next = jittered(Math.min(poll, CLAIM_RETRY_MS));
    } finally {
      this.claiming = false;
    }
    if (this.remoteAt !== undefined) {
      if (startedAt - this.remoteAt >= REMOTE_FOLLOW_UP_MS) this.remoteAt = undefined;
      else next = Math.min(next, this.remoteAt + REMOTE_FOLLOW_UP_MS - performance.now());
    }
    if (this.again) {
      this.again = false;
      next = 0;
    }
    if (!this.stopped) this.alarm.in(next);
  }

  /** Endpoints whose allowance is not the plain per-endpoint limit: some in flight, or a circuit open. */
  private endpointSlots(at: number): Map<string, number> {
    const limit = this.config.WEBHOOK_ENDPOINT_CONCURRENCY;
    const slots = new Map<string, number>();
    for (const id of new Set([...this.inFlight.keys(), ...this.breaker.endpoints()])) {
      slots.set(id, this.breaker.allowance(id, this.inFlight.get(id) ?? 0, limit, at));
    }
    return slots;
  }

  private start(delivery: ClaimedDelivery): void {
    this.total += 1;
    this.inFlight.set(delivery.endpointId, (this.inFlight.get(delivery.endpointId) ?? 0) + 1);
    const attempt = this.attempt(delivery)
      .catch((err: unknown) => this.log.warn({ err, noticeId: delivery.noticeId }, 'recording a webhook attempt failed (the lease retries it)'))
      .finally(() => {
        this.total -= 1;
        const left = (this.inFlight.get(delivery.endpointId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(delivery.endpointId, left);
        else this.inFlight.delete(delivery.endpointId);
        this.attempts.delete(attempt);
        // The next delivery of this key (and a freed slot) can go now; attempts ending close
        // together share one claim.
        if (!this.stopped) this.alarm.in(this.config.WEBHOOK_CLAIM_COALESCE_MS);
      });
    this.attempts.add(attempt);
  }

  private attempt(delivery: ClaimedDelivery): Promise<void> {
    return tracer.startActiveSpan(
      'webhook.deliver',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'parley.webhook.event': delivery.eventType, 'parley.webhook.attempt': delivery.attempts },
        // The attempt runs in its own trace (retries may come hours later), linked to the action's.
        root: true,
        links: linksTo(delivery.traceParent),
      },
      async (span) => {
        try {
          const result = await this.sender.send(delivery.url, delivery.body, webhookSignatureHeaders(delivery.secret, delivery.body));
          span.setAttribute('parley.webhook.result', result.outcome);
          if (result.status !== undefined) span.setAttribute('http.response.status_code', result.status);
          if (result.outcome !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
          await this.record(delivery, result);
        } finally {
          span.end();
        }
      },
    );
  }

  private async record(delivery: ClaimedDelivery, result: SendResult): Promise<void> {
    countAttempt(result.outcome);
    if (result.outcome === 'delivered') {
      this.breaker.succeeded(delivery.endpointId);
      if (await this.deliveredBatch.add({ id: delivery.id, attempts: delivery.attempts, status: result.status ?? 200 })) {
        deliveryLatency.record(latencySeconds(delivery.body));
      }
      return;
    }
    this.breaker.failed(delivery.endpointId);
    const delay = retryDelayMs(delivery.attempts, this.config.WEBHOOK_BACKOFF_BASE_MS, this.config.WEBHOOK_BACKOFF_MAX_MS);
    const dead = pastHorizon(delivery.createdAtMs, Date.now() + delay, this.config.WEBHOOK_RETRY_HORIZON_MS);
    const recorded = await this.repository.failed(delivery.id, delivery.attempts, {
      status: result.status,
      error: result.error ?? result.outcome,
      retryInMs: dead ? undefined : delay,
    });
    if (dead && recorded) deadDeliveries.add();
  }
}

/** Seconds from the event (payload.ts of the body) to now. */
function latencySeconds(body: string): number {
  const ts = (JSON.parse(body) as { payload?: { ts?: unknown } }).payload?.ts;
  return typeof ts === 'number' ? Math.max(0, Date.now() - ts) / 1000 : 0;
}
