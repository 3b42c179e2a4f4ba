import { describe, expect, it } from 'vitest';
import { averagedDecodes, averagingVariants, changeAveraging, combineChanges, mirrorImages } from '../ml/aging/change-average.js';
import { DEFAULT_LIGHTNESS, lightnessFromSpec, parseLightness } from '../ml/aging/detail-change.js';

const S = 16;
const PX = S * S * 3;

/** A deterministic RGB change: a dark line down column 5, a blob at (11, 4), and a pseudo-random grain. */
function change(seed: number): Float32Array {
  const out = new Float32Array(PX);
  let a = seed;
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    a = (a * 1103515245 + 12345) % 2147483648;
    const grain = (a / 2147483648 - 0.5) * 6;
    const v = -10 * Math.exp(-((x - 5) ** 2) / 2) - 8 * Math.exp(-((x - 11) ** 2 + (y - 4) ** 2) / 4) + grain;
    for (let c = 0; c < 3; c++) out[(y * S + x) * 3 + c] = v + c;
  }
  return out;
}

const maxAbs = (v: Float32Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const sub = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, i) => v - b[i]!);

describe('mirrorImages', () => {
  it('moves pixel x to size - 1 - x in every image and channel, and twice is the identity', () => {
    const c = change(3);
    const m = mirrorImages(c, 1, S);
    expect(m[(2 * S + 0) * 3 + 1]).toBe(c[(2 * S + S - 1) * 3 + 1]);
    expect(m[(7 * S + 4) * 3 + 2]).toBe(c[(7 * S + S - 5) * 3 + 2]);
    expect(maxAbs(sub(mirrorImages(m, 1, S), c))).toBe(0);
    const two = new Float32Array(2 * PX);
    two.set(c);
    two.set(change(9), PX);
    expect(maxAbs(sub(mirrorImages(two, 2, S).subarray(PX), mirrorImages(change(9), 1, S)))).toBe(0);
  });
});

describe('combineChanges: the crop\'s change with the mirrored crop\'s, mirrored back', () => {
  const a = change(1);
  it('a change averaged with itself is unchanged, in every mode', () => {
    for (const s of [{ flip: 1, agree: 0, min: 0 }, { flip: 1, agree: 1, min: 0 }, { flip: 1, agree: 1, min: 1 }, { flip: 0.5, agree: 0.3, min: 0.7 }]) {
      expect(maxAbs(sub(combineChanges(a, a, s), a))).toBeLessThan(1e-4);
    }
  });
  it('an antisymmetric change (the mirrored one its negative) vanishes in the mean', () => {
    const b = a.map((v) => -v);
    expect(maxAbs(combineChanges(a, b, { flip: 1, agree: 0, min: 0 }))).toBeLessThan(1e-5);
  });
  it('with flip 0 the crop\'s own change is kept whole', () => {
    expect(maxAbs(sub(combineChanges(a, change(2), { flip: 0, agree: 0, min: 0 }), a))).toBeLessThan(1e-5);
  });
  it('where the two disagree in sign, flipAgree holds their mean back; where they agree it stays', () => {
    const x = Float32Array.from([10, 10, 10, -4, -4, -4, 6, 6, 6]);
    const y = Float32Array.from([-2, -2, -2, -8, -8, -8, 2, 2, 2]);
    const mean = combineChanges(x, y, { flip: 1, agree: 0, min: 0 });
    expect(Array.from(mean.subarray(0, 3))).toEqual([4, 4, 4]);
    const held = combineChanges(x, y, { flip: 1, agree: 1, min: 0 });
    expect(Array.from(held)).toEqual([0, 0, 0, -6, -6, -6, 4, 4, 4]);
    const half = combineChanges(x, y, { flip: 1, agree: 0.5, min: 0 });
    expect(half[0]).toBeCloseTo(2, 5);
  });
  it('flipMin 1 takes the smaller of two sign-agreeing changes', () => {
    const x = Float32Array.from([-12, -12, -12, 6, 6, 6]);
    const y = Float32Array.from([-4, -4, -4, 10, 10, 10]);
    const m = combineChanges(x, y, { flip: 1, agree: 1, min: 1 });
    expect(m[0]).toBeCloseTo(-4, 4);
    expect(m[3]).toBeCloseTo(6, 4);
  });
  it('on independent grain, the mean keeps the shared line and halves the grain\'s energy', () => {
    const line = (x: number): number => -10 * Math.exp(-((x - 5) ** 2) / 2);
    const noisy = (seed: number): Float32Array => {
      const c = change(seed);
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let k = 0; k < 3; k++) c[(y * S + x) * 3 + k] = c[(y * S + x) * 3 + k]! - k;
      return c;
    };
    const [p, q] = [noisy(11), noisy(12)];
    const m = combineChanges(p, q, { flip: 1, agree: 0, min: 0 });
    const signal = (v: Float32Array, x: number, y: number): number => v[(y * S + x) * 3]!;
    const grainEnergy = (v: Float32Array): number => {
      let e = 0;
      for (let y = 8; y < S; y++) for (let x = 8; x < S; x++) e += signal(v, x, y) ** 2;
      return e;
    };
    expect(grainEnergy(m)).toBeLessThan(0.7 * (grainEnergy(p) + grainEnergy(q)) / 2);
    expect(signal(m, 5, 12)).toBeLessThan(line(5) + 3.5);
    expect(signal(m, 5, 12)).toBeGreaterThan(line(5) - 3.5);
  });
});

describe('averagedDecodes: the variants\' decodes as one set', () => {
  const source = change(21).map((v) => v / 50);
  const target = change(22).map((v) => v / 50);
  const younger = change(23).map((v) => v / 50);
  const join = (...images: Float32Array[]): Float32Array => {
    const out = new Float32Array(images.reduce((n, im) => n + im.length, 0));
    let at = 0;
    for (const im of images) {
      out.set(im, at);
      at += im.length;
    }
    return out;
  };

  it('a mirrored crop that decodes to the mirror image gives back the crop\'s own decodes', () => {
    const a = changeAveraging({ flipAverage: 1, flipAgree: 1, flipMin: 1 })!;
    const own = join(source, target);
    const values = join(source, target, mirrorImages(own, 2, S));
    expect(maxAbs(sub(averagedDecodes(values, 2, S, a, [0, 1]), own))).toBeLessThan(1e-5);
  });

  it('latent samples: the older rows\' changes are averaged over the samples, other rows stay the first variant\'s', () => {
    const a = changeAveraging({ latentSamples: 1 })!;
    expect(averagingVariants(a)).toEqual([{ mirrored: false, sample: 0 }, { mirrored: false, sample: 1 }]);
    const shifted = source.map((v) => v + 0.1);
    // rows: source, a younger target (not averaged), an older one; the sample decodes only the source and the older.
    const values = join(source, younger, target, shifted, shifted.map((v, i) => v + 3 * (target[i]! - source[i]!)));
    const out = averagedDecodes(values, 3, S, a, [0, 2]);
    for (const i of [0, 100, PX - 1]) {
      expect(out[i]).toBe(source[i]);
      expect(out[PX + i]).toBe(younger[i]);
      expect(out[2 * PX + i]! - out[i]!).toBeCloseTo(2 * (target[i]! - source[i]!), 4);
    }
  });

  it('needs every variant\'s decodes, the source row first', () => {
    const a = changeAveraging({ flipAverage: 1 })!;
    expect(() => averagedDecodes(new Float32Array(3 * PX), 2, S, a, [0, 1])).toThrow(/expected 2 \+ 1 x 2 decodes/);
    expect(() => averagedDecodes(new Float32Array(3 * PX), 2, S, a, [1])).toThrow(/start with the source row/);
  });
});

describe('the averaging settings', () => {
  it('are off when absent or zero, so a model without them decodes once per age', () => {
    expect(changeAveraging(DEFAULT_LIGHTNESS)).toBeNull();
    expect(changeAveraging(lightnessFromSpec('flipAverage=0,latentSamples=0', DEFAULT_LIGHTNESS))).toBeNull();
    expect(averagingVariants(null)).toEqual([{ mirrored: false, sample: 0 }]);
    expect(averagingVariants(changeAveraging({ flipAverage: 1, latentSamples: 1 }))).toHaveLength(4);
  });
  it('are range-checked, naming the file and the value', () => {
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, flipAverage: 1.5 }, 'm/sidecar.json')).toThrow('m/sidecar.json: aging.lightness.flipAverage must be a number in 0..1, got 1.5');
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, latentSamples: 2.5 }, 'm/sidecar.json')).toThrow('latentSamples must be a whole number, got 2.5');
    expect(() => lightnessFromSpec('latentSpread=4', DEFAULT_LIGHTNESS)).toThrow(/latentSpread must be a number in 0..3/);
    expect(parseLightness({ ...DEFAULT_LIGHTNESS, flipAverage: 1, flipMin: 0.5 }, 'f')).toMatchObject({ flipAverage: 1, flipMin: 0.5 });
  });
});
