/** Random hex of `bytes` bytes (crypto.getRandomValues when present). */
function randomHex(bytes: number): string {
  const a = new Uint8Array(bytes);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(a);
  else for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A W3C traceparent (version 00, sampled) naming a new trace: the SDK sends it with every request
 * of one multi-request call (an upload, a download) so the server's spans of that call form one trace.
 */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
