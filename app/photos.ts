/**
 * Photos given to the Age screen: kept in <dataDir>/uploads/<photoId>.<ext> with a JSON note, so that they can be
 * shown (as /files/ URLs) and aged by id. Ids are random hex; nothing is ever looked up by a caller's path.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ApiError } from '../contract/api.js';
import { PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, pixelLimitReason } from '../domain/pixel-limit.js';
import { writeFileAtomic } from '../ml/io/write-file-atomic.js';

export const UPLOADS_DIR = 'uploads';
export const MAX_PHOTO_BYTES = 48 * 1024 * 1024;
const PHOTO_ID = /^[0-9a-f]{16}$/;
/** Formats a browser shows as they are; others are stored converted to PNG. */
const SHOWN = new Set(['jpeg', 'png', 'webp', 'gif']);

export interface StoredPhoto {
  photoId: string;
  name: string;
  /** Relative to the data directory. */
  file: string;
  width: number;
  height: number;
}

function sanitizeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'photo';
  return base.replace(/[^\w.\- ]+/g, '_').slice(0, 120) || 'photo';
}

/** Stores a photo (bytes or a file) after checking it is an image; width/height as displayed (EXIF orientation applied). */
export async function storePhoto(dataDir: string, input: { name: string; bytes: Buffer } | { path: string }): Promise<StoredPhoto> {
  let bytes: Buffer;
  let name: string;
  if ('path' in input) {
    const abs = path.resolve(input.path);
    let stat;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new ApiError('not-found', `${abs} does not exist`);
    }
    if (!stat.isFile()) throw new ApiError('invalid-argument', `${abs} is not a file`);
    if (stat.size > MAX_PHOTO_BYTES) throw new ApiError('invalid-argument', `${path.basename(abs)} is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
    bytes = fs.readFileSync(abs);
    name = path.basename(abs);
  } else {
    bytes = input.bytes;
    name = input.name;
  }
  name = sanitizeName(name);
  if (bytes.length === 0) throw new ApiError('invalid-argument', `${name} is empty`);
  if (bytes.length > MAX_PHOTO_BYTES) throw new ApiError('invalid-argument', `${name} is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ApiError('invalid-argument', `${name} is not an image sharp can read (${(err as Error).message.split('\n')[0]})`);
  }
  if (!meta.width || !meta.height || !meta.format) throw new ApiError('invalid-argument', `${name} is not an image`);
  const over = pixelLimitReason(meta.width, meta.height, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE);
  if (over) throw new ApiError('invalid-argument', `${name} is too large: ${over}`);
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = rotated ? meta.height : meta.width;
  const height = rotated ? meta.width : meta.height;
  const photoId = randomBytes(8).toString('hex');
  const dir = path.join(dataDir, UPLOADS_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let ext = meta.format === 'jpeg' ? 'jpg' : meta.format;
  if (!SHOWN.has(meta.format)) {
    bytes = await sharp(bytes, { limitInputPixels: PHOTO_MAX_PIXELS }).rotate().png().toBuffer();
    ext = 'png';
  }
  const file = `${UPLOADS_DIR}/${photoId}.${ext}`;
  await writeFileAtomic(path.join(dataDir, file), bytes);
  const stored: StoredPhoto = { photoId, name, file, width, height };
  fs.writeFileSync(path.join(dir, `${photoId}.json`), JSON.stringify(stored));
  return stored;
}

export function getPhoto(dataDir: string, photoId: string): StoredPhoto & { abs: string } {
  if (!PHOTO_ID.test(photoId)) throw new ApiError('invalid-argument', `"${photoId}" is not a photo id`);
  const note = path.join(dataDir, UPLOADS_DIR, `${photoId}.json`);
  if (!fs.existsSync(note)) throw new ApiError('not-found', `photo ${photoId} is not known (add it first)`);
  const stored = JSON.parse(fs.readFileSync(note, 'utf8')) as StoredPhoto;
  return { ...stored, abs: path.join(dataDir, ...stored.file.split('/')) };
}
