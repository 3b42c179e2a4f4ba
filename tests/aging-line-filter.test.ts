import { describe, expect, it } from 'vitest';
import { holdBlobs, holdBlobsBeyond, lineLikeness } from '../ml/aging/line-filter.js';
import { DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights, parseLightness, shadeFactor } from '../ml/aging/detail-change.js';
import { labToRgb, rgbToLab } from '../ml/aging/lab.js';

const S = 96;
const C = S / 2;
const gauss = (d2: number, s: number): number => Math.exp(-d2 / (2 * s * s));
const energy = (p: Float32Array): number => p.reduce((s, v) => s + v * v, 0);

/** A dark diagonal line (a wrinkle) of Gaussian cross-section `width` px, 10 levels deep, 84 px long. */
function line(width: number): Float32Array {
  const p = new Float32Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const across = (x - C - (y - C)) / Math.SQRT2;
    if (Math.abs(x - C + (y - C)) < 60) p[y * S + x] = -10 * gauss(across * across, width);
  }
  return p;
}

/** A dark round blob (a patch) of Gaussian profile `width` px, 10 levels deep. */
function blob(width: number): Float32Array {
  return Float32Array.from({ length: S * S }, (_, i) => -10 * gauss(((i % S) - C) ** 2 + (Math.floor(i / S) - C) ** 2, width));
}

/** Deterministic uniform noise of amplitude `a` (grain). */
function grain(a: number): Float32Array {
  let seed = 7;
  return Float32Array.from({ length: S * S }, () => {
    seed = (seed * 16807) % 2147483647;
    return a * (seed / 2147483647 - 0.5);
  });
}

describe('the line filter: lines and folds survive, blobs and grain are held back', () => {
  const scales = [1.4, 2.8];
  it('a line is line-like on its core, a blob is not anywhere', () => {
    expect(lineLikeness(line(1.5), S, scales)[C * S + C]).toBeGreaterThan(0.8);
    const b = lineLikeness(blob(3), S, scales);
    expect(Math.max(...b)).toBeLessThan(0.3);
  });

  for (const width of [1, 1.5, 2.5]) {
    it(`a line ${width} px wide keeps its depth and most of its energy; a blob twice as wide loses nearly all`, () => {
      const l = line(width);
      const kept = holdBlobs(l, S, scales, 1);
      expect(kept[C * S + C]! / l[C * S + C]!).toBeGreaterThan(0.85);
      expect(energy(kept) / energy(l)).toBeGreaterThan(0.55);
      const b = blob(2 * width);
      const held = holdBlobs(b, S, scales, 1);
      expect(energy(held) / energy(b)).toBeLessThan(0.05);
      expect(held[C * S + C]! / b[C * S + C]!).toBeLessThan(0.15);
    });
  }

  it('grain loses most of its energy; hold 0 changes nothing, hold 0.5 keeps half of a blob', () => {
    const g = grain(10);
    expect(energy(holdBlobs(g, S, scales, 1)) / energy(g)).toBeLessThan(0.1);
    const b = blob(3);
    expect(holdBlobs(b, S, scales, 0)).toBe(b);
    const half = holdBlobs(b, S, scales, 0.5);
    expect(half[C * S + C]! / b[C * S + C]!).toBeGreaterThan(0.5);
    expect(half[C * S + C]! / b[C * S + C]!).toBeLessThan(0.6);
  });

  it('with a spread, what is held comes back as smooth shading: the blob keeps its total darkening, not its depth', () => {
    const b = blob(3);
    const spread = holdBlobs(b, S, scales, 1, 8);
    const sum = (p: Float32Array): number => p.reduce((s, v) => s + v, 0);
    expect(sum(spread) / sum(b)).toBeGreaterThan(0.95);
    expect(spread[C * S + C]! / b[C * S + C]!).toBeLessThan(0.3);
    expect(holdBlobs(b, S, scales, 1, 0)).toEqual(holdBlobs(b, S, scales, 1));
  });

  it('beyond a smooth blur, broad shading stays and a mid-size blob on top of it is held back', () => {
    const shade = Float32Array.from({ length: S * S }, (_, i) => -5 * gauss(((i % S) - C) ** 2 + (Math.floor(i / S) - C) ** 2, 30));
    const b = blob(3);
    const both = Float32Array.from(shade, (v, i) => v + b[i]!);
    const out = holdBlobsBeyond(both, S, 12, [2.8, 5.6], 1);
    // At the centre the broad shading (-5) is left and most of the blob's -10 is gone.
    expect(out[C * S + C]!).toBeGreaterThan(-8);
    expect(out[C * S + C]!).toBeLessThan(-4);
    // Away from the blob the shading is untouched.
    const i = (C + 20) * S + C;
    expect(Math.abs(out[i]! - both[i]!)).toBeLessThan(0.5);
  });
});

describe('line filter and shade in the lightness change', () => {
  it('the new settings are optional and checked; a model without them ages as before', () => {
    const base = parseLightness(DEFAULT_LIGHTNESS, 'sidecar.json')!;
    expect(base.lineHold).toBeUndefined();
    expect(lightnessWeights(base, 30, 70).hold).toBe(0);
    expect(() => lightnessFromSpec('lineHold=1.5', base)).toThrow(/lineHold must be a number in 0\.\.1/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, shadeChroma: -1 }, 'm/sidecar.json')).toThrow(/m\/sidecar.json: aging.lightness.shadeChroma/);
    const l = lightnessFromSpec('lineHold=1,prototypeHold=0.5', base)!;
    expect(lightnessWeights(l, 30, 70).hold).toBe(1);
    expect(lightnessWeights(l, 30, 70).prototypeHold).toBe(0.5);
    // Going younger nothing is held: that path is left as it was.
    expect(lightnessWeights(l, 70, 30).hold).toBe(0);
    expect(lightnessWeights(l, 70, 30).prototypeHold).toBe(0);
  });

  it("an adult's decoder change keeps its line and loses its blob", () => {
    const n = S * S;
    const decodes = new Float32Array(2 * n * 3);
    const l1 = line(1.5);
    const b1 = Float32Array.from({ length: n }, (_, i) => -10 * gauss(((i % S) - 20) ** 2 + (Math.floor(i / S) - 70) ** 2, 3));
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) decodes[n * 3 + i * 3 + c] = (l1[i]! + b1[i]!) / 127.5;
    const base = { ...DEFAULT_LIGHTNESS, fineLimit: 0, fineBlur: 0.08 };
    const run = (l: typeof base) =>
      lightnessChange(l, { size: S, decodes, target: 1, gain: 1, prototype: null, faceWidth: 80, weights: { ...lightnessWeights(l, 40, 80), decoder: 1, broad: 0, prototype: 0 } });
    const before = run(base);
    const after = run({ ...base, lineHold: 1 });
    const atLine = C * S + C;
    const atBlob = 70 * S + 20;
    expect(after[atLine * 3]! / before[atLine * 3]!).toBeGreaterThan(0.85);
    expect(Math.abs(after[atBlob * 3]!)).toBeLessThan(0.2 * Math.abs(before[atBlob * 3]!));
  });

  it('shadeChroma: a darkened warm pixel loses a*, b* as in a shadow; 0 keeps them; lightening keeps them', () => {
    expect(shadeFactor(60, 50, 1)).toBeCloseTo(66 / 76, 6);
    expect(shadeFactor(60, 50, 0)).toBe(1);
    const skin: [number, number, number] = [200, 140, 110];
    const [L, a, b] = rgbToLab(...skin);
    const n = 1;
    const decodes = new Float32Array(2 * 3).fill(0);
    for (let c = 0; c < 3; c++) decodes[3 + c] = -20 / 127.5;
    const chroma = Float32Array.of(a, b);
    const change = (shadeChroma: number, sign = 1) => {
      const d = Float32Array.from(decodes, (v) => v * sign);
      const l = { ...DEFAULT_LIGHTNESS, shadeChroma, fineLimit: 0, fineBlur: 0.001 };
      const w = { ...lightnessWeights(l, 40, 80), decoder: 0, broad: 1, prototype: 0 };
      const delta = lightnessChange(l, { size: n, decodes: d, target: 1, gain: 1, prototype: null, faceWidth: 1, weights: w, crop: { rgb: skin, chroma } });
      return rgbToLab(skin[0] + delta[0]!, skin[1] + delta[1]!, skin[2] + delta[2]!);
    };
    const kept = change(0);
    const shaded = change(1);
    expect(kept[0]).toBeLessThan(L - 5);
    expect(kept[1]).toBeCloseTo(a, 0);
    expect(shaded[0]).toBeCloseTo(kept[0], 0);
    const k = (shaded[0] + 16) / (L + 16);
    expect(shaded[1]).toBeCloseTo(a * k, 0);
    expect(shaded[2]).toBeCloseTo(b * k, 0);
    const lighter = change(1, -1);
    expect(lighter[1]).toBeCloseTo(a, 0);
    expect(labToRgb(L, a, b)[0]).toBeCloseTo(200, 0);
  });
});
