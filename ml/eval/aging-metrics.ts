/** Figures of how well outputs hit their target ages and keep the person. */
import { mean, median } from '../stats.js';

export { mean, median };

export interface AgedFace {
  /** The input face's true (labelled) age. */
  readonly sourceAge: number;
  /** Target ages, and the estimator's reading of each output. */
  readonly targets: readonly number[];
  readonly estimated: readonly number[];
  /** Descriptor distance of each output to the input face. */
  readonly distances: readonly number[];
  /** The colour figure (colour-change.ts) of each output against the input, when measured. */
  readonly colour?: readonly number[];
  /** The same against the input moved by the output's shape warp alone: the colour of the texture change, without the geometry's. */
  readonly colourAligned?: readonly number[];
  /** The skin-detail figure (skin-detail.ts) of the input face and of each output, when measured. */
  readonly detailInput?: number;
  readonly detail?: readonly number[];
  /** The patch figure (patch-figure.ts) of each output against the input moved by its shape warp alone, when measured. */
  readonly patch?: readonly number[];
}

export interface AgingFigures {
  readonly faces: number;
  /** Median over faces of the least-squares slope d(estimated)/d(target). */
  readonly slope: number;
  /** Mean over faces of the same per-face slope (an estimator that answers in steps puts the median on a step). */
  readonly meanSlope: number;
  /** Mean |estimated - target| over all outputs. */
  readonly mae: number;
  /** Share of outputs within the same-person distance of their input. */
  readonly samePerson: number;
  /** Mean colour figure over the outputs that have one (NaN when none). */
  readonly colour: number;
  /** Mean geometry-aligned colour figure (NaN when none). */
  readonly colourAligned: number;
  /** Mean skin-detail figure of the input faces (NaN when not measured). */
  readonly detailInput: number;
  /** Mean patch figure, % of the face (NaN when none). */
  readonly patch: number;
  /** Mean estimated age per target, and the mean skin-detail and patch figures of the outputs there. */
  readonly byTarget: { target: number; meanEstimated: number; mae: number; samePerson: number; colour: number; colourAligned: number; detail: number; patch: number }[];
}

export function leastSquaresSlope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}


const meanOf = (acc: { sum: number; n: number }): number => (acc.n > 0 ? acc.sum / acc.n : NaN);

export function agingFigures(faces: readonly AgedFace[], sameDistance = 0.6): AgingFigures {
  const slopes = faces.map((f) => leastSquaresSlope(f.targets, f.estimated));
  let absErr = 0;
  let same = 0;
  let outputs = 0;
  const colour = { sum: 0, n: 0 };
  const aligned = { sum: 0, n: 0 };
  const patch = { sum: 0, n: 0 };
  const add = (acc: { sum: number; n: number }, v: number | undefined): void => {
    if (v !== undefined && Number.isFinite(v)) {
      acc.sum += v;
      acc.n++;
    }
  };
  const perTarget = new Map<number, { est: number; err: number; same: number; n: number; colour: { sum: number; n: number }; aligned: { sum: number; n: number }; detail: { sum: number; n: number }; patch: { sum: number; n: number } }>();
  const detailInput = { sum: 0, n: 0 };
  for (const f of faces) {
    add(detailInput, f.detailInput);
    f.targets.forEach((t, i) => {
      const e = f.estimated[i]!;
      const d = f.distances[i]!;
      outputs++;
      absErr += Math.abs(e - t);
      if (d < sameDistance) same++;
      const acc = perTarget.get(t) ?? { est: 0, err: 0, same: 0, n: 0, colour: { sum: 0, n: 0 }, aligned: { sum: 0, n: 0 }, detail: { sum: 0, n: 0 }, patch: { sum: 0, n: 0 } };
      add(acc.detail, f.detail?.[i]);
      for (const [all, one, v] of [[colour, acc.colour, f.colour?.[i]], [aligned, acc.aligned, f.colourAligned?.[i]], [patch, acc.patch, f.patch?.[i]]] as const) {
        add(all, v);
        add(one, v);
      }
      acc.est += e;
      acc.err += Math.abs(e - t);
      acc.same += d < sameDistance ? 1 : 0;
      acc.n++;
      perTarget.set(t, acc);
    });
  }
  return {
    faces: faces.length,
    slope: median(slopes),
    meanSlope: mean(slopes),
    mae: outputs > 0 ? absErr / outputs : NaN,
    samePerson: outputs > 0 ? same / outputs : NaN,
    colour: meanOf(colour),
    colourAligned: meanOf(aligned),
    detailInput: meanOf(detailInput),
    patch: meanOf(patch),
    byTarget: [...perTarget.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([target, a]) => ({ target, meanEstimated: a.est / a.n, mae: a.err / a.n, samePerson: a.same / a.n, colour: meanOf(a.colour), colourAligned: meanOf(a.aligned), detail: meanOf(a.detail), patch: meanOf(a.patch) })),
  };
}

/** Share of pairs of different people whose descriptors fall within the same-person distance (the false-match rate). */
export function differentPeopleShare(descriptors: readonly Float32Array[], people: readonly string[], sameDistance = 0.6, maxPairs = 20000): { share: number; pairs: number } {
  let pairs = 0;
  let close = 0;
  const n = descriptors.length;
  const stride = Math.max(1, Math.floor((n * (n - 1)) / 2 / maxPairs));
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (people[i] === people[j]) continue;
      if (k++ % stride !== 0) continue;
      pairs++;
      let s = 0;
      const a = descriptors[i]!;
      const b = descriptors[j]!;
      for (let d = 0; d < a.length; d++) s += (a[d]! - b[d]!) ** 2;
      if (Math.sqrt(s) < sameDistance) close++;
    }
  }
  return { share: pairs > 0 ? close / pairs : NaN, pairs };
}

/**
 * How much an estimator's reading rises per year of labelled age on real faces whose labels lie in [lo, hi]: the most
 * an aging slope read by that estimator can show (age nets regress towards the middle). NaN with fewer than 5 faces.
 */
export function realFaceSlope(labels: readonly number[], readings: readonly number[], lo: number, hi: number): number {
  return realFaceFit(labels, readings, lo, hi)?.slope ?? NaN;
}

/** Least-squares line reading = intercept + slope * label over real faces with labels in [lo, hi]; null with fewer than 5. */
export function realFaceFit(labels: readonly number[], readings: readonly number[], lo: number, hi: number): { intercept: number; slope: number } | null {
  const keep = labels.map((a, i) => [a, readings[i]!] as const).filter(([a]) => a >= lo && a <= hi);
  if (keep.length < 5) return null;
  const xs = keep.map(([a]) => a);
  const ys = keep.map(([, r]) => r);
  const slope = leastSquaresSlope(xs, ys);
  const intercept = ys.reduce((s, v) => s + v, 0) / ys.length - (slope * xs.reduce((s, v) => s + v, 0)) / xs.length;
  return { intercept, slope };
}

/**
 * The readings mapped back through the estimator's own line on real faces ((reading - intercept) / slope): figures
 * of an estimator that regresses towards the middle, read on its own scale. Null when its real-face slope is below 0.2
 * (nothing to invert).
 */
export function calibrated(faces: readonly AgedFace[], fit: { intercept: number; slope: number } | null): AgedFace[] | null {
  if (!fit || !(fit.slope >= 0.2)) return null;
  return faces.map((f) => ({ ...f, estimated: f.estimated.map((e) => (e - fit.intercept) / fit.slope) }));
}
