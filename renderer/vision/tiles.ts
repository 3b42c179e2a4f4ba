/** Where the face search looks: overlapping square tiles at several scales, each seen by BlazeFace at its input size. */

/** A square of the image, input px; it may reach past the image's edges (that part is padded grey). */
export interface Tile {
  x: number;
  y: number;
  side: number;
}

/** BlazeFace short-range's input side. */
export const TILE_INPUT = 128;
/** The smallest face of a scale fills this fraction of its tiles' side: BlazeFace short-range still finds faces of
 *  17 px in its 128 px input (on composites: all 40 px faces at 0.13, some missed at 0.11; 0.2 costs 4x the tiles). */
export const MIN_FACE_FRACTION = 0.13;
/** Each scale's tiles are this many times the previous scale's. */
export const SCALE_STEP = 2;

/** Starts of `side`-long windows covering 0..length, overlapping by at least maxFace, evenly spread. */
function starts(length: number, side: number, stride: number): number[] {
  if (side >= length) return [(length - side) / 2];
  const n = Math.ceil((length - side) / stride) + 1;
  return Array.from({ length: n }, (_, i) => (i * (length - side)) / (n - 1));
}

/** The tiles of every scale, finest first: from tiles sized for `minFace` up to the last scale whose tiles are smaller
 *  than the image's longer side. One tile over the whole image is what the first pass (the landmarker on the whole
 *  photo) already saw, so it is not repeated; an image smaller than the finest tiles gets no tiles at all. */
export function planTiles(width: number, height: number, minFace: number, minFraction = MIN_FACE_FRACTION, step = SCALE_STEP): Tile[][] {
  const long = Math.max(width, height);
  const scales: Tile[][] = [];
  // Faces up to this fraction of a tile lie whole in some tile of its scale: neighbouring tiles overlap by it.
  const maxFraction = Math.min(0.8, minFraction * step * 1.2);
  for (let side = Math.max(8, minFace / minFraction); side < long; side *= step) {
    const stride = side * (1 - maxFraction);
    const tiles: Tile[] = [];
    for (const y of starts(height, side, stride)) for (const x of starts(width, side, stride)) tiles.push({ x, y, side });
    scales.push(tiles);
  }
  return scales;
}
