/** What the console shows for an error: the SDK's error name and code (e.g. "RtmInvalidArgumentError (code 1): …"). */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown; message?: unknown };
    // The admin client's messages say it all already ("401 unauthorized: …", "The server API at … did not answer; …").
    if (e.name === 'AdminApiError' && typeof e.message === 'string') return e.message;
    const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'Error';
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? ` (code ${e.code})` : '';
    const message = typeof e.message === 'string' && e.message ? `: ${e.message}` : '';
    return `${name}${code}${message}`;
  }
  return String(err);
}

/** The error's name alone, for compact result labels ("Failed: RtmTimeoutError"). */
export function errorName(err: unknown): string {
  const name = err && typeof err === 'object' ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name ? name : 'Error';
}

/** The delivery result of a peer message as the playground shows it. */
export function peerResult(result: { hasPeerReceived: boolean; deliveryState?: string }): string {
  if (result.hasPeerReceived) return 'PEER_RECEIVED';
  if (result.deliveryState === 'CACHED_BY_SERVER') return 'CACHED_BY_SERVER';
  return result.deliveryState === 'PEER_UNREACHABLE' ? 'PEER_UNREACHABLE' : 'NOT_RECEIVED';
}

const UNITS = ['B', 'KB', 'MB', 'GB'];

/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** HH:MM:SS of a Unix ms timestamp, local time. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** "a, b ,c" → ["a", "b", "c"] (empty entries dropped, duplicates once). */
export function parseList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
