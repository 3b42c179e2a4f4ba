import { describe, expect, it } from 'vitest';
import { cropChroma, DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';
import { lumaPlane } from '../ml/aging/lab.js';
import { brightCeiling } from '../ml/aging/bright-cap.js';

const S = 96;
const FACE = 80;
const HX = 48;
const HY = 40;

/**
 * A warm skin crop (RGB 200, 150, 130) with a specular highlight (a Gaussian spot of sigma 3 px, up to 45 levels
 * lighter, near white) at (48, 40), as on a shiny nose, and a line 2 px wide, 20 levels darker, down column 24.
 */
function skinWithHighlight(): Uint8Array {
  const crop = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const up = 45 * Math.exp(-((x - HX) ** 2 + (y - HY) ** 2) / (2 * 3 * 3)) - 20 * Math.exp(-((x - 24) ** 2) / 2);
    const rgb = [200, 150, 130].map((v) => Math.max(0, Math.min(255, Math.round(v + up))));
    crop.set(rgb, (y * S + x) * 3);
  }
  return crop;
}

/** The prototypes' younger change is relative: the crop times a ratio, here 15 % lighter everywhere. */
const relativeLightening = (crop: Uint8Array): Float32Array => Float32Array.from(crop, (v) => 0.15 * v);

describe('brightCap: going younger, lightening stops at the skin round a pixel', () => {
  const crop = skinWithHighlight();
  const skin = new Float32Array(S * S).fill(1);
  const n = S * S;
  const change = (spec: string): Float32Array => {
    const l = lightnessFromSpec(spec, DEFAULT_LIGHTNESS)!;
    const w = { ...lightnessWeights(l, 60, 10, false), decoder: 0, broad: 0, prototype: 1, colour: 0 };
    const ceiling = w.cap ? brightCeiling(crop, S, skin, { level: 0.02 * FACE, local: 0.06 * FACE }, w.cap) : undefined;
    return lightnessChange(l, { size: S, decodes: new Float32Array(n * 3 * 2), target: 1, gain: 1, prototype: relativeLightening(crop), faceWidth: FACE, weights: w, crop: { rgb: crop, chroma: cropChroma(crop, n) }, ceiling });
  };
  const luma = lumaPlane(crop, n);
  const after = (d: Float32Array): Float32Array => lumaPlane(Float32Array.from(crop, (v, i) => Math.max(0, Math.min(255, v + d[i]!))), n);
  const brightArea = (l: Float32Array, level: number): number => l.filter((v) => v > level).length;
  const top = Math.max(...luma);

  it('without it the highlight whitens and spreads', () => {
    const out = after(change(''));
    expect(out[HY * S + HX]! - luma[HY * S + HX]!).toBeGreaterThan(20);
    expect(brightArea(out, top - 10)).toBeGreaterThan(3 * brightArea(luma, top - 10));
  });

  it('with it no pixel gets brighter than the highlight was, the highlight does not grow, and it gains at most the margin', () => {
    const out = after(change('brightCap=5'));
    expect(Math.max(...out)).toBeLessThanOrEqual(top + 1);
    expect(out[HY * S + HX]! - luma[HY * S + HX]!).toBeLessThan(1);
    expect(brightArea(out, top - 10)).toBeLessThanOrEqual(brightArea(luma, top - 10));
    // Skin as light as the skin round it gains at most the margin.
    expect(out[80 * S + 70]! - luma[80 * S + 70]!).toBeLessThanOrEqual(5.5);
  });

  it('a line darker than the skin round it still lightens toward it', () => {
    const out = after(change('brightCap=5'));
    const line = out[80 * S + 24]! - luma[80 * S + 24]!;
    expect(line).toBeGreaterThan(8);
    // ...and ends no lighter than the skin beside it plus the margin.
    expect(out[80 * S + 24]!).toBeLessThanOrEqual(luma[80 * S + 40]! + 5.5);
  });

  it('going older, and for a model without the setting, nothing is capped', () => {
    const l = lightnessFromSpec('brightCap=5', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 30, 60).cap).toBeUndefined();
    expect(lightnessWeights(l, 60, 20).cap).toEqual({ local: 5, level: 5 });
    expect(lightnessWeights(lightnessFromSpec('brightCap=20,brightLevel=5', DEFAULT_LIGHTNESS)!, 60, 20).cap).toEqual({ local: 20, level: 5 });
    expect(lightnessWeights(DEFAULT_LIGHTNESS, 60, 20).cap).toBeUndefined();
  });

  it('a face already at its bright-skin level is not lifted past it by more than brightLevel, whatever brightCap allows', () => {
    const flat = new Uint8Array(n * 3).fill(220);
    const ceiling = brightCeiling(flat, S, skin, { level: 0.02 * FACE, local: 0.06 * FACE }, { local: 40, level: 3 });
    expect(Math.max(...ceiling)).toBeCloseTo(223, 3);
  });

  it('the settings are optional and range-checked', () => {
    expect(parseLightness({ ...DEFAULT_LIGHTNESS }, 'x.json')!.brightCap).toBeUndefined();
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, brightCap: -1 }, 'x.json')).toThrow(/brightCap must be a number in 0..60/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, brightCap: 61 }, 'x.json')).toThrow(/brightCap/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, brightCap: 10, brightLevel: -2 }, 'x.json')).toThrow(/brightLevel must be a number in 0..60/);
  });
});
