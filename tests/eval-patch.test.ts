import { describe, expect, it } from 'vitest';
import { PATCH_DEPTH, patchShare } from '../ml/eval/patch-figure.js';
import { agingFigures } from '../ml/eval/aging-metrics.js';
import { labToRgb, rgbToLab } from '../ml/aging/lab.js';

const S = 128;
const C = S / 2;
const SKIN: [number, number, number] = [200, 150, 125];
const [L0, A0, B0] = rgbToLab(...SKIN);

/** A face of even skin with its lightness moved by `dl(x, y)` L* levels (its a*, b* kept). */
function face(dl: (x: number, y: number) => number = () => 0): Uint8Array {
  const out = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) out.set(labToRgb(L0 + dl(x, y), A0, B0).map((v) => Math.round(Math.min(255, Math.max(0, v)))), (y * S + x) * 3);
  return out;
}

/** The face mask: a disc 100 px wide. */
const mask = Uint8Array.from({ length: S * S }, (_, i) => (((i % S) + 0.5 - C) ** 2 + (Math.floor(i / S) + 0.5 - C) ** 2 <= 50 ** 2 ? 255 : 0));
const inside = mask.reduce((s, v) => s + (v ? 1 : 0), 0);
const gauss = (d2: number, s: number): number => Math.exp(-d2 / (2 * s * s));

describe('the patch figure: share of the face in blobs, not lines, of the lightness change', () => {
  it('is 0 for an unchanged face, a line, a broad darkening and fine grain', () => {
    const before = face();
    expect(patchShare(before, before, mask, S)).toBe(0);
    // A wrinkle 12 levels deep, 2 px wide, 60 px long.
    const wrinkle = face((x, y) => (Math.abs(y - C) < 30 ? -12 * gauss((x - C) ** 2, 2) : 0));
    expect(patchShare(before, wrinkle, mask, S)).toBe(0);
    // The whole face 10 levels darker, smoothly (shading).
    expect(patchShare(before, face((x, y) => -10 * gauss((x - C) ** 2 + (y - C) ** 2, 60)), mask, S)).toBe(0);
    // Pixel grain of +-6 levels.
    expect(patchShare(before, face((x, y) => ((x * 7 + y * 13) % 3) * 6 - 6), mask, S)).toBe(0);
  });

  it('counts a dark blob and a bright one as about their area; shallow blobs do not count', () => {
    const before = face();
    const blobAt = (depth: number) => face((x, y) => depth * gauss((x - 40) ** 2 + (y - 50) ** 2, 5) + depth * gauss((x - 85) ** 2 + (y - 80) ** 2, 5));
    const dark = patchShare(before, blobAt(-15), mask, S);
    // Two blobs of sigma 5 px: each counts where its mid band is 3+ levels deep, a disc some 8-10 px across.
    expect(dark).toBeGreaterThan((100 * 2 * Math.PI * 3 ** 2) / inside);
    expect(dark).toBeLessThan((100 * 2 * Math.PI * 8 ** 2) / inside);
    expect(patchShare(before, blobAt(15), mask, S)).toBeCloseTo(dark, 0);
    expect(patchShare(before, blobAt(-PATCH_DEPTH / 2), mask, S)).toBe(0);
  });

  it('is averaged per target by the eval figures', () => {
    const faces = [1, 3].map((p) => ({ sourceAge: 5, targets: [20, 60], estimated: [20, 40], distances: [0.3, 0.3], patch: [p, 2 * p] }));
    const f = agingFigures(faces);
    expect(f.patch).toBeCloseTo(3, 6);
    expect(f.byTarget.map((t) => t.patch)).toEqual([2, 4]);
    expect(agingFigures([{ sourceAge: 5, targets: [20], estimated: [20], distances: [0.3] }]).patch).toBeNaN();
  });
});
