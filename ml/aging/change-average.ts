import { lumaAt } from './lab.js';

/**
 * Test-time averaging of the decoder's change (decode at the target age minus decode at the source age): its mottles
 * differ from decode to decode, its age change does not. Variants of one face: the aligned crop and its mirror image
 * (whose decodes are mirrored back), each decoded from z and from small perturbations of z.
 */

/** How the decoder's change is averaged (from a sidecar's `aging.lightness`); null when it is not. */
export interface ChangeAveraging {
  /** Weight of the mirrored crop's change against the crop's own (1: their mean; 0: none, no mirrored decode). */
  readonly flip: number;
  /** Where the two changes' lightness disagree in sign, this share of their mean is held back. */
  readonly agree: number;
  /** Where they agree, their mean is pulled toward the smaller of the two by this share. */
  readonly min: number;
  /**
   * Extra decodes per orientation from z + spread x the posterior's standard deviation x a fixed normal draw, in
   * antithetic pairs (the 2nd sample is z minus the 1st's move, and so on).
   */
  readonly samples: number;
  readonly spread: number;
}

export interface AveragingSettings {
  readonly flipAverage?: number;
  readonly flipAgree?: number;
  readonly flipMin?: number;
  readonly latentSamples?: number;
  readonly latentSpread?: number;
}

/** The averaging a model's settings ask for, or null (one decode per age, as before). */
export function changeAveraging(l: AveragingSettings | null | undefined): ChangeAveraging | null {
  if (!l) return null;
  const flip = l.flipAverage ?? 0;
  const samples = Math.round(l.latentSamples ?? 0);
  if (flip <= 0 && samples <= 0) return null;
  return { flip, agree: l.flipAgree ?? 0, min: l.flipMin ?? 0, samples, spread: l.latentSpread ?? 1 };
}

/** The decodes' variants in the order they are batched: orientation (own, then mirrored), then sample (0 is z itself). */
export function averagingVariants(a: ChangeAveraging | null): { mirrored: boolean; sample: number }[] {
  const out: { mirrored: boolean; sample: number }[] = [];
  for (const mirrored of a && a.flip > 0 ? [false, true] : [false]) for (let s = 0; s <= (a?.samples ?? 0); s++) out.push({ mirrored, sample: s });
  return out;
}

/** Each of `count` size x size RGB images mirrored left to right (about the crop's centre line). */
export function mirrorImages(values: ArrayLike<number>, count: number, size: number): Float32Array {
  const out = new Float32Array(count * size * size * 3);
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < size; y++) {
      const row = (k * size + y) * size;
      for (let x = 0; x < size; x++) {
        const o = (row + x) * 3;
        const i = (row + size - 1 - x) * 3;
        out[o] = values[i]!;
        out[o + 1] = values[i + 1]!;
        out[o + 2] = values[i + 2]!;
      }
    }
  }
  return out;
}

/**
 * Two RGB changes of one face combined (`b` the mirrored crop's, mirrored back): their weighted mean, held back where
 * their lightness disagrees in sign (`agree`) and pulled toward the smaller one where it agrees (`min`).
 */
export function combineChanges(a: Float32Array, b: Float32Array, s: Pick<ChangeAveraging, 'flip' | 'agree' | 'min'>): Float32Array {
  const wb = s.flip / 2;
  const wa = 1 - wb;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i += 3) {
    let k = 1;
    if (s.agree > 0 || s.min > 0) {
      const ya = lumaAt(a, i);
      const yb = lumaAt(b, i);
      const mean = wa * ya + wb * yb;
      if (ya * yb < 0) k = 1 - s.agree;
      else if (s.min > 0 && mean !== 0) k = 1 - s.min * (1 - Math.min(Math.abs(ya), Math.abs(yb)) / Math.abs(mean));
    }
    for (let c = 0; c < 3; c++) out[i + c] = k * (wa * a[i + c]! + wb * b[i + c]!);
  }
  return out;
}

/**
 * The decodes of every variant as one set of `rows` decodes (the source age first, then the targets). The first
 * variant (the crop itself from z) has all `rows`; each further one (averagingVariants' order, the mirrored crop's
 * still mirrored) only the rows in `averaged` (the source, 0, first): there the target row becomes the first variant's
 * source decode plus the averaged change (the samples' changes averaged within an orientation, then the two
 * orientations combined by combineChanges); every other row is the first variant's own.
 */
export function averagedDecodes(values: Float32Array, rows: number, size: number, a: ChangeAveraging, averaged: readonly number[]): Float32Array {
  const variants = averagingVariants(a);
  const px = size * size * 3;
  const m = averaged.length;
  if (averaged[0] !== 0) throw new Error('the averaged rows must start with the source row, 0');
  if (values.length !== (rows + (variants.length - 1) * m) * px) throw new Error(`expected ${rows} + ${variants.length - 1} x ${m} decodes of ${size} px, got ${values.length / px}`);
  const out = values.slice(0, rows * px);
  // Each variant's rows in `averaged` order, mirrored back where the crop was.
  const rowsOf = (v: number): Float32Array => {
    const own = v === 0 ? gather(values, averaged, px) : values.subarray((rows + (v - 1) * m) * px, (rows + v * m) * px);
    return variants[v]!.mirrored ? mirrorImages(own, m, size) : own;
  };
  const orientations = variants[variants.length - 1]!.mirrored ? 2 : 1;
  const perOrientation = variants.length / orientations;
  const changes: Float32Array[] = [];
  for (let o = 0; o < orientations; o++) {
    const change = new Float32Array(m * px);
    for (let v = o * perOrientation; v < (o + 1) * perOrientation; v++) {
      const set = rowsOf(v);
      for (let r = 1; r < m; r++) for (let i = 0; i < px; i++) change[r * px + i] = change[r * px + i]! + (set[r * px + i]! - set[i]!) / perOrientation;
    }
    changes.push(change);
  }
  for (let r = 1; r < m; r++) {
    const own = changes[0]!.subarray(r * px, (r + 1) * px);
    const change = orientations === 2 ? combineChanges(own, changes[1]!.subarray(r * px, (r + 1) * px), a) : own;
    const o = averaged[r]! * px;
    for (let i = 0; i < px; i++) out[o + i] = out[i]! + change[i]!;
  }
  return out;
}

function gather(values: Float32Array, rows: readonly number[], px: number): Float32Array {
  const out = new Float32Array(rows.length * px);
  rows.forEach((r, k) => out.set(values.subarray(r * px, (r + 1) * px), k * px));
  return out;
}
