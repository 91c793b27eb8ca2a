import { thumbnailSize, uploadParams } from './media';

describe('media helpers', () => {
  it('fits thumbnails in 160 px without enlarging', () => {
    expect(thumbnailSize(1600, 800)).toEqual({ width: 160, height: 80 });
    expect(thumbnailSize(300, 1200)).toEqual({ width: 40, height: 160 });
    expect(thumbnailSize(100, 50)).toEqual({ width: 100, height: 50 });
    expect(thumbnailSize(5000, 1)).toEqual({ width: 160, height: 1 });
    expect(thumbnailSize(0, 10)).toEqual({ width: 0, height: 0 });
  });

  it('uploads images as IMAGE with their thumbnail, anything else as FILE', () => {
    expect(uploadParams({ name: 'a.bin', type: 'application/octet-stream' }, null)).toEqual({
      kind: 'FILE',
      params: { messageType: 'FILE', fileName: 'a.bin', description: 'a.bin' },
    });
    expect(uploadParams({ name: 'cat.png', type: 'image/png' }, null).kind).toBe('IMAGE');
    const blob = new Blob([new Uint8Array([1])]);
    const withThumb = uploadParams({ name: 'cat.png', type: 'image/png' }, { blob, width: 800, height: 600, thumbnailWidth: 160, thumbnailHeight: 120 });
    expect(withThumb).toEqual({
      kind: 'IMAGE',
      params: {
        messageType: 'IMAGE',
        fileName: 'cat.png',
        description: 'cat.png',
        width: 800,
        height: 600,
        thumbnail: blob,
        thumbnailWidth: 160,
        thumbnailHeight: 120,
      },
    });
  });
});
