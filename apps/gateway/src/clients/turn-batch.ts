import { NoRespondersError, atTurnEnd, replyData } from '@parley/platform';

export interface TurnBatchOptions<Req, Res> {
  /** The batch's subject (named in the error of a malformed reply). */
  subject: string;
  /** Sends a batch; its reply has one ServiceReply per request, in their order. */
  send: (reqs: Req[]) => Promise<{ results?: unknown } | null | undefined>;
  /** Requests per batch request: more queued in one turn are sent as several. */
  max: number;
  /**
   * The request on its own, for a rollout: a batch subject is new, and while the service rolls out
   * no replica may take it yet (no responders). Then each request of the batch goes this way; any
   * other failure of a batch (also an UNAVAILABLE the service answered) fails its requests.
   */
  single?: (req: Req) => Promise<Res>;
}

/**
 * Requests of one event-loop turn, sent as one batch request at its end (or when `max` are queued):
 * one message each way and one handler run in the service instead of one per request. Each caller
 * gets its own result; all fail when the batch request fails (unless `single` takes them).
 */
export class TurnBatch<Req, Res> {
  private queued: { req: Req; resolve: (res: Res) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly o: TurnBatchOptions<Req, Res>) {}

  add(req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.queued.push({ req, resolve, reject });
      if (this.queued.length === 1) atTurnEnd(this.flush);
      else if (this.queued.length >= this.o.max) this.flush();
    });
  }

  /** Sends what is queued now (also before the turn ends: a shutdown's last changes). */
  readonly flush = (): void => {
    const batch = this.queued;
    if (!batch.length) return;
    this.queued = [];
    // Sent now, not in a microtask: the request joins this turn's one write to NATS (a throw becomes a rejection).
    new Promise<Awaited<ReturnType<TurnBatchOptions<Req, Res>['send']>>>((resolve) => resolve(this.o.send(batch.map((q) => q.req)))).then(
      (reply) => {
        // Another process's reply: each result is checked (replyData), a missing one fails its request.
        const results: unknown[] = Array.isArray(reply?.results) ? reply.results : [];
        for (const [i, q] of batch.entries()) {
          try {
            q.resolve(replyData<Res>(this.o.subject, results[i]));
          } catch (err) {
            q.reject(err);
          }
        }
      },
      (err: unknown) => {
        const single = this.o.single;
        if (single && err instanceof NoRespondersError) {
          for (const q of batch) Promise.resolve(q.req).then(single).then(q.resolve, q.reject);
        } else {
          for (const q of batch) q.reject(err);
        }
      },
    );
  };
}
