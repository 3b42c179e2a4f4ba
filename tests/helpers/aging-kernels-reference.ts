/**
 * The aging kernels as they were before the speed work of issue #21 (commit 0ef944f): the oracle the rewritten kernels
 * (lab.ts's transfer tables, plain loops, boxes of live pixels, padded samples) are checked against on random data in
 * tests/aging-kernels.test.ts. Tests only.
 */
import { blurPlane } from '../../ml/prep/masks.js';
import { invertAffine, type Affine } from '../../ml/prep/geometry.js';
import type { RawImage } from '../../ml/estimators/image.js';
import { bilinear, sampleField, type WarpField } from '../../ml/shape/warp-field.js';
import { cropFootprint, isMonochrome, type CropDelta } from '../../ml/aging/paste-back.js';
import { lineLikeness } from '../../ml/aging/line-filter.js';
import { detailReach, type DetailBand } from '../../ml/aging/detail-paste.js';
import type { DetailEnergy } from '../../ml/aging/detail-energy.js';
import { knotPosition, type PrototypeGender } from '../../ml/shape/prototypes.js';

const LINE_GAIN = { min: -0.9, max: 1.5 } as const;
const FLOOR = 1;

function oldLinear(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function oldLabF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** CIELAB (D65) of an sRGB colour, 0..255 per channel. */
export function oldRgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = oldLinear(r), G = oldLinear(g), B = oldLinear(b);
  const x = oldLabF((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047);
  const y = oldLabF(0.2126729 * R + 0.7151522 * G + 0.072175 * B);
  const z = oldLabF((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIELAB L* of an sRGB colour, 0..255 per channel (oldRgbToLab's first value, for less work). */
export function oldLightnessOf(r: number, g: number, b: number): number {
  return 116 * oldLabF(0.2126729 * oldLinear(r) + 0.7151522 * oldLinear(g) + 0.072175 * oldLinear(b)) - 16;
}

function oldGamma(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return v * 255;
}

function oldLabFInverse(t: number): number {
  return t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27);
}

/** sRGB (0..255, not clamped) of a CIELAB (D65) colour. */
export function oldLabToRgb(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = 0.95047 * oldLabFInverse(fy + a / 500);
  const y = oldLabFInverse(fy);
  const z = 1.08883 * oldLabFInverse(fy - b / 200);
  const R = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const G = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const B = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return [oldGamma(R), oldGamma(G), oldGamma(B)];
}

/**
 * The plane with its non-line-like part held back by `hold` (0..1): each value times 1 - hold x (1 - line-likeness),
 * the factor smoothed by the finest scale so no new edges appear. Lines and folds survive, blobs and grain fade. With
 * `spread` (px) > 0 the held part is added back blurred by it: blobs become smooth shading.
 */
export function oldHoldBlobs(plane: Float32Array, size: number, sigmas: readonly number[], hold: number, spread = 0): Float32Array {
  if (hold <= 0 || sigmas.length === 0) return plane;
  const like = lineLikeness(plane, size, sigmas);
  const keep = blurPlane(Float32Array.from(like, (v) => 1 - hold * (1 - v)), size, Math.min(...sigmas));
  const kept = Float32Array.from(plane, (v, i) => v * keep[i]!);
  if (spread <= 0) return kept;
  // What is held back comes back as smooth shading: the same darkening, without the blobs' edges.
  const held = blurPlane(Float32Array.from(plane, (v, i) => v - kept[i]!), size, spread);
  return Float32Array.from(kept, (v, i) => v + held[i]!);
}

/** The plane's blur by `smooth` px kept whole (smooth shading), and the rest through oldHoldBlobs. */
export function oldHoldBlobsBeyond(plane: Float32Array, size: number, smooth: number, sigmas: readonly number[], hold: number, spread = 0): Float32Array {
  if (hold <= 0) return plane;
  const low = blurPlane(Float32Array.from(plane), size, smooth);
  const mid = oldHoldBlobs(Float32Array.from(plane, (v, i) => v - low[i]!), size, sigmas, hold, spread);
  return Float32Array.from(mid, (v, i) => v + low[i]!);
}

/**
 * An edge-preserving blur of a size x size plane: the self-guided filter (He et al., 2010) with Gaussian windows of
 * `sigma` px. Where the plane varies less than `edge` levels within a window (skin with lines, pores, stubble) it is
 * the plain blur; across a step much larger than `edge` (skin to hair, brow or eye) it keeps the plane as it is. So the
 * plane minus it is the fine detail of the skin without the edges around it. The filter's own residue at a step
 * (1 - a of it) is weighted by 1 - a once more, so a step of 100 levels keeps within a few levels.
 */
export function oldEdgeAwareBlur(plane: Float32Array, size: number, sigma: number, edge: number): Float32Array {
  const n = size * size;
  const mean = blurPlane(Float32Array.from(plane), size, sigma);
  const square = blurPlane(Float32Array.from(plane, (v) => v * v), size, sigma);
  const eps = edge * edge;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const variance = Math.max(0, square[i]! - mean[i]! * mean[i]!);
    a[i] = variance / (variance + eps);
    b[i] = mean[i]! * (1 - a[i]!);
  }
  blurPlane(a, size, sigma);
  blurPlane(b, size, sigma);
  return Float32Array.from(plane, (v, i) => {
    const q = a[i]! * v + b[i]!;
    return q + a[i]! * (v - q);
  });
}

/** A crop-sized image (`channels` floats or bytes per pixel) warped by the field; edges are clamped. */
export function oldWarpCropImage<T extends Float32Array | Uint8Array>(img: T, size: number, channels: number, field: WarpField): T {
  const out = img.slice() as T;
  const d: [number, number] = [0, 0];
  const round = img instanceof Uint8Array;
  // A pixel centre falls on a cell centre, so pixels outside the field's box are not moved.
  const [bx0, by0, bx1, by1] = field.box;
  for (let y = Math.max(0, by0 + field.origin); y < Math.min(size, by1 + field.origin); y++) {
    for (let x = Math.max(0, bx0 + field.origin); x < Math.min(size, bx1 + field.origin); x++) {
      sampleField(field, x + 0.5, y + 0.5, d);
      if (d[0] === 0 && d[1] === 0) continue;
      const o = (y * size + x) * channels;
      for (let ch = 0; ch < channels; ch++) {
        const v = bilinear(img, size, channels, x + d[0], y + d[1], ch);
        out[o + ch] = round ? Math.round(v) : v;
      }
    }
  }
  return out;
}

/**
 * The photo warped by `field` (crop space, carried through the alignment) with `delta` added inside the feathered
 * `mask`, both sampled in the warped geometry: a photo pixel at crop point c shows the photo at c + d(c), plus
 * mask(c + d) * delta(c + d). Pixels where the field is zero and the mask is zero are copied unchanged.
 */
export function oldWarpPasteBack(photo: RawImage, delta: CropDelta, mask: Uint8Array, transform: Affine, field: WarpField): RawImage {
  const { size } = delta;
  if (mask.length !== size * size) throw new Error(`mask has ${mask.length} pixels, expected ${size * size}`);
  if (delta.data.length !== size * size * 3) throw new Error(`delta has ${delta.data.length} values, expected ${size * size * 3}`);
  const ch = photo.channels;
  const { width, height } = photo;
  const src = photo.data;
  const out = new Uint8Array(src);
  const [a, b, c, d, e, f] = transform;
  const inv = invertAffine(transform);
  const [ia, ib, , id, ie] = inv;
  const reach = -field.origin;
  const grown = cropFootprint(composeShift(inv, -reach), size + 2 * reach, width, height);
  const mono = isMonochrome(photo, grown.x0, grown.y0, grown.x1, grown.y1);
  // The field's and the mask's bilinear samples are inlined (same arithmetic as sampleField, maskAt and deltaAt): this
  // loop runs over every pixel of every face at every age of a team photo.
  const { n: fn, dx: fdx, dy: fdy } = field;
  const fo = field.origin;
  const dd = delta.data;
  const last = size - 1;
  const row = width * ch;
  for (let y = grown.y0; y < grown.y1; y++) {
    const sy = y + 0.5;
    for (let x = grown.x0; x < grown.x1; x++) {
      const sx = x + 0.5;
      const u = a * sx + b * sy + c;
      const v = d * sx + e * sy + f;
      let d0 = 0;
      let d1 = 0;
      const fu0 = u - fo - 0.5;
      const fv0 = v - fo - 0.5;
      if (!(fu0 < 0 || fv0 < 0 || fu0 >= fn - 1 || fv0 >= fn - 1)) {
        const iu = Math.floor(fu0), iv = Math.floor(fv0);
        const fu = fu0 - iu, fv = fv0 - iv;
        const i = iv * fn + iu;
        const w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv;
        d0 = w00 * fdx[i]! + w10 * fdx[i + 1]! + w01 * fdx[i + fn]! + w11 * fdx[i + fn + 1]!;
        d1 = w00 * fdy[i]! + w10 * fdy[i + 1]! + w01 * fdy[i + fn]! + w11 * fdy[i + fn + 1]!;
      }
      const mu = u + d0 - 0.5;
      const mv = v + d1 - 0.5;
      const moved = d0 !== 0 || d1 !== 0;
      // The mask (0..1) at (mu, mv), bilinear, zero outside the crop.
      let m = 0;
      let iu = 0, iv = 0, fu = 0, fv = 0;
      if (!(mu <= -1 || mv <= -1 || mu >= size || mv >= size)) {
        iu = Math.floor(mu);
        iv = Math.floor(mv);
        fu = mu - iu;
        fv = mv - iv;
        const inX0 = iu >= 0, inX1 = iu + 1 < size, inY0 = iv >= 0, inY1 = iv + 1 < size;
        const m00 = inX0 && inY0 ? mask[iv * size + iu]! : 0;
        const m10 = inX1 && inY0 ? mask[iv * size + iu + 1]! : 0;
        const m01 = inX0 && inY1 ? mask[(iv + 1) * size + iu]! : 0;
        const m11 = inX1 && inY1 ? mask[(iv + 1) * size + iu + 1]! : 0;
        m = ((1 - fv) * ((1 - fu) * m00 + fu * m10) + fv * ((1 - fu) * m01 + fu * m11)) / 255;
      }
      if (!moved && m === 0) continue;
      const p = (y * width + x) * ch;
      if (moved) {
        // The photo at the moved point, bilinear, edges clamped (pixel centres at integers).
        const px = x + ia * d0 + ib * d1;
        const py = y + id * d0 + ie * d1;
        const cx = px <= 0 ? 0 : px >= width - 1 ? width - 1 : px;
        const cy = py <= 0 ? 0 : py >= height - 1 ? height - 1 : py;
        const ix = Math.min(width - 2, Math.floor(cx));
        const iy = Math.min(height - 2, Math.floor(cy));
        const gx = cx - ix, gy = cy - iy;
        const q = (iy * width + ix) * ch;
        for (let k = 0; k < ch; k++) {
          out[p + k] = clamp255((1 - gy) * ((1 - gx) * src[q + k]! + gx * src[q + ch + k]!) + gy * ((1 - gx) * src[q + row + k]! + gx * src[q + row + ch + k]!));
        }
      }
      if (m === 0) continue;
      // The change at (mu, mv), bilinear, edges clamped.
      const x0 = iu < 0 ? 0 : iu > last ? last : iu;
      const x1 = iu + 1 < 0 ? 0 : iu + 1 > last ? last : iu + 1;
      const y0 = iv < 0 ? 0 : iv > last ? last : iv;
      const y1 = iv + 1 < 0 ? 0 : iv + 1 > last ? last : iv + 1;
      const q00 = (y0 * size + x0) * 3, q10 = (y0 * size + x1) * 3, q01 = (y1 * size + x0) * 3, q11 = (y1 * size + x1) * 3;
      let r = m * ((1 - fv) * ((1 - fu) * dd[q00]! + fu * dd[q10]!) + fv * ((1 - fu) * dd[q01]! + fu * dd[q11]!));
      let g = m * ((1 - fv) * ((1 - fu) * dd[q00 + 1]! + fu * dd[q10 + 1]!) + fv * ((1 - fu) * dd[q01 + 1]! + fu * dd[q11 + 1]!));
      let bl = m * ((1 - fv) * ((1 - fu) * dd[q00 + 2]! + fu * dd[q10 + 2]!) + fv * ((1 - fu) * dd[q01 + 2]! + fu * dd[q11 + 2]!));
      if (mono) r = g = bl = 0.299 * r + 0.587 * g + 0.114 * bl;
      out[p] = clamp255(out[p]! + r);
      out[p + 1] = clamp255(out[p + 1]! + g);
      out[p + 2] = clamp255(out[p + 2]! + bl);
    }
  }
  return { data: out, width, height, channels: ch };
}

/** crop px -> source px of a crop grown by `shift` px on every side (its origin moved to -shift). */
function composeShift(inv: Affine, shift: number): Affine {
  return [inv[0], inv[1], inv[0] * shift + inv[1] * shift + inv[2], inv[3], inv[4], inv[3] * shift + inv[4] * shift + inv[5]];
}

function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * The frame with its own fine detail scaled, at the frame's own resolution: each pixel adds gain(c) x (its lightness
 * minus a blur of `sigmaCrop` crop px), `gain` a size x size map in crop space (the output's geometry) sampled at the
 * pixel's crop position c = transform(pixel). A gain of -1 removes the detail, +0.5 deepens it by half. Nothing is
 * upscaled from the crop but the gain, which is smooth: the lines themselves are the photo's own. With `edge` (levels)
 * the blur is edge-preserving (edge-smooth.ts): steps much larger than `edge` (skin to hair, brows) are not detail, so
 * a fading gain smooths the skin's lines without blurring or haloing the edges round it.
 */
export function oldScaleOwnDetail(frame: RawImage, gain: Float32Array, size: number, transform: Affine, sigmaCrop: number, band: DetailBand = {}): RawImage {
  if (gain.length !== size * size) throw new Error(`detail gain has ${gain.length} values, expected ${size * size}`);
  const { width, height, channels: ch } = frame;
  const inv = invertAffine(transform);
  const box = cropFootprint(inv, size, width, height);
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
  const luma = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(height - 1, y0 + y);
    for (let x = 0; x < side; x++) {
      const p = (sy * width + Math.min(width - 1, x0 + x)) * ch;
      luma[y * side + x] = ch >= 3 ? 0.299 * frame.data[p]! + 0.587 * frame.data[p + 1]! + 0.114 * frame.data[p + 2]! : frame.data[p]!;
    }
  }
  const edge = band.edge ?? 0;
  const blurred = edge > 0 ? oldEdgeAwareBlur(luma, side, sigma, edge) : blurPlane(Float32Array.from(luma), side, sigma);
  // Detail finer than `keep` stays: the band is the luma blurred by it minus the wide blur.
  const keep = Math.max(0.5, (band.keep ?? 0) / scale);
  const fine = !((band.keep ?? 0) > 0) ? luma : edge > 0 ? oldEdgeAwareBlur(luma, side, keep, edge) : blurPlane(Float32Array.from(luma), side, keep);
  const out = new Uint8Array(frame.data);
  const [a, b, c, d, e, f] = transform;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const u = a * (x + 0.5) + b * (y + 0.5) + c - 0.5;
      const v = d * (x + 0.5) + e * (y + 0.5) + f - 0.5;
      if (u <= -1 || v <= -1 || u >= size || v >= size) continue;
      const g = bilinear(gain, size, 1, u, v, 0);
      if (g === 0) continue;
      const i = (y - y0) * side + (x - x0);
      const add = g * (fine[i]! - blurred[i]!);
      const p = (y * width + x) * ch;
      for (let k = 0; k < Math.min(ch, 3); k++) {
        const val = out[p + k]! + add;
        out[p + k] = val <= 0 ? 0 : val >= 255 ? 255 : Math.round(val);
      }
    }
  }
  return { data: out, width, height, channels: ch };
}

/** The plane minus its blur (Gaussian of `sigma` px): its fine band. */
export function oldFineBand(plane: Float32Array, size: number, sigma: number): Float32Array {
  const blurred = blurPlane(Float32Array.from(plane), size, sigma);
  return Float32Array.from(plane, (v, i) => v - blurred[i]!);
}

/**
 * Per crop pixel, the gain on the face's own detail: lines x (ratio - 1), where `ratio` is the prototypes' detail-energy
 * ratio (target / source, the face's geometry), on the skin only (`skin`, 0..1). Going older it only deepens, going
 * younger it only fades: where the table's cells take in hair (a child's fringe over the forehead reads as detail), its
 * ratio points the other way, and a face made younger must not gain texture there. Going younger the gain is at most
 * -`smooth` (the share of the lines the target age lacks, linesLost x youngerSmooth), wherever the table's is weaker.
 */
export function oldLineGains(ratio: Float32Array, skin: Float32Array, lines: number, older = true, smooth = 0): Float32Array {
  const [lo, hi] = older ? [0, LINE_GAIN.max] : [LINE_GAIN.min, 0];
  const least = older ? hi : Math.max(LINE_GAIN.min, -smooth);
  return Float32Array.from(ratio, (r, i) => Math.min(least, hi, Math.max(lo, lines * (r - 1))) * skin[i]!);
}

/**
 * Per crop pixel (size x size, the aligned frame), sqrt(energy at the target / energy at the source): how much the
 * face's own detail should scale, cell by cell, bilinear between cell centres.
 */
export function oldDetailRatioMap(d: DetailEnergy, gender: PrototypeGender, sourceAge: number, targetAge: number, size: number): Float32Array {
  const from = oldEnergyAt(d, gender, sourceAge);
  const to = oldEnergyAt(d, gender, targetAge);
  const cells = Float32Array.from(from, (e, i) => Math.sqrt((to[i]! + FLOOR) / (e + FLOOR)));
  const out = new Float32Array(size * size);
  const g = d.grid;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = bilinear(cells, g, 1, ((x + 0.5) * g) / size - 0.5, ((y + 0.5) * g) / size - 0.5, 0);
  }
  return out;
}

/** The table's energies at an age (per cell), interpolated between knots. */
export function oldEnergyAt(d: DetailEnergy, gender: PrototypeGender, age: number): Float32Array {
  const { lo, hi, t } = knotPosition(d.knots, age);
  const a = d.energy[gender][lo]!;
  const b = d.energy[gender][hi]!;
  return Float32Array.from(a, (v, i) => v + t * (b[i]! - v));
}
