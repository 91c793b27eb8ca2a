import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createCodec, type PeerMessageEvent } from '@parley/contracts';
import { PeerRouteCode, Subjects } from '@parley/contracts/internal';
import { NatsBus, atTurnEnd } from '@parley/platform';
import type { Subscription } from 'nats';

const codec = createCodec();
const logger = new Logger('PeerRoute');
/** An ACK subject is one of our own processes' inboxes (`_INBOX.<id>.a`): anything else is dropped. */
const ACK_SUBJECT = /^_INBOX\.[A-Za-z0-9]{1,64}\.a$/;

/** Takes one routed message and calls `answer` once with its code: at once, or once the client ACKed (or did not). */
export type RoutedHandler = (appId: string, uid: string, event: PeerMessageEvent, answer: (code: PeerRouteCode) => void) => void;

/**
 * This gateway's direct route for peer messages (PeerRoutes in @parley/delivery is the sending side):
 * a subject of its own, random per boot, named in the ACKs it sends on user subjects (PeerAck.g).
 * A batch [ackSubject, ...items] is handed item by item to the route handler (the composition root
 * connects it to the peer-message feature); the answers of one event-loop turn go back as one NATS
 * message per ACK subject.
 */
@Injectable()
export class PeerRoute implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly id = randomBytes(8).toString('hex');
  private handler: RoutedHandler = (_appId, _uid, _event, answer) => answer(PeerRouteCode.NOT_HERE);
  private sub?: Subscription;
  private answers = new Map<string, number[]>();
  private scheduled = false;

  constructor(private readonly bus: NatsBus) {}

  route(handler: RoutedHandler): void {
    this.handler = handler;
  }

  onApplicationBootstrap(): void {
    this.sub = this.bus.subscribe(Subjects.peerRoute(this.id), (body) => this.onBatch(body));
  }

  onApplicationShutdown(): void {
    this.bus.unsubscribe(this.sub);
    this.sub = undefined;
  }

  private onBatch(body: unknown): void {
    if (!Array.isArray(body) || typeof body[0] !== 'string' || !ACK_SUBJECT.test(body[0])) return;
    const ackSubject = body[0];
    for (let i = 1; i < body.length; i++) {
      const item = body[i] as unknown[];
      if (!Array.isArray(item) || item.length !== 4) continue;
      const [id, appId, uid, event] = item as [unknown, unknown, unknown, PeerMessageEvent];
      if (typeof id !== 'number' || typeof appId !== 'string' || typeof uid !== 'string' || typeof event?.from !== 'string') continue;
      try {
        this.handler(appId, uid, event, (code) => this.answer(ackSubject, id, code));
      } catch (err) {
        // The rest of the batch still goes on; the sender may hear a late answer too (it keeps the first).
        logger.warn(`routed message ${id} failed: ${(err as Error)?.message ?? String(err)}`);
        this.answer(ackSubject, id, PeerRouteCode.NOT_ACKED);
      }
    }
  }

  private answer(ackSubject: string, id: number, code: PeerRouteCode): void {
    let list = this.answers.get(ackSubject);
    if (!list) this.answers.set(ackSubject, (list = []));
    list.push(id, code);
    if (!this.scheduled) {
      this.scheduled = true;
      atTurnEnd(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const answers = this.answers;
    this.answers = new Map();
    for (const [subject, list] of answers) this.bus.publishEncoded(subject, codec.encode(list));
  };
}
