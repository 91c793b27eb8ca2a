import { ErrorCode, ParleyError } from '@parley/contracts';
import { MediaUploadKind, type MediaBeginRequest, type MediaReadRequest } from '@parley/contracts/internal';
import { readMediaConfig } from '../config/media.config';
import { checkBegin, checkMediaRef, checkRead, checkUploadMessage, contentTypeOf, readRange } from './media-rules';
import { lifecycleRule, LIFECYCLE_RULE_ID } from './media-storage';

const APP = 'a'.repeat(32);
const MAX = 30 * 1024 * 1024;

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
    throw err;
  }
  return undefined;
}

const begin = (over: Partial<Record<keyof MediaBeginRequest, unknown>> = {}) =>
  ({ appId: APP, uid: 'alice', size: 10, name: 'cat.png', type: 'IMAGE', ...over }) as MediaBeginRequest;
const read = (over: Partial<Record<keyof MediaReadRequest, unknown>> = {}) =>
  ({ appId: APP, mediaId: 'm1', offset: 0, length: 10, ...over }) as MediaReadRequest;

describe('media rules', () => {
  it('reads the limits and S3 settings with their defaults, and takes overrides', () => {
    expect(readMediaConfig({})).toMatchObject({
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'parley-media',
      S3_REGION: 'us-east-1',
      MEDIA_MAX_BYTES: 31_457_280,
      MEDIA_TTL_MS: 604_800_000,
      MEDIA_EXPIRY_SWEEP_MS: 60_000,
      MEDIA_UPLOAD_IDLE_MS: 30_000,
      MEDIA_READ_MAX_BYTES: 262_144,
      MEDIA_PART_BYTES: 5 * 1024 * 1024,
    });
    expect(readMediaConfig({ MEDIA_TTL_MS: '250', S3_ENDPOINT: 'https://s3.example:9443' })).toMatchObject({
      MEDIA_TTL_MS: 250,
      S3_ENDPOINT: 'https://s3.example:9443',
    });
    expect(() => readMediaConfig({ S3_ENDPOINT: 'ftp://x' })).toThrow(/S3_ENDPOINT/);
    expect(() => readMediaConfig({ S3_BUCKET: 'Bad_Bucket' })).toThrow(/S3_BUCKET/);
    expect(() => readMediaConfig({ MEDIA_PART_BYTES: String(1024 * 1024) })).toThrow(/MEDIA_PART_BYTES/);
  });

  it('accepts a begin of 1 byte up to the limit, FILE or IMAGE, with or without a name', () => {
    expect(checkBegin(begin(), MAX)).toEqual({ appId: APP, uid: 'alice', size: 10, name: 'cat.png', type: 'IMAGE' });
    expect(checkBegin(begin({ size: 1, type: 'FILE', name: undefined }), MAX)).toMatchObject({ size: 1, name: '', type: 'FILE' });
    expect(checkBegin(begin({ size: MAX }), MAX).size).toBe(MAX);
    expect(checkBegin(begin({ name: '😀'.repeat(512) }), MAX).name).toHaveLength(1024); // 512 characters
  });

  it('refuses an empty, negative or fractional size (INVALID_ARGUMENT) and one over the limit (SIZE_OVERFLOW)', () => {
    for (const size of [0, -1, 1.5, '10', undefined, Number.NaN]) {
      expect([size, codeOf(() => checkBegin(begin({ size }), MAX))]).toEqual([size, ErrorCode.INVALID_ARGUMENT]);
    }
    expect(codeOf(() => checkBegin(begin({ size: MAX + 1 }), MAX))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(codeOf(() => checkBegin(begin({ size: 11 }), 10))).toBe(ErrorCode.SIZE_OVERFLOW);
  });

  it('refuses a bad app, uid, type or name', () => {
    expect(codeOf(() => checkBegin(begin({ appId: 'short' }), MAX))).toBe(ErrorCode.INVALID_APP_ID);
    expect(codeOf(() => checkBegin(null as unknown as MediaBeginRequest, MAX))).toBe(ErrorCode.INVALID_APP_ID);
    expect(codeOf(() => checkBegin(begin({ uid: '' }), MAX))).toBe(ErrorCode.INVALID_USER_ID);
    for (const bad of [{ type: 'TEXT' }, { type: undefined }, { name: 'x'.repeat(513) }, { name: 42 }, { name: 'nul\u0000' }]) {
      expect([bad, codeOf(() => checkBegin(begin(bad), MAX))]).toEqual([bad, ErrorCode.INVALID_ARGUMENT]);
    }
  });

  it('checks info and read requests, and clamps a read to the limit and the end of the file', () => {
    expect(checkMediaRef({ appId: APP, mediaId: 'm1' })).toEqual({ appId: APP, mediaId: 'm1' });
    expect(codeOf(() => checkMediaRef({ appId: 'x', mediaId: 'm1' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(codeOf(() => checkMediaRef({ appId: APP, mediaId: '' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkMediaRef({ appId: APP, mediaId: 'x'.repeat(65) }))).toBe(ErrorCode.INVALID_ARGUMENT);
    for (const bad of [{ offset: -1 }, { offset: 0.5 }, { offset: '0' }, { length: 0 }, { length: 2.5 }, { length: undefined }]) {
      expect([bad, codeOf(() => checkRead(read(bad)))]).toEqual([bad, ErrorCode.INVALID_ARGUMENT]);
    }
    const r = checkRead(read({ offset: 100, length: 1_000_000 }));
    expect(readRange(r, 1_000, 256)).toEqual({ offset: 100, length: 256 });
    expect(readRange(r, 150, 256)).toEqual({ offset: 100, length: 50 });
    expect(readRange(checkRead(read({ offset: 0, length: 7 })), 150, 256)).toEqual({ offset: 0, length: 7 });
    expect(codeOf(() => readRange(r, 100, 256))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('checks an upload message kind, id and app', () => {
    const msg = { kind: MediaUploadKind.CHUNK, uploadId: 'u1', appId: APP, seq: 0, data: new Uint8Array(1) };
    expect(checkUploadMessage(msg)).toEqual(msg);
    expect(codeOf(() => checkUploadMessage({ ...msg, appId: 'x' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(codeOf(() => checkUploadMessage({ ...msg, kind: 9 as MediaUploadKind }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkUploadMessage({ ...msg, uploadId: '' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkUploadMessage(null as never))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('names the content type from the extension', () => {
    expect(contentTypeOf('Cat.JPG')).toBe('image/jpeg');
    expect(contentTypeOf('a.b.png')).toBe('image/png');
    expect(contentTypeOf('notes')).toBe('application/octet-stream');
    expect(contentTypeOf('archive.xyz')).toBe('application/octet-stream');
  });

  it('expires objects in the bucket after the TTL rounded up to whole days', () => {
    const day = 24 * 60 * 60 * 1000;
    expect(lifecycleRule(7 * day).Rule).toEqual([
      expect.objectContaining({
        ID: LIFECYCLE_RULE_ID,
        Status: 'Enabled',
        Expiration: { Days: 7 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    ]);
    expect(lifecycleRule(7 * day + 1).Rule[0]!.Expiration).toEqual({ Days: 8 });
    expect(lifecycleRule(1).Rule[0]!.Expiration).toEqual({ Days: 1 });
  });
});
