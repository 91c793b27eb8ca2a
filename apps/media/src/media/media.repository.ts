import { Injectable } from '@nestjs/common';
import type { AppId, MediaId, MediaInfo, MediaType, Uid } from '@parley/contracts';
import { Prisma, PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';

/** A stored media: what clients are told, and where its bytes are. */
export interface StoredMedia {
  info: MediaInfo;
  objectKey: string;
}

export interface NewMedia {
  mediaId: MediaId;
  owner: Uid;
  objectKey: string;
  size: number;
  type: MediaType;
  name: string;
  contentType: string;
  width: number;
  height: number;
}

interface MediaRow {
  id: string;
  object_key: string;
  size: number;
  type: string;
  name: string;
  width: number;
  height: number;
  expires_ms: number;
}

/** Every statement names the table `m`; this is what each returns. */
const COLUMNS = Prisma.raw(
  'm.id, m.object_key, m.size::float8 AS size, m.type, m.name, m.width, m.height, ' + 'floor(extract(epoch FROM m.expires_at) * 1000)::float8 AS expires_ms',
);

function toStored(row: MediaRow): StoredMedia {
  return {
    objectKey: row.object_key,
    info: {
      mediaId: row.id,
      size: Number(row.size),
      name: row.name,
      type: row.type as MediaType,
      width: row.width,
      height: row.height,
      expiresAt: Number(row.expires_ms),
    },
  };
}

/** Media metadata in Postgres; times come from the database clock, which the expiry sweep uses too. */
@Injectable()
export class MediaRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a media's row; the same statement records its `Uploaded` in the event record (kind
   * `media`, uid = the uploader, detail MediaUploadedDetail), so a stored media always has its event.
   */
  async insert(appId: AppId, media: NewMedia, ttlMs: number): Promise<StoredMedia> {
    const [row] = await this.prisma.$queryRaw<MediaRow[]>`
      WITH changed AS (
        INSERT INTO media AS m (id, app_id, owner_uid, object_key, size, type, name, content_type, width, height, created_at, expires_at)
        VALUES (${media.mediaId}, ${appId}, ${media.owner}, ${media.objectKey}, ${media.size}, ${media.type}, ${media.name},
          ${media.contentType}, ${media.width}, ${media.height}, now(), now() + ${ttlMs}::float8 * interval '1 millisecond')
        RETURNING ${COLUMNS}, m.app_id, m.owner_uid, m.content_type
      ), uploaded_event AS (
        INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts, detail, trace_parent)
        SELECT c.app_id, 'media', 'Uploaded', c.owner_uid, NULL, clock_timestamp(),
               jsonb_build_object('id', c.id, 'size', c.size::bigint, 'type', c.type, 'name', c.name,
                 'contentType', c.content_type, 'width', c.width, 'height', c.height), ${activeTraceparent()}
        FROM changed c
      )
      SELECT * FROM changed`;
    return toStored(row!);
  }

  /** The media of this app, unless it expired (another app's media is not found either). */
  async find(appId: AppId, mediaId: MediaId): Promise<StoredMedia | null> {
    const [row] = await this.prisma.$queryRaw<MediaRow[]>`
      SELECT ${COLUMNS} FROM media m WHERE m.id = ${mediaId} AND m.app_id = ${appId} AND m.expires_at > now()`;
    return row ? toStored(row) : null;
  }

  /**
   * Deletes up to `limit` expired rows and returns their object keys. Rows another replica's sweep
   * holds are skipped, so each row (and its object) is handed to exactly one replica.
   */
  async deleteExpired(limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ object_key: string }[]>`
      DELETE FROM media WHERE id IN (
        SELECT id FROM media WHERE expires_at < now() ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      RETURNING object_key`;
    return rows.map((r) => r.object_key);
  }
}
