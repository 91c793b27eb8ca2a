/**
 * The WebSocket implementation: `globalThis.WebSocket` (browsers, Node ≥ 22) unless one is injected
 * with `AgoraRTM.setWebSocketImplementation(ctor)` / `AgoraRTM.setParameter('WebSocket', ctor)`
 * (e.g. the `ws` package's WebSocket).
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => unknown) | null;
  onmessage: ((ev: { data: unknown }) => unknown) | null;
  onclose: ((ev: { code?: number; reason?: string }) => unknown) | null;
  onerror: ((ev: unknown) => unknown) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * What apps may pass: any WebSocket class with the browser API (`ws`'s, undici's, the DOM's).
 * Loosely typed on purpose: their typings differ in details the SDK does not use.
 */
export type WebSocketImplementation = new (url: string) => object;

let injected: WebSocketConstructor | undefined;

export function setWebSocketImplementation(ctor: WebSocketImplementation | undefined | null): void {
  if (ctor !== undefined && ctor !== null && typeof ctor !== 'function') {
    throw new TypeError('WebSocket implementation must be a constructor');
  }
  injected = (ctor ?? undefined) as WebSocketConstructor | undefined;
}

export function getWebSocketImplementation(): WebSocketConstructor | undefined {
  return injected ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

/** Binary message data as bytes (ArrayBuffer with binaryType 'arraybuffer'; Buffer/views also accepted). */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array(data as ArrayBuffer);
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((d) => ArrayBuffer.isView(d))) {
    // ws delivers fragmented messages as Buffer[] when binaryType is 'fragments'.
    const parts = data as ArrayBufferView[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    return out;
  }
  return undefined;
}
