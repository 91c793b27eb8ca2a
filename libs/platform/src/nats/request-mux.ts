import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { InjectNats } from './nats.tokens';
import { guardedCallback } from './guarded-callback';

const logger = new Logger('RequestMux');

export const NO_RESPONDERS = 'no-responders' as const;
export const TIMED_OUT = 'timeout' as const;
export type RequestOutcome = Msg | typeof NO_RESPONDERS | typeof TIMED_OUT;

interface Pending {
  settle: (outcome: RequestOutcome) => void;
  deadline: number;
}

const SWEEP_MS = 100;

/**
 * Request/reply for hot paths. nats.js's request() costs an Error object, a timer and a promise
 * chain per call; here one inbox subscription serves every request of the process, replies are
 * matched by a counter in the reply subject, and one interval expires overdue ones (±100 ms). The
 * interval runs only while a request is pending: every app has a mux, most never use it, and an idle
 * process should not wake ten times a second.
 * NATS 2.9 answers a request nobody subscribes to with a 503 status on the reply subject.
 */
@Injectable()
export class RequestMux implements OnApplicationShutdown {
  private readonly inbox = createInbox();
  private readonly pending = new Map<number, Pending>();
  private readonly sub: Subscription;
  private sweeper?: NodeJS.Timeout;
  private next = 0;

  constructor(@InjectNats() private readonly nc: NatsConnection) {
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: guardedCallback(logger, (msg) => this.onReply(msg)) });
  }

  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs): Promise<RequestOutcome> {
    const id = ++this.next;
    return new Promise((settle) => {
      this.pending.set(id, { settle, deadline: Date.now() + timeoutMs });
      this.sweeper ??= setInterval(() => this.expire(Date.now()), SWEEP_MS).unref();
      this.nc.publish(subject, data, headers ? { reply: `${this.inbox}.${id}`, headers } : { reply: `${this.inbox}.${id}` });
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  onApplicationShutdown(): void {
    this.sub.unsubscribe();
    this.expire(Infinity);
  }

  private onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const pending = this.pending.get(id);
    if (!pending) return; // expired already
    this.pending.delete(id);
    pending.settle(msg.headers?.code === 503 ? NO_RESPONDERS : msg);
  }

  private expire(now: number): void {
    for (const [id, pending] of this.pending) {
      if (now > pending.deadline) {
        this.pending.delete(id);
        pending.settle(TIMED_OUT);
      }
    }
    if (this.pending.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
