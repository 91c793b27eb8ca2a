import { CAPTURE_SETTINGS_REFRESH_MS } from '@parley/contracts/internal';
import { Alarm, jittered } from '@parley/platform';

/**
 * A set of app ids read from Postgres at start and again every CAPTURE_SETTINGS_REFRESH_MS (± 20 %)
 * in the background (which apps capture messages for webhooks, which store every message): the
 * message path asks `has`, one Set lookup. A failed read keeps the last known set; the next one
 * tries again.
 */
export class RefreshedAppSet {
  private apps = new Set<string>();
  private stopped = false;
  private readonly refresher = new Alarm(() => void this.refresh().finally(() => this.refresher.in(jittered(CAPTURE_SETTINGS_REFRESH_MS))));

  constructor(
    /** The ids now. */
    private readonly load: () => Promise<Iterable<string>>,
    /** Told when a read fails (e.g. "reading which apps store every message failed"). */
    private readonly failed: (err: Error) => void,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    if (!this.stopped) this.refresher.in(jittered(CAPTURE_SETTINGS_REFRESH_MS));
  }

  stop(): void {
    this.stopped = true;
    this.refresher.cancel();
  }

  has(appId: string): boolean {
    return this.apps.size !== 0 && this.apps.has(appId);
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    try {
      this.apps = new Set(await this.load());
    } catch (err) {
      this.failed(err as Error);
    }
  }
}
