import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

/** A small real JPEG (a flat colour with a gradient so files differ by content). */
export async function makeJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    raw[i * 3] = (seed * 37 + i) % 256;
    raw[i * 3 + 1] = (seed * 91) % 256;
    raw[i * 3 + 2] = (i * 7) % 256;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A complete, tiny PNG file whose header claims width x height (a decompression bomb when huge). */
export function makePngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A copy of a baseline JPEG whose frame header (SOF0) is patched to claim width x height. */
export function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    const marker = out[i + 1]!;
    const len = out.readUInt16BE(i + 2);
    if (marker === 0xc0) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + len;
  }
  throw new Error('no SOF0 marker');
}

export interface MorphFixtureImage {
  split: 'Train' | 'Validation' | 'Test';
  filename: string;
  subject: string;
  gender: 'male' | 'female';
  age: number;
  /** Value written in the CSV age column (normally age - 16). */
  csvAge: number;
}

/** Writes a MORPH-2 Kaggle layout (Dataset/Index/*.csv, Dataset/Images/<Split>/) under root. */
export async function writeMorphFixture(root: string, images: readonly MorphFixtureImage[]): Promise<void> {
  const csvName = { Train: 'Train.csv', Validation: 'Validation.csv', Test: 'Test.csv' } as const;
  fs.mkdirSync(path.join(root, 'Dataset/Index'), { recursive: true });
  for (const split of ['Train', 'Validation', 'Test'] as const) {
    fs.mkdirSync(path.join(root, 'Dataset/Images', split), { recursive: true });
    const rows = ['age,gender,filename,filepath'];
    for (const im of images.filter((i) => i.split === split)) {
      rows.push(`${im.csvAge},${im.gender === 'male' ? 1 : 0},${im.filename},/kaggle/input/morph/Dataset/Images/${split}/${im.filename}`);
    }
    fs.writeFileSync(path.join(root, 'Dataset/Index', csvName[split]), `${rows.join('\n')}\n`);
  }
  let seed = 1;
  for (const im of images) fs.writeFileSync(path.join(root, 'Dataset/Images', im.split, im.filename), await makeJpeg(24, 32, seed++));
}

/** Age bin of an age, as the stats report it. */
export function binOf(age: number): string {
  return age >= 90 ? '90+' : `${Math.floor(age / 10) * 10}-${Math.floor(age / 10) * 10 + 9}`;
}
