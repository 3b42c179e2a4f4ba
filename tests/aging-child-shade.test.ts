import { describe, expect, it } from 'vitest';
import { limitShading, widenedZone } from '../ml/aging/child-shade.js';
import { DEFAULT_LIGHTNESS, lightnessFromSpec, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';
import { prototypeOnlyChange } from './helpers/prototype-lightness.js';

const S = 96;
const FACE = 80;
const n = S * S;

const gauss = (x: number, y: number, cx: number, cy: number, sigma: number): number => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));

/**
 * An old mean face's shading over a child's cheek: `depth` levels of broad change round (48, 48) (sigma 14 px), with a
 * thin line 10 levels deep across it (row 48, 1 px wide) and one beside it on flat skin (row 80).
 */
function shading(depth: number): Float32Array {
  const p = new Float32Array(n * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const v = depth * gauss(x, y, 48, 48, 14) - (y === 48 || y === 80 ? 10 : 0);
    for (let c = 0; c < 3; c++) p[(y * S + x) * 3 + c] = v;
  }
  return p;
}

const at = (d: Float32Array, x: number, y: number): number => d[(y * S + x) * 3]!;

/** The lightness change of the prototypes' `change` alone, for a source and target age, with the settings in `spec` (and a feature zone). */
function change(spec: string, prototype: Float32Array, source = 2, target = 70, features: Float32Array | null = null): Float32Array {
  return prototypeOnlyChange(spec, prototype, { size: S, faceWidth: FACE, source, target, weights: { tone: 0 }, features });
}

/** A feature zone round (48, 40) (an eye: 1 within 8 px, falling off as a Gaussian of 3 px beyond), nothing elsewhere. */
function eyeZone(): Float32Array {
  const z = new Float32Array(n);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) z[y * S + x] = Math.exp(-(Math.max(0, Math.hypot(x - 48, y - 40) - 8) ** 2) / 18);
  return z;
}

describe('childShade: going older from a child, the broad shading is held to a few levels and lines stay', () => {
  it('without it the broad darkening is drawn at its full depth', () => {
    expect(at(change('', shading(-20)), 48, 40)).toBeLessThan(-16);
  });

  it('with it the broad darkening is held near the limit; a line across it keeps its depth below the skin beside it', () => {
    const d = change('childShade=4', shading(-20));
    expect(at(d, 48, 40)).toBeGreaterThan(-5.5);
    expect(at(d, 48, 40)).toBeLessThan(-2.5);
    const lineDepth = at(d, 48, 48) - (at(d, 48, 45) + at(d, 48, 51)) / 2;
    expect(lineDepth).toBeLessThan(-8);
    // On flat skin the line keeps its depth too (the blur of a 1-px line is shallow, so the limit barely touches it).
    expect(at(d, 20, 80) - at(d, 20, 77)).toBeLessThan(-8);
  });

  it('holds broad lightening the same way (pale wax), both ways with the same limit', () => {
    const d = change('childShade=4', shading(15));
    expect(at(d, 48, 40)).toBeLessThan(5.5);
    expect(at(d, 48, 40)).toBeGreaterThan(2.5);
    expect(at(change('', shading(15)), 48, 40)).toBeGreaterThan(12);
  });

  it('fades out with the source age: half at 15, none from 20; going younger it does nothing', () => {
    const full = at(change('', shading(-20), 15), 48, 40);
    const limited = at(change('childShade=4', shading(-20), 2), 48, 40);
    const half = at(change('childShade=4', shading(-20), 15), 48, 40);
    expect(half).toBeCloseTo((full + limited) / 2, 0);
    expect(at(change('childShade=4', shading(-20), 20), 48, 40)).toBeCloseTo(full, 5);
    const l = lightnessFromSpec('childShade=4', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 20, 70).shade).toBeUndefined();
    expect(lightnessWeights(l, 40, 10).shade).toBeUndefined();
    expect(lightnessWeights(l, 5, 3).shade).toBeUndefined();
    expect(lightnessWeights(l, 5, 60).shade).toEqual({ limit: 4, share: 1 });
  });

  it('a model without it ages as before', () => {
    const l = lightnessFromSpec('', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 2, 70).shade).toBeUndefined();
    const a = change('', shading(-20));
    const b = change('childShadeBlur=0.1', shading(-20));
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('a wider blur leaves more of the mid-size shading', () => {
    const narrow = at(change('childShade=4,childShadeBlur=0.02', shading(-20)), 48, 40);
    const wide = at(change('childShade=4,childShadeBlur=0.25', shading(-20)), 48, 40);
    expect(narrow).toBeGreaterThan(-5.5);
    expect(wide).toBeLessThan(narrow - 3);
  });

  it('childShadeFeatures keeps the shading round the features and limits it on the skin away from them', () => {
    const zone = eyeZone();
    const full = change('', shading(-20), 2, 70, zone);
    const limitedEverywhere = change('childShade=4', shading(-20), 2, 70, zone);
    const kept = change('childShade=4,childShadeFeatures=1', shading(-20), 2, 70, zone);
    // At the eye the shading stays whole; 20 px below it (the cheek) it is held as without the setting.
    expect(at(kept, 48, 40)).toBeCloseTo(at(full, 48, 40), 0);
    expect(at(limitedEverywhere, 48, 40)).toBeGreaterThan(-5.5);
    expect(at(kept, 48, 60)).toBeCloseTo(at(limitedEverywhere, 48, 60), 0);
    expect(at(kept, 48, 60)).toBeGreaterThan(at(full, 48, 60) + 4);
    // Without a feature zone (a face with no landmarks) the setting changes nothing.
    expect(Array.from(change('childShade=4,childShadeFeatures=1', shading(-20)))).toEqual(Array.from(change('childShade=4', shading(-20))));
  });

  it('widenedZone is at most the share and reaches past the points by about the blur', () => {
    const z = widenedZone(eyeZone(), S, 3, 0.5);
    expect(Math.max(...z)).toBeCloseTo(0.5, 5);
    expect(z[40 * S + 48 + 12]!).toBeGreaterThan(0.2);
    expect(z[40 * S + 48 + 30]!).toBeLessThan(0.01);
  });

  it('limitShading with share 0 or no limit leaves the change alone', () => {
    const d = shading(-20);
    const copy = d.slice();
    limitShading(d, S, 3, 4, 0);
    limitShading(d, S, 3, 0, 1);
    expect(Array.from(d)).toEqual(Array.from(copy));
  });

  it('out-of-range values are errors that name the setting', () => {
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, childShade: 61 }, 'sidecar.json')).toThrow(/aging\.lightness\.childShade must be a number in 0\.\.60/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, childShadeBlur: 0 }, 'sidecar.json')).toThrow(/childShadeBlur must be a number in 0\.01\.\.0\.3/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, childShadeFeatures: 1.5 }, 'sidecar.json')).toThrow(/childShadeFeatures must be a number in 0\.\.1/);
  });
});
