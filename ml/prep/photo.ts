import fs from 'node:fs';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, pixelLimitReason } from '../../domain/pixel-limit.js';
import type { EncodedImage, RawImage } from '../vision/host.js';

export const DEFAULT_MAX_PIXELS = PHOTO_MAX_PIXELS;
export const MAX_SIDE = PHOTO_MAX_SIDE;

export type PhotoErrorCode = 'not-an-image' | 'too-large' | 'unreadable' | 'empty';

export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  constructor(readonly code: PhotoErrorCode, message: string) {
    super(message);
  }
}

/** Oriented 8-bit sRGB pixels of a photo. */
export interface Photo extends RawImage {
  channels: 3;
  /** sharp's format name (jpeg, png, webp, ...). */
  format: string;
  /** EXIF orientation of the file (1 when none); the pixels already have it applied. */
  orientation: number;
  /** The input file path, or null for a buffer. */
  source: string | null;
  /** The file's own bytes when the page can decode them as they are (same pixels, no orientation, sRGB/grey). */
  direct: EncodedImage | null;
}

const DIRECT_MIME: Record<string, EncodedImage['mime']> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Decodes a photo with its EXIF orientation applied; greyscale, CMYK, alpha and 16-bit become 8-bit sRGB RGB.
 *  Refuses pixel bombs (more than maxPixels, or a side over 30,000) before decoding. */
export async function loadPhoto(input: string | Buffer, opts: { maxPixels?: number } = {}): Promise<Photo> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let bytes: Buffer;
  if (typeof input === 'string') {
    try {
      bytes = await fs.promises.readFile(input);
    } catch (err) {
      throw new PhotoError('unreadable', `cannot read ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) throw new PhotoError('empty', 'the file is empty');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new PhotoError('not-an-image', `not an image (${firstLine(err)})`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new PhotoError('not-an-image', 'not an image (no dimensions)');
  const over = pixelLimitReason(width, height, maxPixels, MAX_SIDE);
  if (over) throw new PhotoError('too-large', `image too large: ${over} (${(width * height / 1e6).toFixed(0)} megapixels)`);
  const orientation = meta.orientation ?? 1;
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .flatten({ background: { r: 128, g: 128, b: 128 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new PhotoError('unreadable', `cannot decode the image (${firstLine(err)})`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new PhotoError('unreadable', `unexpected ${info.channels}-channel decode`);
  const format = meta.format ?? 'unknown';
  const mime = DIRECT_MIME[format];
  const plainColour = meta.space === 'srgb' || meta.space === 'b-w';
  const direct =
    mime && orientation === 1 && plainColour && !meta.hasAlpha && (meta.depth === 'uchar' || meta.depth === undefined) && !meta.pages
      ? { width: info.width, height: info.height, encoded: bytes, mime }
      : null;
  return {
    width: info.width,
    height: info.height,
    channels: 3,
    data,
    format,
    orientation,
    source: typeof input === 'string' ? input : null,
    direct,
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}
