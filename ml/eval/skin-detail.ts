import type { Affine, Point } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';
import { alignedFrame, COLOUR_SIZE } from './colour-change.js';
import { maskWidth } from '../aging/detail-change.js';
import { lumaPlane } from '../aging/lab.js';
import { fadeMap } from '../aging/age-face.js';
import { edgeAwareBlur } from '../aging/edge-smooth.js';

/** The blur the fine band is taken against (share of the face's width). */
export const SKIN_DETAIL_BLUR = 0.04;
/** Steps much larger than this (levels) are edges (skin to brow, hair, glasses), not lines: the blur keeps them. */
export const SKIN_DETAIL_EDGE = 30;

/**
 * The skin-detail figure: the mean squared lightness fine band (luma minus an edge-preserving blur of SKIN_DETAIL_BLUR
 * of the face's width: lines, folds, stubble, pores, but not the edges of brows, hair or glasses) over the skin of an
 * aligned image, the skin being the face mask without the eyes, nose and mouth. Real faces gain it with age; a face
 * made younger should come down toward the level of real faces of its target age.
 */
export function skinDetail(rgb: ArrayLike<number>, mask: ArrayLike<number>, size: number): number {
  const skin = fadeMap(size, 1, Uint8Array.from(mask));
  const luma = lumaPlane(rgb, size * size);
  const smooth = edgeAwareBlur(luma, size, Math.max(0.5, SKIN_DETAIL_BLUR * maskWidth(mask, size)), SKIN_DETAIL_EDGE);
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < luma.length; i++) {
    sum += skin[i]! * (luma[i]! - smooth[i]!) ** 2;
    weight += skin[i]!;
  }
  return weight > 0 ? sum / weight : NaN;
}

/** The skin-detail figure of the input photo and of each output, in the face's aligned frame (alignedFrame). */
export async function skinDetailFigures(photo: RawImage, outputs: readonly RawImage[], transform: Affine, cropSize: number, landmarks: readonly Point[] | null): Promise<{ input: number; outputs: number[] }> {
  const { mask, cut } = await alignedFrame(transform, cropSize, landmarks);
  const input = skinDetail(await cut(photo), mask, COLOUR_SIZE);
  return { input, outputs: await Promise.all(outputs.map(async (o) => skinDetail(await cut(o), mask, COLOUR_SIZE))) };
}
