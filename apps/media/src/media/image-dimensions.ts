import { imageSize } from 'image-size';

/** The formats whose dimensions an IMAGE upload gets (spec §7: JPEG, PNG and BMP, and GIF); others are 0×0. */
const MEASURED = new Set(['jpg', 'png', 'bmp', 'gif']);

/** Bytes of an image's start kept to find its dimensions (JPEG headers may follow large EXIF/ICC segments). */
export const IMAGE_HEAD_BYTES = 512 * 1024;

export interface Dimensions {
  width: number;
  height: number;
}

/** Width and height from the first bytes of an image; 0×0 when the format is not measured or the header is unreadable. */
export function imageDimensions(head: Uint8Array): Dimensions {
  try {
    const size = imageSize(head);
    if (size.type && MEASURED.has(size.type) && size.width > 0 && size.height > 0) return { width: size.width, height: size.height };
  } catch {
    // Not an image of a known format, or its header lies beyond the kept bytes.
  }
  return { width: 0, height: 0 };
}
