import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode, ParleyError, type AppId, type WireMessage } from '@parley/contracts';
import { HistorySubjects, type HistoryCapture as Capture } from '@parley/contracts/internal';
import { atTurnEnd, NatsBus, PrismaService } from '@parley/platform';
import { counter } from '@parley/platform/telemetry';
import { historyStreamConfig } from './history-stream';
import { RefreshedAppSet } from './refreshed-app-set';

const captured = counter('parley.history.captured', 'Messages put on the history work queue before their sender was answered, by result');
const capturedOk = captured.bind({ result: 'ok' });
const capturedFailed = captured.bind({ result: 'failed' });

/** A batch is sent before it would exceed this (NATS's default max payload is 1 MB). */
const BATCH_MAX_BYTES = 512 * 1024;

interface Pending {
  /** The capture, encoded. */
  data: Uint8Array;
  appId: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Durable capture of messages for the message history (docs/architecture.md, "Message history"): a
 * message sent with enableHistoricalMessaging, or any message of an app that stores all, is published
 * to the file-backed history work queue and its sender is answered only once JetStream acknowledged
 * it — concurrently with its delivery, so the sender waits for whichever is slower, never for
 * Postgres. The captures of one turn of the event loop travel as one JetStream message (an array of
 * encoded HistoryCapture), so a busy gateway pays one store and one acknowledgement for many
 * messages. apps/history inserts them in batches. A failed capture fails the send (UNAVAILABLE: the
 * SDK or the backend sends again; receivers drop the duplicate by its id, and so do history pages).
 * Which apps store all is re-read from Postgres when a change is announced and every
 * CAPTURE_SETTINGS_REFRESH_MS (± 20 %) (RefreshedAppSet).
 */
@Injectable()
export class HistoryCapture implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('HistoryCapture');
  private readonly storeAll = new RefreshedAppSet(
    async () => (await this.prisma.$queryRaw<{ id: string }[]>`SELECT id FROM apps WHERE history_store_all`).map((r) => r.id),
    (err) => this.log.warn(`reading which apps store every message failed: ${err.message}`),
  );
  private streamReady?: Promise<void>;
  private batch: Pending[] = [];
  private batchBytes = 0;
  private flushScheduled = false;

  constructor(
    private readonly bus: NatsBus,
    private readonly prisma: PrismaService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.storeAll.start(this.bus);
  }

  onApplicationShutdown(): void {
    this.storeAll.stop();
  }

  /** Whether a message of the app is stored: asked for by its sender, or the app stores all. */
  wants(appId: string, asked: boolean | undefined): boolean {
    return asked === true || this.storeAll.has(appId);
  }

  /** A peer message: resolves once the history queue holds it; rejects UNAVAILABLE otherwise. */
  peer(appId: AppId, from: string, to: string, id: string, ts: number, m: WireMessage): Promise<void> {
    return this.publish({ k: 'peer', appId, from, to, id, ts, m });
  }

  /** A channel message: as `peer`. */
  channel(appId: AppId, ch: string, from: string, id: string, ts: number, m: WireMessage): Promise<void> {
    return this.publish({ k: 'channel', appId, from, to: ch, id, ts, m });
  }

  /**
   * Queues the capture for this turn of the event loop's batch: the captures of one turn go to
   * JetStream as one message (one store, one acknowledgement), split before BATCH_MAX_BYTES.
   */
  private publish(capture: Capture): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const data = this.bus.encode(capture);
      if (this.batchBytes + data.byteLength > BATCH_MAX_BYTES && this.batch.length > 0) this.flush();
      this.batch.push({ data, appId: capture.appId, resolve, reject });
      this.batchBytes += data.byteLength;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        atTurnEnd(() => this.flush());
      }
    });
  }

  /** Sends the pending batch: one JetStream message (an array of encoded captures) on the first capture's app subject. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const body = this.bus.encode(batch.map((b) => b.data));
    this.send(batch[0]!.appId, body).then(
      () => {
        capturedOk.add(batch.length);
        for (const b of batch) b.resolve();
      },
      (err: Error) => {
        capturedFailed.add(batch.length);
        this.log.warn(`history capture of ${batch.length} message(s) failed: ${err.message}`);
        const refused = new ParleyError(ErrorCode.UNAVAILABLE, 'the message history is unavailable: send again');
        for (const b of batch) b.reject(refused);
      },
    );
  }

  private async send(appId: string, data: Uint8Array): Promise<void> {
    const js = this.bus.jetstream();
    try {
      await js.publish(HistorySubjects.capture(appId), data);
    } catch (err) {
      // No stream yet (the history service creates it; a fresh deployment may send first): create it once and retry.
      if (!isNoStream(err)) throw err;
      await (this.streamReady ??= this.ensureStream().finally(() => (this.streamReady = undefined)));
      await js.publish(HistorySubjects.capture(appId), data);
    }
  }

  private async ensureStream(): Promise<void> {
    const jsm = await this.bus.jetstreamManager();
    await jsm.streams.add(historyStreamConfig()).catch(async (err: unknown) => {
      await jsm.streams.info(HistorySubjects.stream).catch(() => Promise.reject(err));
    });
  }
}

/** JetStream's answer to a publish on a subject no stream holds (503 no responders). */
function isNoStream(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '503' || /no responders|no stream/i.test(e?.message ?? '');
}
