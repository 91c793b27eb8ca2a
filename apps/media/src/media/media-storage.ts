import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { AppId, MediaId } from '@parley/contracts';
import { Client, type LifecycleConfig } from 'minio';
import { MEDIA_CONFIG, type MediaConfig } from '../config/media.config';
import { registerReadinessProbe } from '@parley/platform';
import { S3ObjectWriter } from './s3-object-writer';

const DAY_MS = 24 * 60 * 60 * 1000;
export const LIFECYCLE_RULE_ID = 'parley-media-expiry';

/** The object is gone (expired by the bucket's lifecycle rule, or removed). */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
}

/** Where a media's bytes live: one object per media, `<appId>/<mediaId>`. */
export function objectKey(appId: AppId, mediaId: MediaId): string {
  return `${appId}/${mediaId}`;
}

/** The S3 client for the configured endpoint, with its own connection pool (closed at shutdown). */
export function createS3Client(config: Pick<MediaConfig, 'S3_ENDPOINT' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_REGION'>): {
  client: Client;
  agent: HttpAgent;
} {
  const url = new URL(config.S3_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  const agent = useSSL ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const client = new Client({
    endPoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    pathStyle: true,
    transportAgent: agent,
  });
  return { client, agent };
}

/** The bucket's lifecycle: objects expire a whole number of days (rounded up) after their upload. */
export function lifecycleRule(ttlMs: number): LifecycleConfig {
  return {
    Rule: [
      {
        ID: LIFECYCLE_RULE_ID,
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Expiration: { Days: Math.max(1, Math.ceil(ttlMs / DAY_MS)) },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ],
  };
}

function s3Code(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

/**
 * Media objects in S3. At start the bucket is created when missing and given a lifecycle rule that
 * expires objects after the media TTL; servers without lifecycle support (s3rver) rely on the
 * expiry sweeper alone.
 */
@Injectable()
export class MediaStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MediaStorage.name);
  readonly client: Client;
  readonly bucket: string;
  private readonly agent: HttpAgent;

  constructor(@Inject(MEDIA_CONFIG) private readonly config: MediaConfig) {
    ({ client: this.client, agent: this.agent } = createS3Client(config));
    this.bucket = config.S3_BUCKET;
  }

  async onModuleInit(): Promise<void> {
    await this.ensureBucket();
    await this.applyLifecycle();
    // Not ready while S3 cannot be reached (Kubernetes stops sending it work; uploads would fail).
    registerReadinessProbe('s3', async () => {
      if (!(await this.client.bucketExists(this.bucket))) throw new Error(`bucket ${this.bucket} is missing`);
    });
  }

  onApplicationShutdown(): void {
    this.agent.destroy();
  }

  /** A stream into the media's object; it holds at most one part in memory. */
  writer(appId: AppId, mediaId: MediaId, size: number, contentType: string): S3ObjectWriter {
    return new S3ObjectWriter(this.client, {
      bucket: this.bucket,
      key: objectKey(appId, mediaId),
      size,
      contentType,
      partBytes: this.config.MEDIA_PART_BYTES,
    });
  }

  /** `length` bytes of an object from `offset` (the caller keeps the range inside the object). */
  async read(key: string, offset: number, length: number): Promise<Buffer> {
    let stream;
    try {
      stream = await this.client.getPartialObject(this.bucket, key, offset, length);
    } catch (err) {
      if (s3Code(err) === 'NoSuchKey' || s3Code(err) === 'NotFound') throw new ObjectNotFoundError(key);
      throw err;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
    }
    return Buffer.concat(chunks, total);
  }

  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  /** Removes objects in batches; returns the keys that could not be removed. */
  async removeMany(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const results = await this.client.removeObjects(this.bucket, [...keys]);
    return results.flatMap((r) => (r && r.Error && r.Error.Code !== 'NoSuchKey' ? [r.Error.Key ?? ''] : []));
  }

  private async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.config.S3_REGION);
      this.logger.log(`created bucket ${this.bucket}`);
    } catch (err) {
      // Another replica created it meanwhile.
      if (s3Code(err) !== 'BucketAlreadyOwnedByYou' && s3Code(err) !== 'BucketAlreadyExists') throw err;
    }
  }

  private async applyLifecycle(): Promise<void> {
    try {
      await this.client.setBucketLifecycle(this.bucket, lifecycleRule(this.config.MEDIA_TTL_MS));
    } catch (err) {
      this.logger.log(
        `the S3 server did not take the bucket lifecycle rule (${s3Code(err) ?? (err as Error).message}): ` +
          'expired media are removed by the expiry sweeper only',
      );
    }
  }
}
