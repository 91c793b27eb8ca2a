// s3rver ships no types: its declaration sits next to this file, for every project compiling it.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./s3rver.d.ts" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway S3 server for a test file: s3rver on a free port, storing in a temp directory. */
export interface TestS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  accessKey: 'S3RVER';
  secretKey: 'S3RVER';
  bucket: string;
  region: string;
  /** The media service's S3 variables pointing at this server and bucket. */
  env: Record<string, string>;
  /** Closes the server and deletes its directory. */
  stop(): Promise<void>;
}

export interface TestS3Options {
  /** Default "parley-media". */
  bucket?: string;
  /** Create the bucket up front (default true); false leaves it to the app. */
  createBucket?: boolean;
}

export async function startTestS3(options: TestS3Options = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'parley-media';
  const region = 'us-east-1';
  // Loaded here: most users of this library never start an S3 server.
  const { default: S3rver } = await import('s3rver');
  const directory = await mkdtemp(join(tmpdir(), 'parley-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: options.createBucket === false ? [] : [{ name: bucket, configs: [] }],
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    bucket,
    region,
    env: { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_BUCKET: bucket, S3_REGION: region },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
