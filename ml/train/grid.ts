import sharp from 'sharp';
import { writeFileAtomic } from '../io/write-file-atomic.js';

/** Writes tiles (NHWC float32 in [-1,1], each size x size) as a rows x cols PNG grid, atomically. */
export async function writeGridPng(file: string, tiles: Float32Array, size: number, rows: number, cols: number, tileOrder: (r: number, c: number) => number): Promise<void> {
  const w = cols * size;
  const h = rows * size;
  const out = Buffer.alloc(w * h * 3);
  const px = size * size * 3;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const t = tileOrder(r, c);
      if (t < 0 || (t + 1) * px > tiles.length) continue;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const src = t * px + (y * size + x) * 3;
          const dst = ((r * size + y) * w + c * size + x) * 3;
          for (let k = 0; k < 3; k++) out[dst + k] = Math.max(0, Math.min(255, Math.round((tiles[src + k]! + 1) * 127.5)));
        }
      }
    }
  }
  await writeFileAtomic(file, await sharp(out, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
}
