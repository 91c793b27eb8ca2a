/**
 * Keep-alive of one socket (protocol: the client PINGs when it sent nothing for heartbeatMs; a link
 * that delivered nothing for 2 × heartbeatMs + 1 s is dead — the same rule the gateway applies).
 *
 * A stall of this process is not silence of the link (the gateway's sweep reasons the same way): a
 * check that runs more than heartbeatMs late — a long synchronous task, a GC pause, a throttled tab —
 * finds whatever the server sent in the meantime still unread behind it. Such a check judges
 * nothing: it PINGs at once and gives the link heartbeatMs + 1 s from then to answer.
 */
export class Heartbeat {
  private lastSent: number;
  private lastReceived: number;
  /** When the pending check is due (0: none scheduled yet). */
  private dueAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly heartbeatMs: number,
    private readonly sendPing: (ts: number) => void,
    private readonly onDead: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSent = this.lastReceived = now();
  }

  get deadAfterMs(): number {
    return 2 * this.heartbeatMs + 1000;
  }

  start(): void {
    this.schedule();
  }

  sent(): void {
    this.lastSent = this.now();
  }

  received(): void {
    this.lastReceived = this.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.now();
    const stalled = this.dueAt !== 0 && now - this.dueAt > this.heartbeatMs;
    if (stalled) {
      this.lastReceived = Math.max(this.lastReceived, now - this.heartbeatMs);
      this.sendPing(now); // sendPing calls sent()
    } else if (now - this.lastReceived >= this.deadAfterMs) {
      this.stop();
      this.onDead();
      return;
    } else if (now - this.lastSent >= this.heartbeatMs) {
      this.sendPing(now);
    }
    const nextPing = this.lastSent + this.heartbeatMs;
    const deadline = this.lastReceived + this.deadAfterMs;
    const delay = Math.max(5, Math.min(nextPing, deadline) - this.now());
    this.dueAt = this.now() + delay;
    this.timer = setTimeout(() => this.schedule(), delay);
  }
}
