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

/** One running-sum box blur pass of radius r along rows (or columns), edges clamped. */
function boxPass(src: Float32Array, dst: Float32Array, size: number, r: number, vertical: boolean): void {
  const inv = 1 / (2 * r + 1);
  const last = size - 1;
  // Element i of a line sits at base + i * step.
  const step = vertical ? size : 1;
  const lineStep = vertical ? 1 : size;
  for (let line = 0; line < size; line++) {
    const base = line * lineStep;
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += src[base + (i < 0 ? 0 : i > last ? last : i) * step]!;
    for (let i = 0; i < size; i++) {
      dst[base + i * step] = acc * inv;
      const add = i + r + 1;
      const sub = i - r;
      acc += src[base + (add > last ? last : add) * step]! - src[base + (sub < 0 ? 0 : sub) * step]!;
    }
  }
}

/** A size x size plane blurred in place by three box passes each way, which approximate a Gaussian of the given sigma. */
export function blurPlane(plane: Float32Array, size: number, sigma: number): Float32Array {
  // Three boxes of width w have variance 3 * (w^2 - 1) / 12 = sigma^2.
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const tmp = new Float32Array(size * size);
  for (let pass = 0; pass < 3; pass++) {
    boxPass(plane, tmp, size, r, false);
    boxPass(tmp, plane, size, r, true);
  }
  return plane;
}

/** Feathered single-channel square mask: three box blurs approximate a Gaussian of the given sigma. */
export function feather(mask: Buffer, size: number, sigma: number): Buffer {
  if (sigma < 0.3) return mask;
  const a = blurPlane(Float32Array.from(mask), size, sigma);
  const out = Buffer.allocUnsafe(size * size);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(a[i]!);
  return out;
}

/** Person confidence (0..255) -> hard mask at `threshold`, then feathered. */
export function personAlpha(confidence: Buffer, size: number, threshold: number, sigma: number): Buffer {
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

/** Box-average downscale of a square single-channel float image by an integer factor. */
export function boxDownscale(src: Float32Array, size: number, factor: number): Float32Array {
  const n = Math.floor(size / factor);
  const out = new Float32Array(n * n);
  const inv = 1 / (factor * factor);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let acc = 0;
      for (let j = 0; j < factor; j++) {
        const row = (y * factor + j) * size + x * factor;
        for (let i = 0; i < factor; i++) acc += src[row + i]!;
      }
      out[y * n + x] = acc * inv;
    }
  }
  return out;
}
