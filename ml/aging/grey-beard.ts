import type { Point } from '../prep/geometry.js';
import { blurPlane, feather, fillPolygon, shrinkPolygon } from '../prep/masks.js';
import { BROW_POINTS, LIP_POINTS } from '../shape/mesh.js';
import { hull } from './brow-keep.js';
import { lumaPlane } from './lab.js';
import { belowNose, cheekPixels } from './lower-face.js';

/** Cheeks of less chroma than this (a*, b* length) are a grey or black-and-white photo: grey hair cannot be told from skin there. */
const MIN_SKIN_CHROMA = 6;
/** Hair of up to this share of the cheeks' chroma counts as grey in full, none from GREY_TO on (white hair in a warm photo takes on some of its cast). */
const GREY_FULL = 0.3;
const GREY_TO = 0.7;

/**
 * A man's grey moustache, beard or stubble darkened toward his own darkest hair tone (the darker fifth of his brows'
 * luma), as a lightness change per crop pixel (size x size, levels, `weight` of the full change; a*, b* are kept by
 * the caller, so grey hair turns dark grey, not brown). Where: inside the face mask from just under the nose down,
 * off the lips and teeth (the mesh's lip outline, grown). What: pixels of little chroma against the cheeks' (grey,
 * where skin is warm) and lighter than that tone; skin, shadows and dark hair are left alone. Nothing in a grey or
 * black-and-white photo, or when the brows are as light as the beard.
 */
export function greyBeardDarken(crop: ArrayLike<number>, size: number, faceMask: Uint8Array, landmarks: readonly Point[], chroma: Float32Array, weight: number): Float32Array {
  const n = size * size;
  const out = new Float32Array(n);
  if (weight <= 0) return out;
  const luma = lumaPlane(crop, n);
  const sat = blurPlane(Float32Array.from({ length: n }, (_, i) => Math.hypot(chroma[i * 2]!, chroma[i * 2 + 1]!)), size, 1);
  const brows = new Float32Array(n);
  for (const b of BROW_POINTS) {
    const fill = fillPolygon(hull(b.map((i) => landmarks[i]!)), size);
    for (let i = 0; i < n; i++) if (fill[i]! >= 128) brows[i] = 1;
  }
  const browLuma = luma.filter((_, i) => brows[i]! > 0).sort();
  if (browLuma.length < 4) return out;
  const tone = browLuma[Math.floor(0.2 * browLuma.length)]!;
  const cheeks = cheekPixels(size).filter((i) => faceMask[i]! >= 128).map((i) => sat[i]!);
  if (cheeks.length === 0) return out;
  cheeks.sort((a, b) => a - b);
  const skinChroma = cheeks[Math.floor(cheeks.length / 2)]!;
  if (skinChroma < MIN_SKIN_CHROMA) return out;
  const lips = feather(fillPolygon(shrinkPolygon(hull(LIP_POINTS.map((i) => landmarks[i]!)), 1.15), size), size, size / 60);
  const rows = belowNose(size, 0.15, 0.3);
  for (let y = 0; y < size; y++) {
    const below = rows[y]!;
    if (below === 0) continue;
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const lighter = luma[i]! - tone;
      if (lighter <= 0) continue;
      const m = faceMask[i]! / 255;
      const grey = Math.min(1, Math.max(0, (GREY_TO * skinChroma - sat[i]!) / ((GREY_TO - GREY_FULL) * skinChroma)));
      out[i] = -weight * below * m * m * (1 - lips[i]! / 255) * grey * lighter;
    }
  }
  return out;
}
