import type { NatsConnection } from 'nats';
import { afterTurnEnd } from '../timers/turn-end';

/** The part of nats.js's protocol handler (lib/nats-base-client/protocol.js, 2.x) this touches. */
interface ProtocolHandler {
  outbound: { fill(buf: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

const encoder = new TextEncoder();

/**
 * nats.js writes its queued commands to the socket in a microtask, i.e. after every callback that
 * queued one: a gateway handling 50 WebSocket messages in one event-loop turn makes 50 write
 * syscalls to NATS (a login's SUB, a request, a publish). This writes them once per turn instead,
 * after the turn's batches (`afterTurnEnd`: the work queued with `atTurnEnd` runs first; still in
 * order, still at once when the buffer passes nats.js's pendingLimit). On a loopback NATS a write
 * costs ~10 µs of kernel time, more than the JS work of a login.
 * Returns false, changing nothing, if the connection is not shaped as expected (another nats.js).
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolHandler> }).protocol;
  if (!protocol || typeof protocol.sendCommand !== 'function' || typeof protocol.flushPending !== 'function' || !protocol.outbound) return false;
  const handler = protocol as ProtocolHandler;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    handler.flushPending();
  };
  handler.sendCommand = (cmd, ...payloads) => {
    handler.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (handler.outbound.size() >= handler.pendingLimit) handler.flushPending();
    else if (!scheduled) {
      scheduled = true;
      afterTurnEnd(flush);
    }
  };
  return true;
}
