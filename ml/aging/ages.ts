export const DEFAULT_TARGET_AGES: readonly number[] = [20, 30, 40, 50, 60, 70];

export interface ClampedAges {
  /** What the decoder is asked for, in the requested order. */
  readonly ages: number[];
  readonly requested: number[];
  /** Requested ages that fell outside [min, max], with what they became. */
  readonly clamped: { requested: number; used: number }[];
}

/** Limits target ages to the model's trained range; the caller tells the user about `clamped`. */
export function clampAges(requested: readonly number[], range: { min: number; max: number }): ClampedAges {
  if (requested.length === 0) throw new Error('no target ages given');
  const clamped: { requested: number; used: number }[] = [];
  const ages = requested.map((a) => {
    if (!Number.isFinite(a)) throw new Error(`target age ${a} is not a number`);
    const used = Math.min(range.max, Math.max(range.min, a));
    if (used !== a) clamped.push({ requested: a, used });
    return used;
  });
  return { ages, requested: [...requested], clamped };
}

export function parseAges(list: readonly string[]): number[] {
  return list.map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0 || n > 200) throw new Error(`--ages: "${s}" is not an age (a number of years, 0 or more)`);
    return n;
  });
}

export function clampMessage(c: ClampedAges, range: { min: number; max: number }): string | null {
  if (c.clamped.length === 0) return null;
  const parts = c.clamped.map((x) => `${x.requested} -> ${x.used}`).join(', ');
  return `target ages outside the model's trained range ${range.min}-${range.max} were clamped: ${parts}`;
}
