/**
 * A crop's image as the export asks for it: the prepared file's own bytes when nothing changes (no decoding), else
 * resized, re-encoded, cut again from the source photo (the photo's own background) or made transparent where
 * preparation put grey.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { ExportRow } from '../../db/export-rows.js';
import type { ExportBackground, ExportImageFormat } from '../../domain/export.js';
import { claheRgb } from '../prep/lighting.js';
import { loadPhoto } from '../prep/photo.js';
import { normalizePrepSettings } from '../prep/settings.js';
import { warpAffine } from '../prep/warp.js';

export interface ImageChoices {
  readonly size?: number;
  readonly background?: ExportBackground;
  readonly imageFormat: ExportImageFormat;
}

/** A crop that cannot be exported (its file or its source photo is missing or unreadable): skipped, with the reason. */
export class CropReadError extends Error {
  override readonly name = 'CropReadError';
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether preparation replaced the crop's background with grey (the default settings do). */
export function backgroundRemoved(row: Pick<ExportRow, 'settings'>): boolean {
  return normalizePrepSettings(row.settings).background.enabled;
}

/** True when the export copies the crop's file as it is. */
export function copiesAsIs(row: ExportRow, c: ImageChoices): boolean {
  if (c.imageFormat !== 'png' || (c.size !== undefined && c.size !== row.size)) return false;
  if (c.background === 'removed') return false;
  return c.background !== 'keep' || !backgroundRemoved(row);
}

async function readCrop(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CropReadError(code === 'ENOENT' ? 'crop file missing' : `crop file unreadable (${code ?? (err as Error).message})`);
  }
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw new CropReadError('crop file is not a PNG image');
  return bytes;
}

/** RGB pixels of the crop with the photo's own background: cut again from the source through the stored alignment. */
async function recut(row: ExportRow, sourceRoot: string, size: number): Promise<Buffer> {
  let photo;
  try {
    photo = await loadPhoto(path.join(sourceRoot, row.sourcePath));
  } catch (err) {
    throw new CropReadError(`source photo ${(err as Error).message}`);
  }
  const k = size / row.size;
  const t = row.transform;
  const settings = normalizePrepSettings(row.settings);
  const raw = await warpAffine(photo, [t[0] * k, t[1] * k, t[2] * k, t[3] * k, t[4] * k, t[5] * k], size, settings.background.grey);
  return settings.lighting.enabled ? claheRgb(raw, size, size, settings.lighting) : raw;
}

/** Alpha 0 where preparation painted the background grey (every channel within 2 of the grey level), else opaque. */
function greyToAlpha(rgb: Buffer, grey: number): Buffer {
  const n = rgb.length / 3;
  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i]!;
    const g = rgb[3 * i + 1]!;
    const b = rgb[3 * i + 2]!;
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = Math.abs(r - grey) <= 2 && Math.abs(g - grey) <= 2 && Math.abs(b - grey) <= 2 ? 0 : 255;
  }
  return out;
}

function encode(img: Sharp, format: ExportImageFormat): Promise<Buffer> {
  if (format === 'jpg') return img.jpeg({ quality: 95 }).toBuffer();
  if (format === 'webp') return img.webp({ lossless: true }).toBuffer();
  return img.png({ compressionLevel: 6 }).toBuffer();
}

/** The bytes of the crop's exported image. `dataDir` holds the crop files, `sourceRoot` the crop's dataset. */
export async function exportImage(row: ExportRow, dataDir: string, sourceRoot: string, c: ImageChoices): Promise<Buffer> {
  if (copiesAsIs(row, c)) return readCrop(path.join(dataDir, row.file));
  const size = c.size ?? row.size;
  if (c.background === 'keep' && backgroundRemoved(row)) {
    return encode(sharp(await recut(row, sourceRoot, size), { raw: { width: size, height: size, channels: 3 } }), c.imageFormat);
  }
  const bytes = await readCrop(path.join(dataDir, row.file));
  let img = sharp(bytes);
  try {
    if (c.background === 'removed') {
      const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const grey = normalizePrepSettings(row.settings).background.grey;
      img = sharp(greyToAlpha(data, grey), { raw: { width: info.width, height: info.height, channels: 4 } });
    }
    if (size !== row.size) img = img.resize(size, size, { kernel: size < row.size ? 'lanczos3' : 'cubic' });
    return await encode(img, c.imageFormat);
  } catch (err) {
    throw new CropReadError(`crop file unreadable (${(err as Error).message.split('\n')[0]})`);
  }
}
