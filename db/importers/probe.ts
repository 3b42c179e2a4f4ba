import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { pixelLimitReason } from '../../domain/pixel-limit.js';
import { endsCleanly, isJpeg, isPng, jpegHeader, pngHeader, type HeaderInfo } from './image-header.js';

/** sharp's own default for limitInputPixels (0x3FFF * 0x3FFF). */
export const DEFAULT_MAX_PIXELS = 268_402_689;

export type ProbeResult =
  | { ok: true; contentHash: string; width: number; height: number; format: string; bytes: number }
  | { ok: false; reason: string };

/** The first line of an error, without sharp's generic prefixes. */
function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').replace(/^Input (buffer|file) has corrupt header: /, '').trim();
}

async function otherHeader(buf: Buffer): Promise<HeaderInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new Error(`not an image: ${message(err).replace(/^Input buffer (contains|has) /, '')}`);
  }
  if (!meta.width || !meta.height || !meta.format) throw new Error('not an image: no dimensions in the header');
  return { format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format, width: meta.width, height: meta.height };
}

/** A full decode, only for JPEG/PNG files with bytes after their end marker: trailing data is legal, truncation not. */
async function decodesFully(buf: Buffer, maxPixels: number): Promise<string | undefined> {
  try {
    await sharp(buf, { failOn: 'truncated', limitInputPixels: maxPixels }).raw().toBuffer();
    return undefined;
  } catch (err) {
    return message(err);
  }
}

/**
 * Reads one file: content hash (sha1 of the bytes), dimensions from the header, and a cheap completeness check.
 * Every failure comes back as a specific reason instead of an exception.
 */
export async function probeFile(absPath: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<ProbeResult> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(absPath);
  } catch (err) {
    return { ok: false, reason: `unreadable: ${message(err)}` };
  }
  if (buf.length === 0) return { ok: false, reason: 'zero bytes: the file is empty' };
  let header: HeaderInfo;
  try {
    header = isJpeg(buf) ? jpegHeader(buf) : isPng(buf) ? pngHeader(buf) : await otherHeader(buf);
  } catch (err) {
    return { ok: false, reason: message(err) };
  }
  const over = pixelLimitReason(header.width, header.height, maxPixels);
  if (over) return { ok: false, reason: `over the pixel limit: header says ${over} (possible decompression bomb)` };
  const clean = endsCleanly(buf, header.format);
  if (clean === false) {
    const failure = header.format === 'jpeg' || header.format === 'png' ? await decodesFully(buf, maxPixels) : 'missing end marker';
    if (failure !== undefined) {
      return { ok: false, reason: `truncated ${header.format.toUpperCase()}: ${buf.length} bytes, the image data ends early (${failure})` };
    }
  }
  const contentHash = crypto.createHash('sha1').update(buf).digest('hex');
  return { ok: true, contentHash, width: header.width, height: header.height, format: header.format, bytes: buf.length };
}
