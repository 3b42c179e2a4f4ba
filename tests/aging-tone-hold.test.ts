import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, holdTone, lightnessFromSpec, lightnessWeights } from '../ml/aging/detail-change.js';
import { prototypeOnlyChange } from './helpers/prototype-lightness.js';

const S = 96;
const FACE = 80;

/** The prototypes' grey change: the whole crop 12 levels darker (a broad darkening) and a dark line 2 px wide, 15 levels deep, down column 48. */
function darkeningWithLine(): Float32Array {
  const p = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const v = -12 - 15 * Math.exp(-((x - 48) ** 2) / (2 * 2 * 2));
    for (let c = 0; c < 3; c++) p[(y * S + x) * 3 + c] = v;
  }
  return p;
}

const at = (d: Float32Array, x: number, y: number): number => d[(y * S + x) * 3]!;

describe('toneHold: going older, the change\'s broad darkening is taken out and its lines stay', () => {
  const prototype = darkeningWithLine();
  const change = (spec: string, source: number, target: number): Float32Array => prototypeOnlyChange(spec, prototype, { size: S, faceWidth: FACE, source, target });

  it('without it the broad darkening stays', () => {
    const d = change('toneHold=0', 40, 70);
    expect(at(d, 20, 48)).toBeCloseTo(-12, 1);
  });

  it('with it the skin away from the line keeps its lightness and the line keeps its depth against it', () => {
    const d = change('toneHold=1', 40, 70);
    expect(Math.abs(at(d, 20, 48))).toBeLessThan(3);
    expect(at(d, 48, 48) - at(d, 20, 48)).toBeLessThan(-12);
  });

  it('never turns a darkening into a lightening: no pale halo beside a strong dark band', () => {
    // A hairline 30 levels darker along rows 10-19 over skin darkened by 2 levels: the blur of the band spreads below it.
    const d = new Float32Array(S * S * 3);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) d[(y * S + x) * 3 + c] = y >= 10 && y < 20 ? -30 : -2;
    const plain = d.slice();
    holdTone(d, S, 1, 0.15 * FACE);
    let lightened = 0;
    for (let i = 0; i < S * S; i++) if (d[i * 3]! > 0) lightened++;
    expect(lightened).toBe(0);
    // The skin just below the band, where a plain subtraction of the blur gave a pale band, keeps at most its own darkening.
    expect(at(d, 48, 24)).toBeLessThanOrEqual(0);
    expect(at(d, 48, 24)).toBeGreaterThanOrEqual(-2);
    // The band itself still weakens by the broad part and stays darker than the skin.
    expect(at(d, 48, 14)).toBeGreaterThan(at(plain, 48, 14));
    expect(at(d, 48, 14)).toBeLessThan(at(d, 48, 40));
  });

  it('with toneNoBoost never strengthens a change either: a lightening beside a broad darkening stays as light as it was', () => {
    // Skin darkened by 10 levels round a spot (rows and columns 40-55) lightened by 4: the hold lifted the spot to about
    // +14 while the darkening beside it stopped at 0, a flat pale plateau with a hard edge.
    const spot = (): Float32Array => {
      const d = new Float32Array(S * S * 3);
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) d[(y * S + x) * 3 + c] = x >= 40 && x < 56 && y >= 40 && y < 56 ? 4 : -10;
      return d;
    };
    const boosted = spot();
    holdTone(boosted, S, 1, 0.15 * FACE, 1, 0);
    expect(at(boosted, 48, 48)).toBeGreaterThan(10);
    const bounded = spot();
    holdTone(bounded, S, 1, 0.15 * FACE, 1, 1);
    expect(at(bounded, 48, 48)).toBeLessThanOrEqual(4);
    expect(at(bounded, 48, 48)).toBeGreaterThan(0);
    for (let i = 0; i < S * S; i++) expect(Math.abs(bounded[i * 3]!)).toBeLessThanOrEqual(10);
    // Only adults: a child's weights leave the boost as it was.
    const l = lightnessFromSpec('toneHold=1,toneNoBoost=1', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 40, 70).noBoost).toBe(1);
    expect(lightnessWeights(l, 5, 40).noBoost).toBe(0);
    expect(() => lightnessFromSpec('toneNoBoost=2', DEFAULT_LIGHTNESS)).toThrow(/toneNoBoost must be a number in 0\.\.1/);
  });

  it('acts only going older', () => {
    const l = lightnessFromSpec('toneHold=1', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 40, 70).tone).toBe(1);
    expect(lightnessWeights(l, 70, 40).tone).toBe(0);
    expect(() => lightnessFromSpec('toneHold=2', DEFAULT_LIGHTNESS)).toThrow(/toneHold must be a number in 0\.\.1/);
  });
});

describe('prototypeGap: between nearby adult ages the prototypes\' texture change shrinks', () => {
  const l = lightnessFromSpec('prototypeGap=20', DEFAULT_LIGHTNESS)!;
  const plain = lightnessFromSpec('', DEFAULT_LIGHTNESS)!;

  it('scales the adult weight by gap^2 / (gap^2 + prototypeGap^2)', () => {
    expect(lightnessWeights(plain, 30, 40).prototype).toBeCloseTo(DEFAULT_LIGHTNESS.prototypeAdult, 5);
    expect(lightnessWeights(l, 30, 40).prototype).toBeCloseTo(DEFAULT_LIGHTNESS.prototypeAdult * (100 / (100 + 400)), 5);
    expect(lightnessWeights(l, 30, 70).prototype).toBeCloseTo(DEFAULT_LIGHTNESS.prototypeAdult * (1600 / (1600 + 400)), 5);
  });

  it('leaves a child growing up and a face made younger alone', () => {
    expect(lightnessWeights(l, 5, 15).prototype).toBeCloseTo(lightnessWeights(plain, 5, 15).prototype, 5);
    expect(lightnessWeights(l, 60, 50).prototype).toBe(lightnessWeights(plain, 60, 50).prototype);
    expect(() => lightnessFromSpec('prototypeGap=50', DEFAULT_LIGHTNESS)).toThrow(/prototypeGap must be a number in 0\.\.40/);
  });
});
