import sharp from 'sharp';
import type { Point } from './geometry.js';

/** Fills a polygon (crop px) into a size x size 0/255 mask (pixel centres inside). */
export function fillPolygon(poly: readonly Point[], size: number): Buffer {
  const mask = Buffer.alloc(size * size);
  const n = poly.length;
  const xs: number[] = [];
  for (let y = 0; y < size; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = poly[i]!;
      const [xj, yj] = poly[j]!;
      if ((yi > cy) !== (yj > cy)) xs.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x0 = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const x1 = Math.min(size - 1, Math.floor(xs[k + 1]! - 0.5));
      if (x1 >= x0) mask.fill(255, y * size + x0, y * size + x1 + 1);
    }
  }
  return mask;
}

export function ellipsePolygon(cx: number, cy: number, rx: number, ry: number, steps = 48): Point[] {
  return Array.from({ length: steps }, (_, i) => {
    const t = (2 * Math.PI * i) / steps;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)] as Point;
  });
}

/** Shrinks a polygon towards its centroid by `factor` (0.95 = 5 % smaller). */
export function shrinkPolygon(poly: readonly Point[], factor: number): Point[] {
  const cx = poly.reduce((s, p) => s + p[0], 0) / poly.length;
  const cy = poly.reduce((s, p) => s + p[1], 0) / poly.length;
  return poly.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as Point);
}

/** Gaussian-feathered single-channel mask. */
export async function feather(mask: Buffer, size: number, sigma: number): Promise<Buffer> {
  if (sigma < 0.3) return mask;
  return sharp(mask, { raw: { width: size, height: size, channels: 1 } }).blur(sigma).extractChannel(0).raw().toBuffer();
}

/** Person confidence (0..255) -> hard mask at `threshold`, then feathered. */
export async function personAlpha(confidence: Buffer, size: number, threshold: number, sigma: number): Promise<Buffer> {
  const t = threshold * 255;
  const hard = Buffer.allocUnsafe(size * size);
  for (let i = 0; i < hard.length; i++) hard[i] = confidence[i]! >= t ? 255 : 0;
  return feather(hard, size, sigma);
}

/** rgb * alpha + grey * (1 - alpha). */
export function compositeOnGrey(rgb: Buffer, alpha: Buffer, grey: number): Buffer {
  const out = Buffer.allocUnsafe(rgb.length);
  for (let i = 0, j = 0; i < alpha.length; i++, j += 3) {
    const a = alpha[i]! / 255;
    const g = grey * (1 - a);
    out[j] = Math.round(rgb[j]! * a + g);
    out[j + 1] = Math.round(rgb[j + 1]! * a + g);
    out[j + 2] = Math.round(rgb[j + 2]! * a + g);
  }
  return out;
}

/** Nearest crop of the central size x size window of a (2*size) x (2*size) single-channel image. */
export function centreWindow(src: Buffer, srcSize: number, size: number, channels: number): Buffer {
  const off = (srcSize - size) / 2;
  const out = Buffer.allocUnsafe(size * size * channels);
  for (let y = 0; y < size; y++) {
    src.copy(out, y * size * channels, ((y + off) * srcSize + off) * channels, ((y + off) * srcSize + off + size) * channels);
  }
  return out;
}
