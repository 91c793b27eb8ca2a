import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloseCode, createCodec, Frame } from '@parley/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Connection } from './connection';

const codec = createCodec();

/**
 * Batches socket writes: frames queued during one turn of the event loop leave as one WebSocket
 * message per connection (a BATCH frame when there are several), flushed by a single setImmediate
 * for the whole gateway. A client that does not read is cut off once its send buffer passes the cap.
 */
@Injectable()
export class OutboundQueue {
  private readonly logger = new Logger(OutboundQueue.name);
  private dirty: Connection[] = [];
  private scheduled = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  schedule(conn: Connection): void {
    this.dirty.push(conn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  flushNow(conn: Connection): void {
    const frames = conn.pending;
    if (!frames) return;
    conn.pending = null;
    if (conn.closed || conn.socket.readyState !== 1) return;
    const message = frames.length === 1 ? codec.encode(frames[0]) : codec.encode([Frame.BATCH, ...frames]);
    conn.socket.send(message);
    if (conn.socket.bufferedAmount > this.config.MAX_SEND_BUFFER_BYTES) {
      this.logger.warn({ msg: 'slow consumer cut off', buffered: conn.socket.bufferedAmount, uid: conn.session?.uid });
      conn.closed = true;
      conn.socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
    }
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const batch = this.dirty;
    this.dirty = [];
    for (const conn of batch) this.flushNow(conn);
  };
}
