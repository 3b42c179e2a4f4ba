/** Target ages from a range and a step, both ends included; the model's trained range clamps them. */
export function agesBetween(from: number, to: number, step: number): number[] {
  const lo = Math.round(Math.min(from, to));
  const hi = Math.round(Math.max(from, to));
  const s = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let a = lo; a <= hi; a += s) out.push(a);
  if (out[out.length - 1] !== hi) out.push(hi);
  return out;
}

export function clampRange(from: number, to: number, range: readonly [number, number] | null): [number, number] {
  if (!range) return [from, to];
  const c = (v: number) => Math.min(Math.max(v, range[0]), range[1]);
  return [c(from), c(to)];
}

/** Index of the largest face by box area: the default choice. */
export function largestFace(faces: readonly { index: number; box: readonly [number, number, number, number] }[]): number | null {
  let best: number | null = null;
  let area = -1;
  for (const f of faces) {
    const a = f.box[2] * f.box[3];
    if (a > area) {
      area = a;
      best = f.index;
    }
  }
  return best;
}
