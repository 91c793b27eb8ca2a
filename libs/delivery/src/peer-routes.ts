import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { arrayHeader, createCodec, type AppId, type PeerMessageEvent } from '@parley/contracts';
import { PeerRouteCode, Subjects } from '@parley/contracts/internal';
import { atTurnEnd, guardedCallback, IdSlots, NatsBus, settleLogged } from '@parley/platform';
import { createInbox, type Subscription } from 'nats';

const codec = createCodec();
const logger = new Logger('PeerRoutes');

/** Routes remembered (app + uid → the gateway that ACKed last); past this the map starts over. */
const MAX_ROUTES = 200_000;
/** A route batch is published before it passes this many bytes (NATS' max_payload is 1 MB by default). */
const MAX_BATCH_BYTES = 256 * 1024;
const SWEEP_MS = 100;

/** A gateway's route id as PeerRoute makes it (16 hex chars): anything else never becomes a subject token. */
export function isRouteId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{16}$/.test(value);
}

/**
 * The items of one turn for one route: encoded until published, then remembered (by `id`) while
 * `open` of them are unsettled, for the no-responders status that names the batch. Forgotten with
 * its last item: a record kept for a fixed time instead (it was 5 s) outlived every scavenge and
 * was promoted, batch after batch, with its ids.
 */
interface RouteBatch {
  parts: Uint8Array[];
  ids: number[];
  bytes: number;
  id: number;
  open: number;
}

interface Item {
  settle: (code: PeerRouteCode) => void;
  deadline: number;
  batch: RouteBatch;
}

/** A throwing callback is logged; the batch it came in goes on settling the others. */
function settleSafely(item: Item, code: PeerRouteCode): void {
  settleLogged(logger, "a routed message's answer handler", item.settle, code);
}

/**
 * Direct routes for peer messages between gateways. The first message to a user goes on its user
 * subject (PeerMessageDelivery); the ACK names the gateway that holds the session (PeerAck.g), and
 * later messages to that user go to that gateway's route subject instead — batched: the messages of
 * one event-loop turn for one gateway leave as one NATS message, and their ACKs come back the same
 * way (one NATS message per turn for every message answered in it). NATS and its client do per-message
 * work (subject parsing, a Msg object, a callback) once per batch instead of once per message.
 *
 * The route is a hint, never trusted for correctness: a gateway that no longer holds a live session of
 * the user answers NOT_HERE, a gateway that is gone makes NATS answer the batch with no-responders,
 * and either way the message is sent again on the user subject (and the route forgotten). A restarted
 * gateway has a new route id. Messages still time out as requests do (`timeoutMs`).
 */
@Injectable()
export class PeerRoutes implements OnApplicationShutdown {
  private readonly routes = new Map<string, string>();
  private readonly inbox = createInbox();
  /** Where route gateways send ACKs: one subject per process. */
  private readonly ackSubject = `${this.inbox}.a`;
  /** The ACK subject as MessagePack: the first item of every batch. */
  private readonly ackSubjectBytes = codec.encode(this.ackSubject);
  /** Items sent and not settled, by id (slots, not a Map: IdSlots says why). */
  private readonly items = new IdSlots<Item>(64);
  /** Batches published with items unsettled, by id (a no-responders status names the batch). */
  private readonly batches = new IdSlots<RouteBatch>(16);
  /** Encoded items of this turn, per route: flushed once at the end of the turn (atTurnEnd). */
  private outgoing = new Map<string, RouteBatch>();
  private scheduled = false;
  private sub?: Subscription;
  private sweeper?: NodeJS.Timeout;
  private nextItem = 0;
  private nextBatch = 0;

  constructor(private readonly bus: NatsBus) {}

  onApplicationShutdown(): void {
    this.bus.unsubscribe(this.sub);
    this.expire(Infinity);
  }

  /** The route learned for the uid, if any. */
  get(appId: AppId, uid: string): string | undefined {
    return this.routes.size ? this.routes.get(`${appId}\u0000${uid}`) : undefined;
  }

  /** A gateway that holds the uid's session said so (PeerAck.g). */
  learn(appId: AppId, uid: string, route: string): void {
    if (this.routes.size >= MAX_ROUTES) this.routes.clear();
    this.routes.set(`${appId}\u0000${uid}`, route);
  }

  /** The route did not hold (NOT_HERE, no responders): forget it if it is still the one remembered. */
  forget(appId: AppId, uid: string, route: string): void {
    const key = `${appId}\u0000${uid}`;
    if (this.routes.get(key) === route) this.routes.delete(key);
  }

  /**
   * Sends one peer message over the route; `settle` gets the route gateway's answer (ACKED,
   * NOT_ACKED, NOT_HERE), NOT_HERE when nobody serves the route, TIMED_OUT after `timeoutMs`: once,
   * in a later turn or callback, never before this returns (a callback, not a Promise: the
   * peer-message hot path).
   */
  sendThen(route: string, appId: AppId, uid: string, event: PeerMessageEvent, timeoutMs: number, settle: (code: PeerRouteCode) => void): void {
    this.sub ??= this.bus.connection.subscribe(`${this.inbox}.>`, {
      callback: guardedCallback(logger, (msg) => this.onReply(msg.subject, msg.data, msg.headers?.code)),
    });
    const id = ++this.nextItem;
    const part = codec.encode([id, appId, uid, event]);
    let batch = this.outgoing.get(route);
    if (batch && batch.bytes + part.length > MAX_BATCH_BYTES) {
      this.publish(route, batch);
      batch = undefined;
    }
    if (!batch) this.outgoing.set(route, (batch = { parts: [], ids: [], bytes: 0, id: 0, open: 0 }));
    batch.parts.push(part);
    batch.ids.push(id);
    batch.bytes += part.length;
    if (!this.scheduled) {
      this.scheduled = true;
      atTurnEnd(this.flush);
    }
    this.items.set(id, { settle, deadline: Date.now() + timeoutMs, batch });
    this.sweeper ??= setInterval(() => this.expire(Date.now()), SWEEP_MS).unref();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const outgoing = this.outgoing;
    this.outgoing = new Map();
    for (const [route, batch] of outgoing) this.publish(route, batch);
  };

  /** [ackSubject, item, item, …] as MessagePack: an array header, the subject, the items as encoded. */
  private publish(route: string, batch: RouteBatch): void {
    const header = arrayHeader(batch.parts.length + 1);
    const out = new Uint8Array(header.length + this.ackSubjectBytes.length + batch.bytes);
    out.set(header, 0);
    out.set(this.ackSubjectBytes, header.length);
    let at = header.length + this.ackSubjectBytes.length;
    for (const p of batch.parts) {
      out.set(p, at);
      at += p.length;
    }
    batch.parts = [];
    batch.id = ++this.nextBatch;
    batch.open = batch.ids.length;
    this.batches.set(batch.id, batch);
    try {
      this.bus.connection.publish(Subjects.peerRoute(route), out, { reply: `${this.inbox}.b.${batch.id}` });
    } catch (err) {
      // A closed connection: the items go the long way (their requests fail the same way).
      logger.warn(`route batch not sent: ${(err as Error).message}`);
      this.settleBatch(batch.id, PeerRouteCode.NOT_HERE);
    }
  }

  private onReply(subject: string, data: Uint8Array, status: number | undefined): void {
    if (subject === this.ackSubject) {
      let acks: unknown;
      try {
        acks = codec.decode(data);
      } catch {
        return;
      }
      if (!Array.isArray(acks)) return;
      // [id, code, id, code, …]
      for (let i = 0; i + 1 < acks.length; i += 2) this.settle(acks[i] as number, acks[i + 1] as PeerRouteCode);
      return;
    }
    // `${inbox}.b.<batch>`: only NATS writes there, with 503 when nobody serves the route.
    if (status === 503) this.settleBatch(Number(subject.slice(this.inbox.length + 3)), PeerRouteCode.NOT_HERE);
  }

  private settleBatch(batchId: number, code: PeerRouteCode): void {
    const batch = this.batches.take(batchId);
    if (!batch) return;
    for (const id of batch.ids) this.settle(id, code);
  }

  private settle(id: number, code: PeerRouteCode): void {
    const item = this.items.take(id);
    if (!item) return; // settled already (timed out)
    this.close(item.batch);
    settleSafely(item, code === PeerRouteCode.ACKED || code === PeerRouteCode.NOT_HERE ? code : PeerRouteCode.NOT_ACKED);
  }

  /** One of the batch's items is settled: the batch is forgotten with its last. */
  private close(batch: RouteBatch): void {
    if (--batch.open === 0) this.batches.take(batch.id);
  }

  private expire(now: number): void {
    const overdue: Item[] = [];
    this.items.forEach((item, id) => {
      if (now > item.deadline) overdue.push(this.items.take(id)!);
    });
    for (const item of overdue) {
      this.close(item.batch);
      settleSafely(item, PeerRouteCode.TIMED_OUT);
    }
    if (this.items.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
