import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { cropChroma, DEFAULT_LIGHTNESS, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';
import { lumaPlane } from '../ml/aging/lab.js';
import { greyBeardDarken } from '../ml/aging/grey-beard.js';
import { fillPolygon } from '../ml/prep/masks.js';
import { hull } from '../ml/aging/brow-keep.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { BROW_POINTS, MESH_POINTS } from '../ml/shape/mesh.js';
import { defaultModelDir } from '../ml/aging/model.js';
import { templatePoints } from '../ml/prep/template.js';

const SKIN = [200, 150, 130];
const SHADOW = [150, 110, 95];
const GREY = [170, 170, 170];

describe('greyBeard: going younger, a man\'s grey facial hair darkens toward his brows\' tone', () => {
  const p = readPrototypes(defaultModelDir());
  if (!p) throw new Error('the default model has no age prototypes');
  const n = p.size;
  const flat = shapeAt(p, 'male', 60);
  const mesh = Array.from({ length: MESH_POINTS }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as Point);
  const pts = templatePoints(n);
  const noseY = pts[2]![1];
  const mouthY = (pts[3]![1] + pts[4]![1]) / 2;
  const browColour = (rgb: number[]): Uint8Array => {
    const crop = new Uint8Array(n * n * 3);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      // Grey hair across the upper lip and the chin's sides, a warm shadow (skin, darker) in between.
      const beard = y > noseY + 0.3 * (mouthY - noseY) && y < mouthY + 0.1 * n && Math.abs(x - n / 2) > 0.08 * n;
      const shadow = y > mouthY + 0.1 * n;
      crop.set(beard ? GREY : shadow ? SHADOW : SKIN, (y * n + x) * 3);
    }
    for (const b of BROW_POINTS) {
      const fill = fillPolygon(hull(b.map((i) => mesh[i]!)), n);
      for (let i = 0; i < n * n; i++) if (fill[i]! >= 128) crop.set(rgb, i * 3);
    }
    return crop;
  };
  const mask = new Uint8Array(n * n).fill(255);
  const darken = (crop: Uint8Array): Float32Array => greyBeardDarken(crop, n, mask, mesh, cropChroma(crop, n * n), 1);
  const luma = (rgb: number[]): number => lumaPlane(rgb, 1)[0]!;
  const where = (crop: Uint8Array, rgb: number[]): number[] =>
    Array.from({ length: n * n }, (_, i) => i).filter((i) => crop[i * 3] === rgb[0] && crop[i * 3 + 1] === rgb[1] && crop[i * 3 + 2] === rgb[2]);

  it('grey hair below the nose darkens toward dark brows; warm skin and its shadows do not change', () => {
    const crop = browColour([50, 40, 35]);
    const d = darken(crop);
    const grey = where(crop, GREY);
    expect(grey.length).toBeGreaterThan(50);
    const most = Math.min(...grey.map((i) => d[i]!));
    expect(most).toBeLessThan(-0.6 * (luma(GREY) - luma([50, 40, 35])));
    // Never past the brows' tone.
    expect(Math.min(...grey.map((i) => luma(GREY) + d[i]!))).toBeGreaterThanOrEqual(luma([50, 40, 35]) - 1);
    // Skin and shadow 3 px or more from the grey hair (its chroma is read after a 1-px blur) stay as they are.
    const same = (i: number): boolean => [-3 * n, 3 * n, -3, 3].every((o) => crop[(i + o) * 3] === crop[i * 3] && crop[(i + o) * 3 + 1] === crop[i * 3 + 1]);
    for (const rgb of [SKIN, SHADOW]) expect(Math.max(...where(crop, rgb).filter(same).map((i) => Math.abs(d[i]!)))).toBeLessThan(0.5);
    // Above the nose nothing changes.
    for (let i = 0; i < Math.floor(noseY) * n; i++) expect(d[i]).toBe(0);
  });

  it('nothing when the brows are as light as the beard, or in a grey photo', () => {
    expect(Math.min(...darken(browColour([180, 180, 180])))).toBe(0);
    const colour = browColour([50, 40, 35]);
    const grey = lumaPlane(colour, n * n);
    const bw = Uint8Array.from({ length: n * n * 3 }, (_, i) => Math.round(grey[(i / 3) | 0]!));
    expect(Math.min(...darken(bw))).toBe(0);
  });

  it('only for men going younger to between 12 and 40, full at 20-25; optional and range-checked', () => {
    const l = { ...DEFAULT_LIGHTNESS, greyBeard: 0.6 };
    expect(lightnessWeights(l, 60, 20, true).greyBeard).toBeCloseTo(0.6, 6);
    expect(lightnessWeights(l, 60, 25, true).greyBeard).toBeCloseTo(0.6, 6);
    expect(lightnessWeights(l, 60, 40, true).greyBeard).toBe(0);
    expect(lightnessWeights(l, 60, 10, true).greyBeard).toBe(0);
    expect(lightnessWeights(l, 60, 20, false).greyBeard).toBe(0);
    expect(lightnessWeights(l, 30, 60, true).greyBeard).toBe(0);
    expect(lightnessWeights(DEFAULT_LIGHTNESS, 60, 20, true).greyBeard).toBe(0);
    expect(parseLightness({ ...DEFAULT_LIGHTNESS }, 'x.json')!.greyBeard).toBeUndefined();
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, greyBeard: 1.5 }, 'x.json')).toThrow(/greyBeard must be a number in 0..1/);
  });
});
