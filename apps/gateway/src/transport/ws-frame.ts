import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** FIN + binary opcode: every message the gateway sends is one unfragmented binary frame. */
const FIN_BINARY = 0x82;

/** Bytes of the header of a server-to-client frame with an `n`-byte payload (RFC 6455 §5.2: unmasked). */
function headerBytes(n: number): number {
  return n < 126 ? 2 : n <= 0xffff ? 4 : 10;
}

/** A frame buffer for an `n`-byte payload with its header written; the payload goes at headerBytes(n). */
function allocFrame(n: number): Buffer {
  const frame = Buffer.allocUnsafe(headerBytes(n) + n);
  frame[0] = FIN_BINARY;
  if (n < 126) {
    frame[1] = n;
  } else if (n <= 0xffff) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  return frame;
}

/** One server-to-client WebSocket frame (unmasked, RFC 6455 §5.2) with `payload`, in one buffer. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const frame = allocFrame(payload.length);
  frame.set(payload, headerBytes(payload.length));
  return frame;
}

/**
 * Sends `payload` as one binary message, written to the TCP socket as one buffer. ws's own send
 * writes a header and the payload as two chunks under cork (a writev per message, with the stream's
 * chunk list around it); a gateway writes one message per socket and turn, so this is on every
 * delivery. Safe beside ws's own writes (HELLO, pings, the close frame): both write to the same stream
 * synchronously, in call order; ws compresses nothing here (perMessageDeflate is off) and so never
 * queues a message of its own. A socket not shaped as expected (no underlying net socket) gets
 * ws's send.
 */
export function sendBinary(ws: WebSocket, payload: Uint8Array): void {
  const socket = netSocket(ws);
  if (socket) socket.write(binaryFrame(payload));
  else ws.send(payload);
}

/**
 * sendBinary() of the concatenation of `parts`, copied once, straight into the frame: a batch of
 * encoded frames needs no buffer of its own.
 */
export function sendBinaryParts(ws: WebSocket, parts: readonly Uint8Array[]): void {
  let bytes = 0;
  for (const p of parts) bytes += p.length;
  const frame = allocFrame(bytes);
  const start = headerBytes(bytes);
  let at = start;
  for (const p of parts) {
    frame.set(p, at);
    at += p.length;
  }
  const socket = netSocket(ws);
  if (socket) socket.write(frame);
  else ws.send(frame.subarray(start));
}

/** The TCP socket under a ws WebSocket, or undefined when it is not shaped as expected. */
function netSocket(ws: WebSocket): Socket | undefined {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  return socket && typeof socket.write === 'function' ? socket : undefined;
}
