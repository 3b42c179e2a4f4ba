import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, lightnessFromSpec, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';
import { prototypeOnlyChange } from './helpers/prototype-lightness.js';
import { capDarkening } from '../ml/aging/dark-cap.js';

const S = 96;
const FACE = 80;

/**
 * The prototypes' grey change: the whole crop 6 levels darker (smooth shading), a blotch (a Gaussian of sigma 4 px,
 * 30 levels deeper) at (30, 48) with a light flank of 10 levels at (42, 48), and a dark line 2 px wide, 3 levels deep,
 * down column 70.
 */
function blotchAndLine(): Float32Array {
  const p = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const r2 = (x - 30) ** 2 + (y - 48) ** 2;
    const f2 = (x - 42) ** 2 + (y - 48) ** 2;
    const v = -6 - 30 * Math.exp(-r2 / 32) + 10 * Math.exp(-f2 / 8) - 3 * Math.exp(-((x - 70) ** 2) / 2);
    for (let c = 0; c < 3; c++) p[(y * S + x) * 3 + c] = v;
  }
  return p;
}

const at = (d: Float32Array, x: number, y: number): number => d[(y * S + x) * 3]!;

describe('darkCap: going older from a child, the change may darken the skin only so far below the change round it', () => {
  const prototype = blotchAndLine();
  const change = (spec: string, source: number, target: number): Float32Array => prototypeOnlyChange(spec, prototype, { size: S, faceWidth: FACE, source, target });

  it('without it the blotch is 30 levels deep', () => {
    const d = change('', 2, 70);
    expect(at(d, 30, 48)).toBeLessThan(-34);
  });

  it('with it the blotch is held near the cap below its neighbourhood, while the smooth shading, a shallow line and the light flank stay', () => {
    const d = change('darkCap=4', 2, 70);
    const plain = change('', 2, 70);
    // The blotch's centre: about the cap below its neighbourhood, which itself dips with the blotch (its blur).
    expect(at(d, 30, 48)).toBeGreaterThan(-25);
    expect(at(d, 30, 48) - at(plain, 30, 48)).toBeGreaterThan(10);
    // Skin far from the blotch keeps the smooth shading.
    expect(at(d, 10, 10)).toBeCloseTo(-6, 1);
    // A line shallower than the cap keeps most of its depth against the skin beside it.
    expect(at(d, 70, 20) - at(d, 80, 20)).toBeLessThan(-2.2);
    // Lightening (the flank) is untouched without darkCapLighten.
    expect(at(d, 42, 48)).toBeCloseTo(at(plain, 42, 48), 3);
  });

  it('darkCapLighten holds the light flank as well', () => {
    const d = change('darkCap=4,darkCapLighten=1', 2, 70);
    const plain = change('', 2, 70);
    expect(at(d, 42, 48)).toBeLessThan(at(plain, 42, 48) - 2);
  });

  it('fades out with the source age: half at 15, none for an adult source, and none going younger', () => {
    const l = lightnessFromSpec('darkCap=4', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 5, 60).dark).toEqual({ cap: 4, share: 1, lighten: 0 });
    expect(lightnessWeights(l, 15, 60).dark?.share).toBeCloseTo(0.5, 6);
    expect(lightnessWeights(l, 20, 60).dark).toBeUndefined();
    expect(lightnessWeights(l, 9, 5).dark).toBeUndefined();
    const adult = change('darkCap=4', 30, 70);
    expect(at(adult, 30, 48)).toBeLessThan(-34);
  });

  it('a model without the setting ages as before', () => {
    const l = lightnessFromSpec('', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 2, 70).dark).toBeUndefined();
  });

  it('the cap itself: a blob of 30 levels below flat surroundings comes out near the cap, a dip of 1 level barely moves', () => {
    const n = 32 * 32;
    const d = new Float32Array(n * 3);
    for (let c = 0; c < 3; c++) d[(16 * 32 + 16) * 3 + c] = -30;
    for (let c = 0; c < 3; c++) d[(4 * 32 + 4) * 3 + c] = -1;
    capDarkening(d, 32, 3, 5, 1);
    expect(d[(16 * 32 + 16) * 3]!).toBeGreaterThan(-6);
    expect(d[(16 * 32 + 16) * 3]!).toBeLessThan(-4);
    expect(d[(4 * 32 + 4) * 3]!).toBeLessThan(-0.9);
  });

  it('out-of-range values are errors that name the setting', () => {
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, darkCap: -1 }, 'sidecar.json')).toThrow(/aging\.lightness\.darkCap must be a number in 0\.\.60/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, darkBlur: 0.5 }, 'sidecar.json')).toThrow(/darkBlur must be a number in 0\.01\.\.0\.3/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, darkCapLighten: 2 }, 'sidecar.json')).toThrow(/darkCapLighten must be a number in 0\.\.1/);
  });
});
