import sharp from 'sharp';

/** Interleaved 8-bit pixels, row-major, 3 (RGB) or 4 (RGBA) channels; what sharp's `.raw()` gives. */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Decodes an image file or buffer to RGB (EXIF orientation applied, alpha dropped). */
export async function readRgb(input: string | Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

export function assertRawImage(img: RawImage, what = 'image'): void {
  if (img.channels !== 3 && img.channels !== 4) throw new Error(`${what}: expected 3 or 4 channels, got ${img.channels}`);
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new Error(`${what}: ${img.data.length} bytes do not match ${img.width}x${img.height}x${img.channels}`);
  }
}
