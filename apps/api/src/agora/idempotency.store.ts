import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { KV } from 'nats';
import { ApiError } from '../http/api-error';

/** How long a key is remembered (Stripe's convention: a day). */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

interface Record {
  state: 'pending' | 'done';
  body?: unknown;
}

/** The id of a key within an app and route: what the KV bucket stores and what messages derive their id from. */
export const idempotencyHash = (appId: string, route: string, key: string): string =>
  createHash('sha256').update(`${appId}\u0000${route}\u0000${key}`).digest('hex').slice(0, 48);

/**
 * Idempotency-Key for sends: the first request with a key claims it (a JetStream KV create, atomic
 * over every API replica) and stores its answer; a retry gets the same answer without sending again,
 * or 409 while the first is still running. A failed request releases its key. Messages sent under a
 * key also carry an id derived from it, so receivers drop a second copy even if the record were lost.
 */
@Injectable()
export class IdempotencyStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdempotencyStore.name);
  private kv?: Promise<KV>;

  constructor(private readonly bus: NatsBus) {}

  onApplicationBootstrap(): void {
    void this.bucket().catch((err: Error) => this.logger.warn(`idempotency bucket: ${err.message}`));
  }

  async run<T>(hash: string | undefined, send: () => Promise<T>): Promise<{ body: T; replayed: boolean }> {
    if (!hash) return { body: await send(), replayed: false };
    const kv = await this.bucket();
    try {
      await kv.create(hash, this.bus.encode({ state: 'pending' } satisfies Record));
    } catch {
      const entry = await kv.get(hash);
      const record = entry && entry.value.length ? (this.bus.decode(entry.value) as Record) : null;
      if (record?.state === 'done') return { body: record.body as T, replayed: true };
      throw new ApiError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still running; retry later', 1000);
    }
    try {
      const body = await send();
      await kv.put(hash, this.bus.encode({ state: 'done', body } satisfies Record));
      return { body, replayed: false };
    } catch (err) {
      await kv.delete(hash).catch(() => undefined);
      throw err;
    }
  }

  private bucket(): Promise<KV> {
    this.kv ??= this.bus
      .jetstream()
      .views.kv(Subjects.apiIdempotencyBucket, { ttl: KEY_TTL_MS, history: 1 })
      .catch((err: unknown) => {
        this.kv = undefined;
        throw new ApiError(503, 'unavailable', `idempotency store unavailable: ${(err as Error).message}`, 1000);
      });
    return this.kv;
  }
}
