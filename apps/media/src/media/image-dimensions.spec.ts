import { bmp, gif, jpeg, png } from '../../test/images';
import { IMAGE_HEAD_BYTES, imageDimensions } from './image-dimensions';

describe('imageDimensions', () => {
  it('measures PNG, GIF, BMP (either row order) and JPEG', () => {
    expect(imageDimensions(png(7, 3))).toEqual({ width: 7, height: 3 });
    expect(imageDimensions(gif(9, 4))).toEqual({ width: 9, height: 4 });
    expect(imageDimensions(bmp(5, 6))).toEqual({ width: 5, height: 6 });
    expect(imageDimensions(bmp(5, 6, true))).toEqual({ width: 5, height: 6 });
    expect(imageDimensions(jpeg(17, 9))).toEqual({ width: 17, height: 9 });
  });

  it('finds a JPEG frame behind large APP segments within the kept head', () => {
    const image = jpeg(640, 480, 300_000);
    expect(imageDimensions(image.subarray(0, IMAGE_HEAD_BYTES))).toEqual({ width: 640, height: 480 });
  });

  it('answers 0×0 for other formats, garbage and truncated headers', () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"></svg>');
    expect(imageDimensions(svg)).toEqual({ width: 0, height: 0 });
    expect(imageDimensions(Buffer.from('hello world'))).toEqual({ width: 0, height: 0 });
    expect(imageDimensions(new Uint8Array(0))).toEqual({ width: 0, height: 0 });
    expect(imageDimensions(jpeg(640, 480, 300_000).subarray(0, 100_000))).toEqual({ width: 0, height: 0 });
    expect(imageDimensions(png(7, 3).subarray(0, 12))).toEqual({ width: 0, height: 0 });
  });
});
