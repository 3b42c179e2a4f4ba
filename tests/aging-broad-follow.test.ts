import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';

const S = 96;
const FACE = 80;
const n = S * S;

const gauss = (x: number, y: number, cx: number, cy: number, sigma: number): number => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));

/** Two decodes (source, target) whose change darkens two blotches (sigma 6 px) by 30 levels, at (28, 48) and (68, 48). */
function decodesWithBlotches(): Float32Array {
  const d = new Float32Array(n * 3 * 2);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const v = (-30 * (gauss(x, y, 28, 48, 6) + gauss(x, y, 68, 48, 6))) / 127.5;
    for (let c = 0; c < 3; c++) d[n * 3 + (y * S + x) * 3 + c] = v;
  }
  return d;
}

/** The prototypes' grey change: 15 levels darker round (68, 48) (where the mean face darkens with age, sigma 8 px), nothing round (28, 48). */
function prototypeDarkening(): Float32Array {
  const p = new Float32Array(n * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) p[(y * S + x) * 3 + c] = -15 * gauss(x, y, 68, 48, 8);
  return p;
}

const at = (d: Float32Array, x: number, y: number): number => d[(y * S + x) * 3]!;

describe('broadFollow: going older from a child, the decoder\'s broad band darkens only where, and about as far as, the prototypes do', () => {
  const prototype = prototypeDarkening();
  const none = new Float32Array(n * 3 * 2);
  const decodes = decodesWithBlotches();
  /** The broad band's share of the change: the change with the decodes minus the change without them. */
  const broadPart = (spec: string, source = 2, target = 70, withBlotches = decodes): Float32Array => {
    const l = lightnessFromSpec(spec, DEFAULT_LIGHTNESS)!;
    const w = { ...lightnessWeights(l, source, target), decoder: 0, broad: 1, prototype: 1, lighten: 0, colour: 0 };
    const run = (d: Float32Array): Float32Array => lightnessChange(l, { size: S, decodes: d, target: 1, gain: 1, prototype, faceWidth: FACE, weights: w });
    const a = run(withBlotches);
    const b = run(none);
    return Float32Array.from(a, (v, i) => v - b[i]!);
  };

  it('without it both blotches are drawn deep', () => {
    const d = broadPart('');
    expect(at(d, 28, 48)).toBeLessThan(-25);
    expect(at(d, 68, 48)).toBeLessThan(-25);
  });

  it('with it the blotch where the mean face does not darken is held near the margin, the one where it darkens keeps about the prototypes\' depth beyond it', () => {
    const d = broadPart('broadFollow=3');
    expect(at(d, 28, 48)).toBeGreaterThan(-3.5);
    expect(at(d, 28, 48)).toBeLessThan(-2);
    expect(at(d, 68, 48)).toBeLessThan(-12);
    expect(at(d, 68, 48)).toBeGreaterThan(-18.5);
  });

  it('broadFollowLighten holds lightening beyond the prototypes\' too; without it lightening passes', () => {
    const light = Float32Array.from(decodes, (v) => -v);
    expect(at(broadPart('broadFollow=3', 2, 70, light), 28, 48)).toBeGreaterThan(25);
    expect(at(broadPart('broadFollow=3,broadFollowLighten=1', 2, 70, light), 28, 48)).toBeLessThan(3.5);
  });

  it('acts only with a child source (the broad band is none from 20 on) and a model without it ages as before', () => {
    const l = lightnessFromSpec('broadFollow=3', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 20, 70).broad).toBe(0);
    const before = broadPart('', 2, 70);
    const withUnset = broadPart('broadFollowLighten=0', 2, 70);
    expect(at(withUnset, 28, 48)).toBeCloseTo(at(before, 28, 48), 5);
  });

  it('out-of-range values are errors that name the setting', () => {
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, broadFollow: 80 }, 'sidecar.json')).toThrow(/aging\.lightness\.broadFollow must be a number in 0\.\.60/);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, broadFollowLighten: -0.1 }, 'sidecar.json')).toThrow(/broadFollowLighten must be a number in 0\.\.1/);
  });
});
