import type { FileMessageUploadParams, ImageMessageUploadParams } from '@parley/rtm-sdk';

/** Thumbnails are at most this many pixels on their longer side. */
export const THUMBNAIL_EDGE = 160;
/** description + fileName + thumbnail must stay within 32 KB: a thumbnail above this is left out. */
export const THUMBNAIL_MAX_BYTES = 24 * 1024;

export interface Thumbnail {
  blob: Blob;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

/** The size of a thumbnail of a `width` × `height` image: fits THUMBNAIL_EDGE, never enlarged, at least 1 px. */
export function thumbnailSize(width: number, height: number, edge = THUMBNAIL_EDGE): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  const scale = Math.min(1, edge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export type UploadParams = { kind: 'FILE'; params: FileMessageUploadParams } | { kind: 'IMAGE'; params: ImageMessageUploadParams };

/** What createMediaMessageByUploading gets for a picked file: an IMAGE (with its thumbnail when one could be made) or a FILE. */
export function uploadParams(file: { name: string; type: string }, thumbnail: Thumbnail | null): UploadParams {
  if (!file.type.startsWith('image/')) return { kind: 'FILE', params: { messageType: 'FILE', fileName: file.name, description: file.name } };
  const params: ImageMessageUploadParams = { messageType: 'IMAGE', fileName: file.name, description: file.name };
  if (!thumbnail) return { kind: 'IMAGE', params };
  return {
    kind: 'IMAGE',
    params: {
      ...params,
      width: thumbnail.width,
      height: thumbnail.height,
      thumbnail: thumbnail.blob,
      thumbnailWidth: thumbnail.thumbnailWidth,
      thumbnailHeight: thumbnail.thumbnailHeight,
    },
  };
}

/**
 * A small JPEG of an image file, drawn in the browser (receivers see it before downloading).
 * null when the browser cannot decode the image or the result is too big: the image is then sent
 * without a thumbnail, as agora allows.
 */
export async function makeThumbnail(file: Blob): Promise<Thumbnail | null> {
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return null;
  try {
    const bitmap = await createImageBitmap(file);
    const size = thumbnailSize(bitmap.width, bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.7));
    const result = { width: bitmap.width, height: bitmap.height, thumbnailWidth: size.width, thumbnailHeight: size.height };
    bitmap.close();
    return blob && blob.size > 0 && blob.size <= THUMBNAIL_MAX_BYTES ? { blob, ...result } : null;
  } catch {
    return null;
  }
}
