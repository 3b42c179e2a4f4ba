/** Reconstruction metrics on images with values in [0, 1], interleaved RGB (or any channel count), same size. */

export interface ImageMetrics {
  readonly mse: number;
  readonly l1: number;
  readonly psnr: number;
  readonly ssim: number;
}

export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s / a.length;
}

export function l1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** PSNR in dB for a peak of 1; infinite for identical images (capped at 100). */
export function psnr(meanSquaredError: number): number {
  return meanSquaredError <= 1e-10 ? 100 : 10 * Math.log10(1 / meanSquaredError);
}

function gaussianKernel(radius: number, sigma: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let i = -radius; i <= radius; i++) s += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Separable Gaussian filter of one channel, 'valid' region only (output (w-2r) x (h-2r)). */
function filterValid(src: Float64Array, w: number, h: number, k: Float64Array): { data: Float64Array; w: number; h: number } {
  const r = (k.length - 1) / 2;
  const ow = w - 2 * r;
  const oh = h - 2 * r;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i]! * src[y * w + x + i]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i]! * tmp[(y + i) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return { data: out, w: ow, h: oh };
}

/** SSIM (Wang et al. 2004): Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, peak 1; the mean over channels. */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number, channels: number): number {
  checkSameLength(a, b);
  if (a.length !== width * height * channels) throw new Error('ssim: size does not match the data');
  const radius = Math.min(5, Math.floor((Math.min(width, height) - 1) / 2));
  const k = gaussianKernel(radius, 1.5);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let total = 0;
  for (let c = 0; c < channels; c++) {
    const x = new Float64Array(width * height);
    const y = new Float64Array(width * height);
    for (let i = 0; i < x.length; i++) {
      x[i] = a[i * channels + c]!;
      y[i] = b[i * channels + c]!;
    }
    const xx = x.map((v) => v * v);
    const yy = y.map((v) => v * v);
    const xy = x.map((v, i) => v * y[i]!);
    const mx = filterValid(x, width, height, k);
    const my = filterValid(y, width, height, k).data;
    const sxx = filterValid(xx, width, height, k).data;
    const syy = filterValid(yy, width, height, k).data;
    const sxy = filterValid(xy, width, height, k).data;
    let s = 0;
    for (let i = 0; i < mx.data.length; i++) {
      const ux = mx.data[i]!;
      const uy = my[i]!;
      const vx = sxx[i]! - ux * ux;
      const vy = syy[i]! - uy * uy;
      const cxy = sxy[i]! - ux * uy;
      s += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
    total += s / mx.data.length;
  }
  return total / channels;
}

export function imageMetrics(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number, channels = 3): ImageMetrics {
  const m = mse(a, b);
  return { mse: m, l1: l1(a, b), psnr: psnr(m), ssim: ssim(a, b, width, height, channels) };
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`images differ in length: ${a.length} vs ${b.length}`);
}
