import { Inject, Injectable, Logger } from '@nestjs/common';
import { arrayHeader, CloseCode, createCodec, ErrorCode, Frame } from '@parley/contracts';
import { atTurnEnd } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { WebSocket } from 'ws';
import { sendBinary, sendBinaryParts } from './ws-frame';

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

/** The array header of a BATCH of `n - 1` frames with the BATCH marker (a positive fixint); made once below 16. */
const withMarker = (n: number) => Uint8Array.of(...arrayHeader(n), Frame.BATCH);
const BATCH_HEADS = Array.from({ length: 16 }, (_, n) => withMarker(n));
function batchHead(n: number): Uint8Array {
  return n < 16 ? BATCH_HEADS[n]! : withMarker(n);
}

/**
 * Sends `frames` as one WebSocket message: [Frame.BATCH, ...frames] as MessagePack — the array
 * header, then each frame's encoding as it is, copied once into the WebSocket frame (pre-encoded
 * fan-out frames are copied, not encoded again); a lone encodable frame as itself.
 */
function sendBatch(socket: WebSocket, frames: unknown[]): void {
  const parts: Uint8Array[] = [BATCH_HEADS[0]!]; // [0]: the header, once the count is known
  for (const frame of frames) {
    const encoded = encode(frame);
    if (encoded) parts.push(encoded);
  }
  if (parts.length === 1) return;
  if (parts.length === 2) return sendBinary(socket, parts[1]!);
  parts[0] = batchHead(parts.length);
  sendBinaryParts(socket, parts);
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
    if (frames.length > 1) sendBatch(conn.socket, frames);
    else {
      const message = encode(frames[0]);
      if (!message) return;
      sendBinary(conn.socket, message);
    }
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
