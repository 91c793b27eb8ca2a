import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloseCode, createCodec, ErrorCode, Frame } from '@parley/contracts';
import { atTurnEnd } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { WebSocket } from 'ws';
import { sendBinary } from './ws-frame';

const codec = createCodec();
const log = new Logger('OutboundQueue');

/** A pending frame that is already encoded. */
export class EncodedFrame {
  constructor(readonly bytes: Uint8Array) {}
}

/** What the queue needs of a connection (Connection implements it; the queue stays below it). */
export interface QueuedConnection {
  readonly socket: WebSocket;
  /** Frames waiting for the next flush; taken (set to null) by the queue. */
  pending: unknown[] | null;
  closed: boolean;
  /** Who is on the other end, for the log of a cut-off slow consumer. */
  readonly session: { readonly uid: string } | null;
  terminate(): void;
}

/**
 * A frame's bytes. Encoding never throws out of here: a frame that cannot be encoded (a bug — every
 * client-derived value was parsed against a schema first) is logged and dropped, or, for a
 * response, replaced by an UNKNOWN error so the request is still answered.
 */
function encode(frame: unknown): Uint8Array | null {
  if (frame instanceof EncodedFrame) return frame.bytes;
  try {
    return codec.encode(frame);
  } catch (err) {
    log.error(`unencodable frame dropped: ${(err as Error).message}`);
    if (Array.isArray(frame) && frame[0] === Frame.RES && typeof frame[1] === 'number') {
      return codec.encode([Frame.RES, frame[1], ErrorCode.UNKNOWN, { message: 'internal error' }]);
    }
    return null;
  }
}

/**
 * [Frame.BATCH, ...frames] as MessagePack: an array header, then each frame's encoding as it is —
 * pre-encoded fan-out frames are copied, not encoded again.
 */
function batch(frames: unknown[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  for (const frame of frames) {
    const bytes = encode(frame);
    if (bytes) parts.push(bytes);
  }
  if (parts.length <= 1) return parts[0] ?? null;
  const n = parts.length + 1;
  const header =
    n < 16
      ? Uint8Array.of(0x90 | n)
      : n <= 0xffff
        ? Uint8Array.of(0xdc, n >> 8, n & 0xff)
        : Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  const out = new Uint8Array(header.length + 1 + parts.reduce((a, p) => a + p.length, 0));
  out.set(header, 0);
  out[header.length] = Frame.BATCH; // positive fixint
  let at = header.length + 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Batches socket writes: frames queued during one turn of the event loop leave as one WebSocket
 * message per connection (a BATCH frame when there are several), flushed once at the end of the turn
 * (atTurnEnd) for the whole gateway. A client that does not read is cut off once its send buffer passes the cap.
 */
@Injectable()
export class OutboundQueue {
  private readonly logger = new Logger(OutboundQueue.name);
  private dirty: QueuedConnection[] = [];
  private scheduled = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  schedule(conn: QueuedConnection): void {
    this.dirty.push(conn);
    if (!this.scheduled) {
      this.scheduled = true;
      atTurnEnd(this.flushAll);
    }
  }

  flushNow(conn: QueuedConnection): void {
    const frames = conn.pending;
    if (!frames) return;
    conn.pending = null;
    if (conn.closed || conn.socket.readyState !== 1) return;
    const message = frames.length === 1 ? encode(frames[0]) : batch(frames);
    if (!message) return;
    sendBinary(conn.socket, message);
    if (conn.socket.bufferedAmount > this.config.MAX_SEND_BUFFER_BYTES) {
      this.logger.warn({ msg: 'slow consumer cut off', buffered: conn.socket.bufferedAmount, uid: conn.session?.uid });
      conn.closed = true;
      conn.socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
    }
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (const conn of dirty) {
      try {
        this.flushNow(conn);
      } catch (err) {
        // One connection's failure stays with it.
        this.logger.error(`flush failed: ${(err as Error).message}`);
        conn.terminate();
      }
    }
  };
}
