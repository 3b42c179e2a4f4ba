/** One image of a GIF: its colour table, transparent index and LZW data, ready to be placed in another GIF. */
export interface GifImage {
  /** Position of the image on its own GIF's screen (0, 0 for a whole frame). */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** RGB triplets, a power of two of them (2..256). */
  readonly table: Buffer;
  readonly transparentIndex: number | null;
  /** The LZW minimum code size byte, the data sub-blocks and the block terminator. */
  readonly data: Buffer;
}

/** A frame of an animation: an image placed at (left, top) of the logical screen (plus the image's own offset), shown
 *  for delayCs centiseconds. */
export interface GifFrame {
  readonly image: GifImage;
  readonly left: number;
  readonly top: number;
  readonly delayCs: number;
}

function skipSubBlocks(buf: Buffer, p: number): number {
  while (p < buf.length && buf[p] !== 0) p += buf[p]! + 1;
  if (p >= buf.length) throw new Error('truncated GIF: sub-blocks run past the end');
  return p + 1;
}

function tableBytes(packed: number): number {
  return packed & 0x80 ? 3 * (2 << (packed & 7)) : 0;
}

/** The first image of a GIF file (e.g. a single-frame GIF written by sharp). */
export function parseFirstImage(buf: Buffer): GifImage {
  if (buf.length < 13 || buf.toString('latin1', 0, 4) !== 'GIF8') throw new Error('not a GIF');
  const lsdPacked = buf[10]!;
  let p = 13;
  const globalTable = buf.subarray(p, p + tableBytes(lsdPacked));
  p += globalTable.length;
  let transparentIndex: number | null = null;
  while (p < buf.length) {
    const block = buf[p]!;
    if (block === 0x21) {
      const label = buf[p + 1]!;
      // Graphic control extension: 0x04 size, packed, delay (2), transparent index.
      if (label === 0xf9 && buf[p + 2] === 4) transparentIndex = buf[p + 3]! & 1 ? buf[p + 6]! : null;
      p = skipSubBlocks(buf, p + 2);
    } else if (block === 0x2c) {
      const left = buf.readUInt16LE(p + 1);
      const top = buf.readUInt16LE(p + 3);
      const width = buf.readUInt16LE(p + 5);
      const height = buf.readUInt16LE(p + 7);
      const packed = buf[p + 9]!;
      if (packed & 0x40) throw new Error('interlaced GIF images are not supported');
      let q = p + 10;
      const local = buf.subarray(q, q + tableBytes(packed));
      q += local.length;
      const table = local.length > 0 ? local : globalTable;
      if (table.length === 0) throw new Error('the GIF image has no colour table');
      const end = skipSubBlocks(buf, q + 1);
      return { left, top, width, height, table: Buffer.from(table), transparentIndex, data: Buffer.from(buf.subarray(q, end)) };
    } else {
      break;
    }
  }
  throw new Error('the GIF holds no image');
}

function sizeBits(table: Buffer): number {
  const entries = table.length / 3;
  const bits = Math.log2(entries);
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new Error(`a GIF colour table must hold 2..256 (a power of two) colours, got ${entries}`);
  return bits - 1;
}

function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

/**
 * An animated GIF89a that loops forever. The first frame's table becomes the global table; the others carry local
 * tables. Every frame is drawn over what is on screen (disposal "do not dispose"), so a frame that covers only part of
 * the screen, or has transparent pixels, shows the earlier frames through.
 */
export function assembleAnimatedGif(width: number, height: number, frames: readonly GifFrame[]): Buffer {
  const first = frames[0];
  if (!first) throw new Error('no frames to write');
  const parts: Buffer[] = [];
  parts.push(Buffer.from('GIF89a', 'latin1'));
  parts.push(Buffer.from([...u16(width), ...u16(height), 0x80 | 0x70 | sizeBits(first.image.table), 0, 0]));
  parts.push(first.image.table);
  // NETSCAPE2.0 application extension: loop count 0 = forever.
  parts.push(Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0x00, 0x00, 0x00]));
  for (const f of frames) {
    const { image } = f;
    const left = f.left + image.left;
    const top = f.top + image.top;
    if (left < 0 || top < 0 || left + image.width > width || top + image.height > height) {
      throw new Error(`a ${image.width}x${image.height} frame at (${left}, ${top}) does not fit the ${width}x${height} screen`);
    }
    const delay = Math.max(0, Math.min(0xffff, Math.round(f.delayCs)));
    const transparent = image.transparentIndex;
    parts.push(Buffer.from([0x21, 0xf9, 0x04, (1 << 2) | (transparent === null ? 0 : 1), ...u16(delay), transparent ?? 0, 0x00]));
    const global = image.table === first.image.table;
    parts.push(Buffer.from([0x2c, ...u16(left), ...u16(top), ...u16(image.width), ...u16(image.height), global ? 0 : 0x80 | sizeBits(image.table)]));
    if (!global) parts.push(image.table);
    parts.push(image.data);
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}
