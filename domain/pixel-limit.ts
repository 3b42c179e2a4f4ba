/**
 * The one check of a photo's size against a pixel limit, made on the dimensions its header declares, before any pixel
 * is decoded (a 100-byte PNG can declare 30,000 x 30,000). Import, preparation, detection and aging all use it.
 */

/** Photos to detect and age: at most 100 megapixels and 30,000 px a side. */
export const PHOTO_MAX_PIXELS = 100_000_000;
export const PHOTO_MAX_SIDE = 30_000;

/** Null when width x height is within the limits, else the reason, naming the size and the limit. */
export function pixelLimitReason(width: number, height: number, maxPixels: number, maxSide = Infinity): string | null {
  const pixels = width * height;
  if (pixels <= maxPixels && width <= maxSide && height <= maxSide) return null;
  const side = Number.isFinite(maxSide) ? ` and ${maxSide} px a side` : '';
  return `${width}x${height} = ${pixels} px, limit ${maxPixels} px${side}`;
}
