import { blurPlane } from '../prep/masks.js';
import type { Affine, Point } from '../prep/geometry.js';
import { warpAffine } from '../prep/warp.js';
import type { RawImage } from '../estimators/image.js';
import { cropFaceMask } from './face-mask.js';
import { maskWidth } from '../aging/detail-change.js';
import { rgbToLab } from '../aging/lab.js';

export { rgbToLab };

/** The blur before colours are compared, as a share of the face's width: skin texture and noise are not colour. */
export const COLOUR_BLUR = 0.02;

/** Each channel of a size x size RGB image blurred (Gaussian of `sigma` px), as three planes. */
function blurredPlanes(rgb: ArrayLike<number>, size: number, sigma: number): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const plane = new Float32Array(size * size);
    for (let i = 0; i < plane.length; i++) plane[i] = rgb[i * 3 + c]!;
    return sigma > 0 ? blurPlane(plane, size, sigma) : plane;
  });
}

/**
 * The colour figure: the mean |a*| + |b*| change (CIELAB) between two aligned size x size RGB images inside the face
 * `mask` (0..255, used as weights), both blurred first by COLOUR_BLUR of the face's width. Lightness changes (lines,
 * shading, greying) do not count; a cast or a blotch of colour does.
 */
export function colourChange(before: ArrayLike<number>, after: ArrayLike<number>, mask: ArrayLike<number>, size: number): number {
  const sigma = COLOUR_BLUR * maskWidth(mask, size);
  const a = blurredPlanes(before, size, sigma);
  const b = blurredPlanes(after, size, sigma);
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < size * size; i++) {
    const w = mask[i]! / 255;
    if (w <= 0) continue;
    const la = rgbToLab(a[0]![i]!, a[1]![i]!, a[2]![i]!);
    const lb = rgbToLab(b[0]![i]!, b[1]![i]!, b[2]![i]!);
    sum += w * (Math.abs(lb[1] - la[1]) + Math.abs(lb[2] - la[2]));
    weight += w;
  }
  return weight > 0 ? sum / weight : NaN;
}

/** Side of the aligned frame the colour figure is measured in. */
export const COLOUR_SIZE = 192;

/** The face's aligned frame (COLOUR_SIZE px) of a photo: its face mask, and a cut of any image of that photo into it. `transform` maps photo px to crop px of a crop `cropSize` wide. */
export async function alignedFrame(transform: Affine, cropSize: number, landmarks: readonly Point[] | null): Promise<{ mask: Uint8Array; cut: (img: RawImage) => Promise<Buffer> }> {
  const k = COLOUR_SIZE / cropSize;
  const t: Affine = [transform[0] * k, transform[1] * k, transform[2] * k, transform[3] * k, transform[4] * k, transform[5] * k];
  const mask = await cropFaceMask(COLOUR_SIZE, t, landmarks);
  const cut = (img: RawImage): Promise<Buffer> => warpAffine({ data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), width: img.width, height: img.height, channels: 3 }, t, COLOUR_SIZE);
  return { mask, cut };
}

/**
 * A figure `measure(before, after, mask, size)` of each output against the input photo, both cut into the face's
 * aligned frame with its face mask (colourChange: the colour figure). With `references` (one per output), each output
 * is measured against its own reference instead: the photo moved by the same shape warp gives the geometry-aligned
 * figure, what the texture change alone adds.
 */
export async function alignedFigures(
  measure: (before: ArrayLike<number>, after: ArrayLike<number>, mask: ArrayLike<number>, size: number) => number,
  photo: RawImage,
  outputs: readonly RawImage[],
  transform: Affine,
  cropSize: number,
  landmarks: readonly Point[] | null,
  references?: readonly RawImage[],
): Promise<number[]> {
  const { mask, cut } = await alignedFrame(transform, cropSize, landmarks);
  const before = await cut(photo);
  return Promise.all(outputs.map(async (o, i) => measure(references ? await cut(references[i]!) : before, await cut(o), mask, COLOUR_SIZE)));
}
