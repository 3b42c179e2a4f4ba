import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { contentTypeOf } from './files.js';

const SHOWN = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif']);

/** A catalogue photo as a browser can show it: the file itself, or (TIFF, BMP, HEIC...) a PNG made with sharp. */
export async function readSourceImage(file: string): Promise<{ body: Buffer; contentType: string }> {
  const ext = path.extname(file).toLowerCase();
  if (SHOWN.has(ext)) return { body: await fs.promises.readFile(file), contentType: contentTypeOf(file) };
  const body = await sharp(file, { limitInputPixels: 268_402_689 }).rotate().png().toBuffer();
  return { body, contentType: 'image/png' };
}
