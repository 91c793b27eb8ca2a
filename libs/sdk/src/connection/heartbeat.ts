/**
 * Keep-alive of one socket (protocol: the client PINGs when it sent nothing for heartbeatMs; a link
 * that delivered nothing for 2 × heartbeatMs + 1 s is dead — the same rule the gateway applies).
 */
export class Heartbeat {
  private lastSent = Date.now();
  private lastReceived = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly heartbeatMs: number,
    private readonly sendPing: (ts: number) => void,
    private readonly onDead: () => void,
  ) {}

  get deadAfterMs(): number {
    return 2 * this.heartbeatMs + 1000;
  }

  start(): void {
    this.schedule();
  }

  sent(): void {
    this.lastSent = Date.now();
  }

  received(): void {
    this.lastReceived = Date.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastReceived >= this.deadAfterMs) {
      this.stop();
      this.onDead();
      return;
    }
    if (now - this.lastSent >= this.heartbeatMs) this.sendPing(now); // sendPing calls sent()
    const nextPing = this.lastSent + this.heartbeatMs;
    const deadline = this.lastReceived + this.deadAfterMs;
    this.timer = setTimeout(() => this.schedule(), Math.max(5, Math.min(nextPing, deadline) - Date.now()));
  }
}
