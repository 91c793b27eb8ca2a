import { CAPTURE_SETTINGS_REFRESH_MS, Subjects } from '@parley/contracts/internal';
import { Alarm, jittered, type NatsBus } from '@parley/platform';

/**
 * A set of app ids read from Postgres at start, again whenever a change is announced
 * (Subjects.captureSettingsChanged, heard on the bus given to `start`; or `changed()`) and every
 * CAPTURE_SETTINGS_REFRESH_MS (± 20 %) in case an announcement was lost (which apps capture messages
 * for webhooks, which store every message): the message path asks `has`, one Set lookup. Reads never
 * overlap: a change announced during a read is read again right after it. A failed read keeps the
 * last known set; the next one tries again.
 */
export class RefreshedAppSet {
  private apps = new Set<string>();
  private stopped = false;
  private reading?: Promise<void>;
  /** A change was announced while a read ran (that read may have missed it). */
  private again = false;
  private readonly refresher = new Alarm(() => this.changed());
  /** Ends the subscription `start` made (nothing without a bus). */
  private unlisten = (): void => undefined;

  constructor(
    /** The ids now. */
    private readonly load: () => Promise<Iterable<string>>,
    /** Told when a read fails (e.g. "reading which apps store every message failed"). */
    private readonly failed: (err: Error) => void,
  ) {}

  /** Reads the set; with a bus, also on every announced change until `stop`. */
  async start(bus?: NatsBus): Promise<void> {
    if (bus) {
      const sub = bus.subscribe(Subjects.captureSettingsChanged, () => this.changed());
      this.unlisten = () => bus.unsubscribe(sub);
    }
    this.changed();
    await this.reading;
  }

  stop(): void {
    this.stopped = true;
    this.refresher.cancel();
    this.unlisten();
  }

  has(appId: string): boolean {
    return this.apps.size !== 0 && this.apps.has(appId);
  }

  /** Reads the set again now (after the read in progress, if any); the safety interval starts over. */
  changed(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.refresher.cancel();
    this.refresher.in(jittered(CAPTURE_SETTINGS_REFRESH_MS));
    this.reading = this.refresh().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        this.changed();
      }
    });
  }

  private async refresh(): Promise<void> {
    try {
      const apps = new Set(await this.load());
      if (!this.stopped) this.apps = apps;
    } catch (err) {
      this.failed(err as Error);
    }
  }
}
