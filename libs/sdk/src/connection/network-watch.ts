/** What the session does on the browser's connectivity hints. */
export interface NetworkHints {
  /** The browser says the network is gone: an open socket may not notice for a long time (or ever). */
  offline(): void;
  /** The network is back: retry now instead of waiting out the backoff. */
  online(): void;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * The browser's `offline` / `online` events, where they exist (a window or worker with
 * `navigator.onLine`); in Node it is a no-op. A socket can outlive the network it ran on (Chromium's
 * offline mode keeps an open WebSocket open; a laptop lid closes without a FIN), and the heartbeat
 * would take 2 × heartbeatMs + 1 s to see it: the event tells at once.
 */
export class NetworkWatch {
  private target?: EventTargetLike;
  private readonly onOffline = (): void => this.hints.offline();
  private readonly onOnline = (): void => this.hints.online();

  constructor(
    private readonly hints: NetworkHints,
    private readonly scope: unknown = globalThis,
  ) {}

  /** Listens (once; again after stop()). */
  start(): void {
    if (this.target) return;
    const target = browserScope(this.scope);
    if (!target) return;
    target.addEventListener('offline', this.onOffline);
    target.addEventListener('online', this.onOnline);
    this.target = target;
  }

  stop(): void {
    this.target?.removeEventListener('offline', this.onOffline);
    this.target?.removeEventListener('online', this.onOnline);
    this.target = undefined;
  }
}

function browserScope(scope: unknown): EventTargetLike | undefined {
  const s = scope as { addEventListener?: unknown; removeEventListener?: unknown; navigator?: { onLine?: unknown } } | undefined;
  if (typeof s?.addEventListener !== 'function' || typeof s.removeEventListener !== 'function') return undefined;
  if (typeof s.navigator?.onLine !== 'boolean') return undefined;
  return s as EventTargetLike;
}
