import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { MEDIA_LIMITS, ParleyError, type AppId, type MediaInfo } from '@parley/contracts';
import { MediaUploadKind, Subjects, type MediaBeginReply, type MediaBeginRequest, type MediaUploadMessage } from '@parley/contracts/internal';
import { connectNatsClients, PrismaService, RpcInterceptor, ServiceClient, serviceTransport, type NatsClients } from '@parley/platform';
import { startTestS3, testDatabaseUrl, type TestS3, type TestS3Options } from '@parley/testing';
import type { Client, BucketItem } from 'minio';
import { AppModule } from '../src/app.module';
import { readMediaConfig } from '../src/config/media.config';
import { MediaExpiryService } from '../src/media/media-expiry.service';
import { createS3Client } from '../src/media/media-storage';
import { MediaUploadsService } from '../src/media/media-uploads.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** One replica of the media service, as bootstrap() runs it (AppModule on NATS in the media queue group). */
export interface MediaReplica {
  app: INestApplication;
  uploads: MediaUploadsService;
  expiry: MediaExpiryService;
  /** Its upload subject. */
  subject: string;
  close(): Promise<void>;
}

/** An `app_events` row, as the media service writes it (`ts` Unix ms). */
export interface EventRow {
  kind: string;
  type: string;
  uid: string;
  channel_id: string | null;
  ts: number;
  detail: Record<string, unknown> | null;
}

export const newAppId = () => randomBytes(16).toString('hex') as AppId;

export async function rejection(p: Promise<unknown>): Promise<number> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return (err as ParleyError).code;
}

export interface UploadOptions {
  type?: 'FILE' | 'IMAGE';
  name?: string;
  appId?: AppId;
  /** The uploader (alice unless set). */
  uid?: string;
  chunkBytes?: number;
  window?: number;
  /** Called after each answered chunk (e.g. to sample memory). */
  onChunk?: (seq: number) => void;
}

/**
 * The surroundings of the media service in a "medium" test: a throwaway s3rver, the real Postgres
 * test database and NATS, and a client speaking to the service as the gateway does.
 *
 * The media rows live in a schema of the harness's own (a copy of the migrated table): expiry sweeps
 * of other test runs and stacks on the same database (which use other buckets) never take these
 * rows, and these tests' sweepers never take theirs. So does the event record (`app_events`, a copy
 * too): these tests' retention sweeps delete nobody else's events.
 */
export class MediaHarness {
  readonly appId = newAppId();
  readonly schema = `mediatest_${randomBytes(6).toString('hex')}`;
  readonly databaseUrl: string;
  s3!: TestS3;
  /** A client of the same S3 server, to look at the bucket. */
  minio!: Client;
  client!: ServiceClient;
  prisma!: PrismaService;
  private nats!: NatsClients;
  private closeAgent!: () => void;
  private readonly replicas: MediaReplica[] = [];

  private constructor() {
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    this.databaseUrl = url.toString();
  }

  static async start(s3Options: TestS3Options = {}): Promise<MediaHarness> {
    const h = new MediaHarness();
    const admin = new PrismaService(testDatabaseUrl());
    try {
      await admin.$executeRawUnsafe(`CREATE SCHEMA ${h.schema}`);
      await admin.$executeRawUnsafe(`CREATE TABLE ${h.schema}.media (LIKE public.media INCLUDING ALL)`);
      await admin.$executeRawUnsafe(`CREATE TABLE ${h.schema}.app_events (LIKE public.app_events INCLUDING ALL)`);
    } finally {
      await admin.$disconnect();
    }
    h.s3 = await startTestS3(s3Options);
    const { client, agent } = createS3Client({
      S3_ENDPOINT: h.s3.endpoint,
      S3_ACCESS_KEY: h.s3.accessKey,
      S3_SECRET_KEY: h.s3.secretKey,
      S3_REGION: h.s3.region,
    });
    h.minio = client;
    h.closeAgent = () => agent.destroy();
    h.prisma = new PrismaService(h.databaseUrl);
    h.nats = await connectNatsClients({ servers: NATS_URL, name: 'media-test' });
    h.client = h.nats.services;
    return h;
  }

  /** The service's environment for this harness, plus overrides (strings, as in the environment). */
  env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    // this run's subject prefix (jest.config.cjs), as the app's config would carry it
    const prefix = { PARLEY_SUBJECT_PREFIX: process.env['PARLEY_SUBJECT_PREFIX'] };
    return { ...this.s3.env, DATABASE_URL: this.databaseUrl, NATS_URL, LOG_LEVEL: 'silent', ...prefix, ...overrides };
  }

  /** Starts a replica with these settings. */
  async replica(overrides: Record<string, string> = {}): Promise<MediaReplica> {
    const config = readMediaConfig(this.env(overrides));
    const app = await NestFactory.create(AppModule.register(config), { logger: false });
    app.useGlobalInterceptors(new RpcInterceptor());
    app.connectMicroservice<MicroserviceOptions>(serviceTransport('media', config), { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    const uploads = app.get(MediaUploadsService);
    let closed: Promise<void> | undefined;
    const replica: MediaReplica = {
      app,
      uploads,
      expiry: app.get(MediaExpiryService),
      subject: uploads.subject,
      close: () => (closed ??= app.close()),
    };
    this.replicas.push(replica);
    return replica;
  }

  begin(req: Partial<MediaBeginRequest> = {}): Promise<MediaBeginReply> {
    return this.client.request<MediaBeginReply>(Subjects.media.begin, { appId: this.appId, uid: 'alice', size: 1, name: '', type: 'FILE', ...req });
  }

  send(subject: string, msg: Partial<MediaUploadMessage> & Pick<MediaUploadMessage, 'kind' | 'uploadId'>): Promise<unknown> {
    return this.client.request(subject, { appId: this.appId, ...msg });
  }

  chunk(begun: MediaBeginReply, seq: number, data: Uint8Array, appId: AppId = this.appId): Promise<null> {
    return this.client.request<null>(begun.subject, { kind: MediaUploadKind.CHUNK, uploadId: begun.uploadId, appId, seq, data });
  }

  end(begun: MediaBeginReply, appId: AppId = this.appId): Promise<MediaInfo> {
    return this.client.request<MediaInfo>(begun.subject, { kind: MediaUploadKind.END, uploadId: begun.uploadId, appId });
  }

  cancel(begun: MediaBeginReply, appId: AppId = this.appId): Promise<null> {
    return this.client.request<null>(begun.subject, { kind: MediaUploadKind.CANCEL, uploadId: begun.uploadId, appId });
  }

  /**
   * Uploads `size` bytes made by `chunkAt(seq, length)` as the SDK does: chunks in order, at most
   * `window` unanswered; then END. Returns the stored media's info.
   */
  async upload(size: number, chunkAt: (seq: number, length: number) => Uint8Array, opts: UploadOptions = {}): Promise<MediaInfo> {
    const appId = opts.appId ?? this.appId;
    const chunkBytes = opts.chunkBytes ?? MEDIA_LIMITS.CHUNK_BYTES;
    const window = opts.window ?? MEDIA_LIMITS.WINDOW;
    const begun = await this.begin({
      appId,
      size,
      type: opts.type ?? 'FILE',
      name: opts.name ?? 'file.bin',
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
    });
    const count = Math.ceil(size / chunkBytes);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const seq = next++;
        await this.chunk(begun, seq, chunkAt(seq, Math.min(chunkBytes, size - seq * chunkBytes)), appId);
        opts.onChunk?.(seq);
      }
    };
    // `window` senders taking sequence numbers in order: requests leave in order on one connection.
    await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
    return this.end(begun, appId);
  }

  /** Uploads these bytes in chunks. */
  uploadBytes(bytes: Buffer, opts: UploadOptions = {}): Promise<MediaInfo> {
    const chunkBytes = opts.chunkBytes ?? MEDIA_LIMITS.CHUNK_BYTES;
    return this.upload(bytes.length, (seq, length) => bytes.subarray(seq * chunkBytes, seq * chunkBytes + length), opts);
  }

  info(mediaId: string, appId: AppId = this.appId): Promise<MediaInfo> {
    return this.client.request<MediaInfo>(Subjects.media.info, { appId, mediaId });
  }

  read(mediaId: string, offset: number, length: number, appId: AppId = this.appId): Promise<Uint8Array> {
    return this.client.request<Uint8Array>(Subjects.media.read, { appId, mediaId, offset, length });
  }

  /** The whole file through reads of `length` bytes. */
  async readAll(mediaId: string, size: number, length = MEDIA_LIMITS.READ_BYTES): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for (let offset = 0; offset < size; offset += length) parts.push(await this.read(mediaId, offset, length));
    return Buffer.concat(parts);
  }

  /** Objects in the bucket under this harness's app (or another prefix). */
  async objects(prefix = `${this.appId}/`): Promise<BucketItem[]> {
    const items: BucketItem[] = [];
    for await (const item of this.minio.listObjectsV2(this.s3.bucket, prefix, true)) items.push(item as BucketItem);
    return items;
  }

  async rowCount(appId: AppId = this.appId): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM media WHERE app_id = ${appId}`;
    return row!.n;
  }

  /** The event record's rows of the app, in `seq` order. */
  async events(appId: AppId = this.appId): Promise<EventRow[]> {
    return this.prisma.$queryRaw<EventRow[]>`
      SELECT kind, type, uid, channel_id, floor(extract(epoch FROM ts) * 1000)::float8 AS ts, detail
      FROM app_events WHERE app_id = ${appId} ORDER BY seq`;
  }

  async stop(): Promise<void> {
    for (const r of this.replicas) await r.close().catch(() => undefined);
    await this.nats?.close();
    await this.prisma?.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await this.prisma?.$disconnect();
    this.closeAgent?.();
    await this.s3?.stop();
  }
}
