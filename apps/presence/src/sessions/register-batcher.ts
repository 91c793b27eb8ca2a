import type { RegisteredSession, SessionRegistration } from './sessions.repository';

export interface RegisterBatchOptions {
  /** How long the first login of a batch waits for others (0: the next turn of the event loop). */
  delayMs: number;
  /** Logins per batch; a full batch is written at once. */
  max: number;
  /** Batches written at once; more wait and grow meanwhile (under load: bigger batches, fewer statements). */
  writers: number;
}

interface Pending {
  login: SessionRegistration;
  resolve: (r: RegisteredSession) => void;
  reject: (err: Error) => void;
}

/** Writes one statement's logins (each (app, uid) once); results in their order. */
export type RegisterWriter = (logins: readonly SessionRegistration[]) => Promise<RegisteredSession[]>;

/**
 * Collects the logins arriving within `delayMs` (or until `max`) and registers them with one
 * statement instead of one each. At most `writers` batches are written at once: logins arriving
 * while they are busy wait for the next free one, so the batches grow with the load instead of the
 * statements. A uid that logs in more than once in a batch is split across statements written one
 * after the other, in arrival order, so its later login gets the higher epoch and wins. Each caller
 * gets its own result (epoch, previous instance, won).
 */
export class RegisterBatcher {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly write: RegisterWriter,
    private readonly options: RegisterBatchOptions,
  ) {}

  register(login: SessionRegistration): Promise<RegisteredSession> {
    return new Promise((resolve, reject) => {
      this.pending.push({ login, resolve, reject });
      if (this.pending.length >= this.options.max) this.flush();
      else this.timer ??= setTimeout(this.flush, this.options.delayMs);
    });
  }

  /** Writes what is queued now, and what queues meanwhile (a few rounds: shutdown has a deadline). */
  async drain(passes = 10): Promise<void> {
    for (let i = 0; i < passes && (this.pending.length || this.writing.size); i++) {
      this.flush();
      await Promise.allSettled([...this.writing]);
    }
  }

  private readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length && this.writing.size < this.options.writers) {
      const batch = this.pending.splice(0, this.options.max);
      const write = this.writeRounds(rounds(batch));
      this.writing.add(write);
      void write.finally(() => {
        this.writing.delete(write);
        // Whatever queued while every writer was busy has waited long enough.
        if (this.pending.length) this.flush();
      });
    }
  };

  private async writeRounds(all: Pending[][]): Promise<void> {
    for (const round of all) {
      const logins = round.map((p) => p.login);
      try {
        // A deadlock with another multi-row statement (the sweep) rolled the whole statement back: once more.
        const results = await this.write(logins).catch((err: unknown) => (isDeadlock(err) ? this.write(logins) : Promise.reject(err)));
        round.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        for (const p of round) p.reject(err as Error);
      }
    }
  }
}

/** Postgres SQLSTATE 40P01, however deep the driver adapter wrapped it. */
export function isDeadlock(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown };
    if (o.code === '40P01' || o.originalCode === '40P01' || (typeof o.message === 'string' && o.message.includes('deadlock detected'))) return true;
    e = o.cause;
  }
  return false;
}

/** Splits a batch so that each (app, uid) appears once per round: round n holds the n-th login of each uid. */
export function rounds<T extends { login: SessionRegistration }>(batch: readonly T[]): T[][] {
  return roundsBy(batch, (p) => `${p.login.appId}/${p.login.uid}`);
}

/** Splits items so that each key appears once per round, in order: round n holds the n-th item of each key. */
export function roundsBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const seen = new Map<string, number>();
  const out: T[][] = [];
  for (const item of items) {
    const k = key(item);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    (out[n] ??= []).push(item);
  }
  return out;
}
