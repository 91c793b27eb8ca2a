/** Gateway URLs in failover order: stay on the current one while it works, move on after a failure. */
export class UrlRotation {
  private index = 0;

  constructor(private readonly urls: readonly string[]) {
    if (urls.length === 0) throw new Error('no server URL');
  }

  get current(): string {
    return this.urls[this.index];
  }

  get size(): number {
    return this.urls.length;
  }

  /** Switches to the next URL (wrapping) and returns it. */
  advance(): string {
    this.index = (this.index + 1) % this.urls.length;
    return this.current;
  }
}
