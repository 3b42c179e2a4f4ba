import { describe, expect, it } from 'vitest';
import { colourChange, rgbToLab } from '../ml/eval/colour-change.js';
import { maskWidth } from '../ml/aging/detail-change.js';
import { agingFigures } from '../ml/eval/aging-metrics.js';

const S = 48;

function filled(rgb: [number, number, number]): Uint8Array {
  const out = new Uint8Array(S * S * 3);
  for (let i = 0; i < S * S; i++) out.set(rgb, i * 3);
  return out;
}

function disc(radius: number): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if ((x + 0.5 - S / 2) ** 2 + (y + 0.5 - S / 2) ** 2 <= radius ** 2) m[y * S + x] = 255;
  return m;
}

describe('the colour figure: mean |a*| + |b*| change inside the face after a blur of 2 % of its width', () => {
  it('CIELAB of reference colours (D65): white, grey and sRGB red', () => {
    const white = rgbToLab(255, 255, 255);
    expect(white[0]).toBeCloseTo(100, 2);
    expect(Math.abs(white[1]) + Math.abs(white[2])).toBeLessThan(0.01);
    const [l, a, b] = rgbToLab(128, 128, 128);
    expect(l).toBeCloseTo(53.59, 1);
    expect(Math.abs(a) + Math.abs(b)).toBeLessThan(0.01);
    const red = rgbToLab(255, 0, 0);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('is 0 for an unchanged face and for a change of lightness alone (greying, lines, darkening)', () => {
    const mask = disc(18);
    const face = filled([180, 140, 120]);
    expect(colourChange(face, face, mask, S)).toBe(0);
    expect(colourChange(filled([100, 100, 100]), filled([160, 160, 160]), mask, S)).toBeLessThan(1e-3);
  });

  it('a grey face tinted red reads the red\'s |a*| + |b*|; only the masked face counts, weighted by the mask', () => {
    const mask = disc(18);
    expect(colourChange(filled([128, 128, 128]), filled([255, 0, 0]), mask, S)).toBeCloseTo(80.09 + 67.2, 0);
    // A tint outside the mask does not count; a tint over the left half of the face counts half.
    const half = filled([128, 128, 128]);
    for (let y = 0; y < S; y++) for (let x = 0; x < S / 2; x++) half.set([255, 0, 0], (y * S + x) * 3);
    const figure = colourChange(filled([128, 128, 128]), half, mask, S);
    expect(figure).toBeGreaterThan(0.45 * 147.3);
    expect(figure).toBeLessThan(0.55 * 147.3);
    const outside = filled([128, 128, 128]);
    for (let i = 0; i < S * S; i++) if (mask[i] === 0) outside.set([255, 0, 0], i * 3);
    // The blur (its smallest, about 1.4 px here) lets only the face's rim see the red around it.
    expect(colourChange(filled([128, 128, 128]), outside, mask, S)).toBeLessThan(0.1 * 147.3);
  });

  it('fine colour noise is blurred before it is compared: the blur is 2 % of the face width', () => {
    expect(maskWidth(disc(18), S)).toBe(36);
    // Alternate columns +-20 in red: per pixel |a*| changes a lot, but after the blur almost nothing is left.
    const before = filled([140, 120, 110]);
    const after = filled([140, 120, 110]);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) after[(y * S + x) * 3] = x % 2 ? 160 : 120;
    const wide = new Uint8Array(S * S).fill(255);
    expect(colourChange(before, after, wide, S)).toBeLessThan(3);
  });
});

describe('the mean per-face slope beside the median', () => {
  it('FaceRes answers in steps: the median sits on a step, the mean does not', () => {
    const faces = [0, 0.5, 0.5, 1].map((k) => ({ sourceAge: 30, targets: [20, 40, 60], estimated: [30, 30 + 20 * k, 30 + 40 * k], distances: [0.3, 0.3, 0.3], colour: [1, 2, 3] }));
    faces.push({ sourceAge: 30, targets: [20, 40, 60], estimated: [30, 30, 30], distances: [0.3, 0.3, 0.3], colour: [1, 2, 3] });
    const f = agingFigures(faces);
    expect(f.slope).toBe(0.5);
    expect(f.meanSlope).toBeCloseTo(0.4, 6);
    expect(f.colour).toBeCloseTo(2, 6);
    expect(f.byTarget.map((t) => t.colour)).toEqual([1, 2, 3]);
    expect(f.colourAligned).toBeNaN();
  });

  it('the geometry-aligned colour figure is averaged apart from the colour figure, per target', () => {
    const faces = [0.2, 0.6].map((a) => ({ sourceAge: 5, targets: [20, 60], estimated: [20, 40], distances: [0.3, 0.3], colour: [2, 4], colourAligned: [a, 2 * a] }));
    const f = agingFigures(faces);
    expect(f.colour).toBeCloseTo(3, 6);
    expect(f.colourAligned).toBeCloseTo(0.6, 6);
    expect(f.byTarget.map((t) => t.colourAligned)).toEqual([0.4, 0.8].map((v) => expect.closeTo(v, 6)));
  });
});
