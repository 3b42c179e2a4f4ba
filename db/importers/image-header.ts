/** Image dimensions and integrity read from the bytes' headers and trailers, never decoding the pixels. */

/** A header that cannot be read: the reason, never a RangeError from reading past the end. */
export class ImageHeaderError extends Error {
  override readonly name = 'ImageHeaderError';
}

export interface HeaderInfo {
  format: string;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

export function isJpeg(buf: Buffer): boolean {
  return buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
}

export function isPng(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE);
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the JPEG marker segments up to the first frame header. Throws with a specific message when it cannot. */
export function jpegHeader(buf: Buffer): HeaderInfo {
  let i = 2;
  while (i < buf.length) {
    if (buf[i] !== 0xff) throw new ImageHeaderError(`corrupt JPEG: expected a marker at byte ${i}`);
    while (buf[i] === 0xff) i++;
    const marker = buf[i];
    if (marker === undefined) break;
    i++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda) throw new ImageHeaderError('corrupt JPEG: no frame header before the image data');
    if (i + 2 > buf.length) break;
    const len = buf.readUInt16BE(i);
    if (len < 2) throw new ImageHeaderError(`corrupt JPEG: bad segment length at byte ${i}`);
    if (isSof(marker)) {
      if (i + 7 > buf.length) break;
      const height = buf.readUInt16BE(i + 3);
      const width = buf.readUInt16BE(i + 5);
      if (width === 0 || height === 0) throw new ImageHeaderError(`corrupt JPEG: frame header says ${width}x${height}`);
      return { format: 'jpeg', width, height };
    }
    i += len;
  }
  throw new ImageHeaderError('truncated JPEG: the file ends inside its headers');
}

export function pngHeader(buf: Buffer): HeaderInfo {
  if (buf.length < 24 || buf.toString('latin1', 12, 16) !== 'IHDR') throw new ImageHeaderError('truncated PNG: no IHDR chunk');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  if (width === 0 || height === 0) throw new ImageHeaderError(`corrupt PNG: header says ${width}x${height}`);
  return { format: 'png', width, height };
}

/** Padding some writers leave after the end marker. */
function trimPadding(buf: Buffer): Buffer {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x00 || buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0x20)) end--;
  return buf.subarray(0, end);
}

/**
 * Whether the file ends the way a complete file of its format does: JPEG with EOI (FFD9), PNG with IEND, GIF with its
 * trailer, WebP/BMP at the size their header declares. `undefined` when the format has no cheap check.
 */
export function endsCleanly(buf: Buffer, format: string): boolean | undefined {
  if (format === 'jpeg') {
    const t = trimPadding(buf);
    return t.length >= 2 && t[t.length - 2] === 0xff && t[t.length - 1] === 0xd9;
  }
  if (format === 'png') {
    const t = trimPadding(buf);
    return t.length >= 12 && t.subarray(t.length - 12).equals(PNG_IEND);
  }
  if (format === 'gif') return trimPadding(buf).at(-1) === 0x3b;
  if (format === 'webp') return buf.length >= 12 && buf.readUInt32LE(4) + 8 <= buf.length;
  if (format === 'bmp') return buf.length >= 6 && buf.readUInt32LE(2) <= buf.length;
  return undefined;
}
