import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createCodec, ErrorCode, isAppId, isUid, messageSize, ParleyError, type PeerMessageEvent } from '@parley/contracts';
import { type FetchOfflineRequest, type RemoveOfflineRequest, type StoredOfflineMessage, type StoreOfflineRequest } from '@parley/contracts/internal';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { OfflineRepository, type OfflineRow } from './offline.repository';

const codec = createCodec();
const MAX_FETCH = 500;

interface Pending {
  row: OfflineRow;
  done: (err?: Error) => void;
}

/**
 * The offline store. A store request is answered only after its row is committed: a sender told
 * CACHED_BY_SERVER never loses the message. Requests arriving together share one transaction.
 */
@Injectable()
export class OfflineService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OfflineService.name);
  private pending: Pending[] = [];
  private flushTimer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly repository: OfflineRepository,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {}

  store(req: StoreOfflineRequest): Promise<{ stored: true }> {
    if (!isAppId(req?.appId) || !isUid(req.to) || !isUid(req.msg?.from) || typeof req.msg.id !== 'string' || messageSize(req.msg.m) === undefined) {
      return Promise.reject(new ParleyError(ErrorCode.INVALID_ARGUMENT, 'malformed offline message'));
    }
    const msg: PeerMessageEvent = { from: req.msg.from, id: req.msg.id, m: req.msg.m, ts: req.msg.ts };
    const row: OfflineRow = {
      appId: req.appId,
      uid: req.to,
      fromUid: req.msg.from,
      messageId: req.msg.id.slice(0, 128),
      payload: codec.encode(msg),
      expiresAt: new Date(Date.now() + this.config.OFFLINE_TTL_MS),
    };
    return new Promise((resolve, reject) => {
      this.pending.push({ row, done: (err) => (err ? reject(err) : resolve({ stored: true })) });
      if (this.pending.length >= this.config.OFFLINE_BATCH_MAX) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), this.config.OFFLINE_BATCH_DELAY_MS);
    });
  }

  async fetch(req: FetchOfflineRequest): Promise<StoredOfflineMessage[]> {
    if (!isAppId(req?.appId) || !isUid(req.uid)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'appId, uid');
    const limit = Math.min(Math.max(1, Number(req.limit) || MAX_FETCH), MAX_FETCH);
    const rows = await this.repository.fetch(req.appId, req.uid, limit);
    return rows.map((r) => ({ seq: r.seq, msg: { ...(codec.decode(r.payload) as PeerMessageEvent), off: true } }));
  }

  async remove(req: RemoveOfflineRequest): Promise<{ removed: number }> {
    if (!isAppId(req?.appId) || !isUid(req.uid) || !Array.isArray(req.seqs) || !req.seqs.every(Number.isSafeInteger)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'appId, uid, seqs');
    }
    return { removed: req.seqs.length ? await this.repository.remove(req.appId, req.uid, req.seqs) : 0 };
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.repository.deleteExpired().then(
        (n) => n && this.logger.log({ msg: 'expired offline messages deleted', count: n }),
        (err: Error) => this.logger.warn(`offline expiry failed: ${err.message}`),
      );
    }, this.config.OFFLINE_EXPIRY_SWEEP_MS);
    this.sweeper.unref();
  }

  /** Writes what is queued before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    this.flush();
    await Promise.allSettled([...this.writing]);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const write = this.repository
      .storeMany(
        batch.map((p) => p.row),
        this.config.OFFLINE_MAX_PER_USER,
      )
      .then(
        () => batch.forEach((p) => p.done()),
        (err: Error) => {
          this.logger.error(`offline store failed for ${batch.length} messages: ${err.message}`);
          batch.forEach((p) => p.done(new ParleyError(ErrorCode.UNAVAILABLE, 'offline store unavailable')));
        },
      );
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
  }
}
