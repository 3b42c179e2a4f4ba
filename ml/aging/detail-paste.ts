import { invertAffine, type Affine } from '../prep/geometry.js';
import { blurPlane } from '../prep/masks.js';
import type { RawImage } from '../estimators/image.js';
import { bilinear } from '../shape/warp-field.js';
import { cropFootprint } from './paste-back.js';
import { edgeAwareBlur } from './edge-smooth.js';
import { nonZeroBox } from './mask-box.js';
import { coreDetail, noiseLevel } from './photo-grain.js';
import { lumaAt } from './lab.js';

/**
 * How the detail is measured: `edge` (levels) makes the wide blur edge-preserving; detail finer than `keep` crop px is
 * left alone; with `core` > 0, where the gain deepens, only detail standing above `core` times its noise level there
 * (photo-grain.ts) is deepened.
 */
export interface DetailBand {
  readonly edge?: number;
  readonly keep?: number;
  readonly core?: number;
  /**
   * Share (0..1) of the (plain) blur taken as a mean over the pixels the gain acts on, weighted by |gain|: the eyes,
   * brows, lips and hair beside the skin do not darken or tint its mean, so fading the detail paints no halo round them.
   */
  readonly skinMean?: number;
  /**
   * Share (0..1) of each channel's own detail (its value minus its blur) scaled instead of the lightness's, where the
   * pixel is darker than that blur (all of it from COLOUR_FULL levels darker): a dark pigmented spot or a red fold fades
   * toward the colour of the skin round it, not only toward its lightness; lighter skin keeps its own colour.
   */
  readonly colour?: number;
}

/** Levels darker than the skin round it from which a pixel's whole colour detail fades with its lightness (DetailBand.colour). */
const COLOUR_FULL = 6;

/** The share of a pixel's colour detail that fades: `colour` where its lightness detail is COLOUR_FULL levels or more below 0, none where it is not below. */
function shareOf(colour: number, lightnessDetail: number): number {
  return colour * Math.min(1, Math.max(0, -lightnessDetail / COLOUR_FULL));
}

/** How far (in sigmas) the detail at a pixel reads the pixels round it: the guided filter blurs twice in a row. */
export function detailReach(band: DetailBand | undefined): number {
  return (band?.edge ?? 0) > 0 ? 6 : 3;
}

/**
 * The frame with its own fine detail scaled, at the frame's own resolution: each pixel adds gain(c) x (its lightness
 * minus a blur of `sigmaCrop` crop px), `gain` a size x size map in crop space (the output's geometry) sampled at the
 * pixel's crop position c = transform(pixel). A gain of -1 removes the detail, +0.5 deepens it by half. Nothing is
 * upscaled from the crop but the gain, which is smooth: the lines themselves are the photo's own. With `edge` (levels)
 * the blur is edge-preserving (edge-smooth.ts): steps much larger than `edge` (skin to hair, brows) are not detail, so
 * a fading gain smooths the skin's lines without blurring or haloing the edges round it.
 */
export function scaleOwnDetail(frame: RawImage, gain: Float32Array, size: number, transform: Affine, sigmaCrop: number, band: DetailBand = {}): RawImage {
  if (gain.length !== size * size) throw new Error(`detail gain has ${gain.length} values, expected ${size * size}`);
  const { width, height, channels: ch } = frame;
  const inv = invertAffine(transform);
  // Only where the gain is not 0 does the frame change: the luma is read and blurred round that box alone.
  const live = nonZeroBox(gain, size, size);
  if (!live) return frame;
  // A bilinear sample of the gain outside one pixel round that box is 0 (pixel index coordinates).
  const [gu0, gv0, gu1, gv1] = [live.x0 - 1, live.y0 - 1, live.x1, live.y1];
  const box = cropFootprint(inv, size, width, height, [gu0 + 0.5, gv0 + 0.5, gu1 + 0.5, gv1 + 0.5]);
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  if (w <= 0 || h <= 0) return frame;
  // crop px per frame px
  const scale = Math.sqrt(Math.abs(transform[0] * transform[4] - transform[1] * transform[3]));
  const sigma = Math.max(0.5, sigmaCrop / scale);
  const margin = Math.ceil(detailReach(band) * sigma);
  const x0 = Math.max(0, box.x0 - margin);
  const y0 = Math.max(0, box.y0 - margin);
  const side = Math.max(Math.min(width, box.x1 + margin) - x0, Math.min(height, box.y1 + margin) - y0);
  const colour = Math.min(1, Math.max(0, band.colour ?? 0));
  // The planes whose detail is scaled: the lightness alone, or each channel when colour detail fades too.
  const planes = (colour > 0 && ch >= 3 ? [0, 1, 2] : [-1]).map((k) => {
    const plane = new Float32Array(side * side);
    for (let y = 0; y < side; y++) {
      const sy = Math.min(height - 1, y0 + y);
      for (let x = 0; x < side; x++) {
        const p = (sy * width + Math.min(width - 1, x0 + x)) * ch;
        plane[y * side + x] = k >= 0 ? frame.data[p + k]! : ch >= 3 ? lumaAt(frame.data, p) : frame.data[p]!;
      }
    }
    return plane;
  });
  const out = new Uint8Array(frame.data);
  const [a, b, c, d, e, f] = transform;
  // The gain per frame pixel of the footprint (0 outside the crop), laid out as the planes.
  const gains = new Float32Array(side * side);
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const u = a * (x + 0.5) + b * (y + 0.5) + c - 0.5;
      const v = d * (x + 0.5) + e * (y + 0.5) + f - 0.5;
      if (u <= -1 || v <= -1 || u >= size || v >= size || u < gu0 || v < gv0 || u > gu1 || v > gv1) continue;
      gains[(y - y0) * side + (x - x0)] = bilinear(gain, size, 1, u, v, 0);
    }
  }
  const edge = band.edge ?? 0;
  const skinShare = edge > 0 ? 0 : Math.min(1, Math.max(0, band.skinMean ?? 0));
  let most = 0;
  if (skinShare > 0) for (let i = 0; i < gains.length; i++) most = Math.max(most, Math.abs(gains[i]!));
  const weights = most > 0 ? new Float32Array(side * side) : null;
  if (weights) for (let i = 0; i < weights.length; i++) weights[i] = Math.abs(gains[i]!) / most;
  const weightSum = weights ? blurPlane(weights.slice(), side, sigma) : null;
  // Detail finer than `keep` stays: the band is the plane blurred by it minus the wide blur.
  const keep = Math.max(0.5, (band.keep ?? 0) / scale);
  const details = planes.map((plane) => {
    const blurred = edge > 0 ? edgeAwareBlur(plane, side, sigma, edge) : weights ? skinMeanBlur(plane, weights, weightSum!, side, sigma, skinShare) : blurPlane(plane.slice(), side, sigma);
    const fine = !((band.keep ?? 0) > 0) ? plane : edge > 0 ? edgeAwareBlur(plane, side, keep, edge) : blurPlane(plane.slice(), side, keep);
    const detail = new Float32Array(side * side);
    for (let i = 0; i < detail.length; i++) detail[i] = fine[i]! - blurred[i]!;
    return detail;
  });
  let detail = details[0]!;
  if (details.length === 3) {
    detail = new Float32Array(side * side);
    const [r, g, b] = details as [Float32Array, Float32Array, Float32Array];
    for (let i = 0; i < detail.length; i++) detail[i] = 0.299 * r[i]! + 0.587 * g[i]! + 0.114 * b[i]!;
  }
  // Grain is not deepened: the threshold is `core` times the detail's noise level where it deepens.
  const threshold = (band.core ?? 0) > 0 ? band.core! * noiseLevel(detail, gains) : 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y - y0) * side + (x - x0);
      const g = gains[i]!;
      if (g === 0) continue;
      const add = g * (g > 0 ? coreDetail(detail[i]!, threshold) : detail[i]!);
      const p = (y * width + x) * ch;
      for (let k = 0; k < Math.min(ch, 3); k++) {
        const val = out[p + k]! + (details.length === 1 ? add : add + shareOf(colour, detail[i]!) * (g * details[k]![i]! - add));
        out[p + k] = val <= 0 ? 0 : val >= 255 ? 255 : Math.round(val);
      }
    }
  }
  return { data: out, width, height, channels: ch };
}

/**
 * `share` of the plane's mean round each pixel (a blur of `sigma` px) weighted by `weights` (whose own blur is
 * `weightSum`), the rest its plain blur; where the weights vanish, the pixel itself (no detail: the gain is 0 there).
 */
function skinMeanBlur(plane: Float32Array, weights: Float32Array, weightSum: Float32Array, side: number, sigma: number, share: number): Float32Array {
  const n = side * side;
  const weighted = new Float32Array(n);
  for (let i = 0; i < n; i++) weighted[i] = plane[i]! * weights[i]!;
  blurPlane(weighted, side, sigma);
  const plain = share < 1 ? blurPlane(plane.slice(), side, sigma) : null;
  for (let i = 0; i < n; i++) {
    const w = weightSum[i]!;
    const t = Math.min(1, w / 0.05);
    const mean = t * (weighted[i]! / Math.max(w, 1e-6)) + (1 - t) * plane[i]!;
    weighted[i] = plain ? share * mean + (1 - share) * plain[i]! : mean;
  }
  return weighted;
}
