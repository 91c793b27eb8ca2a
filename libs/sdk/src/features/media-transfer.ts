import type { ClientCore } from '../client-core';
import type { RtmError } from '../errors';
import type { MediaTransferHandler } from '../types';
import { asRtmError, canceled } from './media-errors';

type Cleanup = () => void | Promise<void>;

/**
 * One upload or download: its progress reports, its cancel (AbortSignal, request id, session end)
 * and its cleanup. `run(body)` settles with the body's result, or at once with the error of a
 * cancel or failure — after the cleanups ran (MEDIA_CANCEL sent, a partial file removed) — while
 * the body stops at its next `check()`.
 */
export class Transfer {
  /** Bytes moved so far, and in all (0 until known). */
  current = 0;
  total = 0;
  private reported = 0;
  private error?: RtmError;
  private settled = false;
  private timer?: ReturnType<typeof setInterval>;
  private readonly cleanups: Cleanup[] = [];
  private rejectRun?: (err: RtmError) => void;
  private readonly onAbort = (): void => void this.cancel();

  constructor(
    private readonly core: ClientCore,
    private readonly handler: MediaTransferHandler,
    /** Called once when the transfer settles either way (the client forgets it). */
    private readonly onSettled: () => void,
  ) {}

  /** Failed or canceled. */
  get aborted(): boolean {
    return this.error !== undefined;
  }

  /** Throws the transfer's error once it failed or was canceled. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** Runs `fn` when the transfer fails or is canceled (at once when it already did). */
  onCleanup(fn: Cleanup): void {
    if (this.error) void runCleanups([fn], this.core);
    else this.cleanups.push(fn);
  }

  moved(bytes: number): void {
    this.current += bytes;
  }

  run<T>(body: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.rejectRun = reject;
      const signal = this.handler.cancelSignal;
      if (signal?.aborted) {
        this.cancel();
        return;
      }
      signal?.addEventListener('abort', this.onAbort);
      this.timer = setInterval(() => this.report(), this.core.timers.mediaProgressMs);
      (this.timer as { unref?: () => void }).unref?.(); // Node: progress alone does not keep a process alive
      body().then(
        (value) => {
          if (this.settled) return;
          this.settle();
          this.report();
          resolve(value);
        },
        (err: unknown) => this.fail(asRtmError(err)),
      );
    });
  }

  /** Ends the transfer with `err` (false when it had settled already). */
  fail(err: RtmError): boolean {
    if (this.settled) return false;
    this.error = err;
    this.settle();
    const reject = this.rejectRun;
    void runCleanups(this.cleanups.splice(0), this.core).then(() => reject?.(err));
    return true;
  }

  /** Cancels it: rejects with CANCELED (6). False when it had settled already. */
  cancel(): boolean {
    return this.fail(canceled());
  }

  private settle(): void {
    this.settled = true;
    clearInterval(this.timer);
    this.handler.cancelSignal?.removeEventListener('abort', this.onAbort);
    this.onSettled();
  }

  /** onOperationProgress when bytes moved since the last report (never while the transfer stalls). */
  private report(): void {
    if (this.current === this.reported) return;
    this.reported = this.current;
    try {
      this.handler.onOperationProgress?.({ currentSize: this.current, totalSize: this.total });
    } catch (err) {
      this.core.log.error('an onOperationProgress callback threw', err);
    }
  }
}

async function runCleanups(cleanups: Cleanup[], core: ClientCore): Promise<void> {
  for (const fn of cleanups) {
    try {
      await fn();
    } catch (err) {
      core.log.warn('cleaning up a media transfer failed', err);
    }
  }
}
