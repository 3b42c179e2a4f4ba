import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { DEFAULT_LIGHTNESS, lightnessFromSpec, lightnessWeights, lineGains, linesLost, parseLightness, shapeWeight } from '../ml/aging/detail-change.js';
import { scaleOwnDetail } from '../ml/aging/detail-paste.js';
import { edgeAwareBlur } from '../ml/aging/edge-smooth.js';
import { beardLift } from '../ml/aging/beard-lift.js';
import { prototypeChange } from '../ml/aging/prototype-change.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { MESH_POINTS } from '../ml/shape/mesh.js';
import { defaultModelDir } from '../ml/aging/model.js';
import { skinDetail } from '../ml/eval/skin-detail.js';
import { browKeep } from '../ml/aging/brow-keep.js';
import { BROW_POINTS, EYE_POINTS } from '../ml/shape/mesh.js';

const W = 240;
const H = 200;
/** Photo px per crop px in these tests: the crop covers photo x 40..200, y 20..180. */
const size = 40;
const transform: [number, number, number, number, number, number] = [0.25, 0, -10, 0, 0.25, -5];

/** A grey photo: skin (150) on the left with thin dark lines (2 px, 12 levels darker) every 16 px, dark hair (40) from x = 140 on. */
function skinAndHair(): { data: Uint8Array; width: number; height: number; channels: number } {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = x >= 140 ? 40 : y % 16 < 2 ? 138 : 150;
      data.fill(v, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

const at = (img: { data: Uint8Array }, x: number, y: number): number => img.data[(y * W + x) * 3]!;

describe('going younger: lines fade, edges stay', () => {
  it('the edge-preserving blur is the plain blur on skin and keeps a step between skin and hair', () => {
    const n = 64;
    const plane = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) plane[y * n + x] = x >= 40 ? 40 : y % 8 < 1 ? 140 : 150;
    const smooth = edgeAwareBlur(plane, n, 3, 30);
    // On the skin the line is blurred away (its own detail is nearly all of it)...
    const line = plane[16 * n + 10]! - smooth[16 * n + 10]!;
    expect(line).toBeLessThan(-6);
    // ...but beside the hair the step stays: the blur keeps the pixel as it is, within a few levels of 110.
    expect(Math.abs(plane[20 * n + 39]! - smooth[20 * n + 39]!)).toBeLessThan(12);
    expect(Math.abs(plane[20 * n + 40]! - smooth[20 * n + 40]!)).toBeLessThan(12);
  });

  it('a synthetic line fades at the photo\'s resolution, and the edge between skin and hair stays where a plain blur would halo it', () => {
    const photo = skinAndHair();
    const fade = new Float32Array(size * size).fill(-0.9);
    const sigma = 2;
    const edged = scaleOwnDetail(photo, fade, size, transform, sigma, { edge: 40 });
    const plain = scaleOwnDetail(photo, fade, size, transform, sigma);
    // The line (y = 96, 97) against the skin between lines (y = 104), at x = 100.
    expect(at(photo, 100, 104) - at(photo, 100, 96)).toBe(12);
    expect(at(edged, 100, 104) - at(edged, 100, 96)).toBeLessThan(4);
    // At the edge (a step of 110 levels at x = 140) the edge-preserving fade leaves skin and hair within a tenth of it...
    let worstEdged = 0;
    let worstPlain = 0;
    for (let x = 132; x < 148; x++) {
      worstEdged = Math.max(worstEdged, Math.abs(at(edged, x, 104) - at(photo, x, 104)));
      worstPlain = Math.max(worstPlain, Math.abs(at(plain, x, 104) - at(photo, x, 104)));
    }
    expect(worstEdged).toBeLessThan(12);
    // ...where the plain blur's fade smears it by tens of levels (a bright or dark halo).
    expect(worstPlain).toBeGreaterThan(35);
    // Outside the crop's footprint nothing changes.
    expect(at(edged, 10, 100)).toBe(at(photo, 10, 100));
  });

  it('fine grain finer than `keep` stays while the wider lines fade', () => {
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(150 + (x % 2 ? 6 : -6) + (y % 32 < 8 ? -16 : 0), (y * W + x) * 3, (y * W + x) * 3 + 3);
    const photo = { data, width: W, height: H, channels: 3 };
    const out = scaleOwnDetail(photo, new Float32Array(size * size).fill(-0.9), size, transform, 4, { keep: 0.25 });
    // The 1-px grain keeps most of its 12 levels, the 8-px lines (16 levels, y = 96..103) lose most of theirs.
    expect(Math.abs(at(out, 101, 112) - at(out, 100, 112))).toBeGreaterThan(8);
    expect(at(out, 100, 112) + at(out, 101, 112) - at(out, 100, 100) - at(out, 101, 100)).toBeLessThan(12);
  });

  it('the share of lines smoothed follows the lines the target age lacks; none going older; capped at 0.9', () => {
    expect(linesLost(69, 20)).toBeCloseTo(49 / 69, 6);
    expect(linesLost(69, 10)).toBeCloseTo(49 / 69, 6);
    expect(linesLost(69, 40)).toBeCloseTo(29 / 69, 6);
    expect(linesLost(25, 10)).toBeCloseTo(5 / 25, 6);
    expect(linesLost(18, 5)).toBe(0);
    expect(linesLost(40, 60)).toBe(0);
    const l = { ...DEFAULT_LIGHTNESS, youngerSmooth: 1.2, youngerEdge: 40, beardYounger: 0.8 };
    expect(lightnessWeights(l, 69, 20).smooth).toBeCloseTo(1.2 * (49 / 69), 6);
    expect(lightnessWeights(l, 40, 69).smooth).toBe(0);
    expect(lightnessWeights(DEFAULT_LIGHTNESS, 69, 20).smooth).toBe(0);
    const gains = lineGains(new Float32Array(4).fill(1.2), Float32Array.from([1, 1, 0.5, 0]), 4.5, false, 1.5);
    expect(Array.from(gains).map((v) => v + 0)).toEqual([-0.9, -0.9, -0.45, 0].map((v) => expect.closeTo(v, 6)));
  });

  it('a man\'s beard shadow lifts toward his cheeks going under 20; a woman\'s face, a lit chin and older targets do not', () => {
    const l = { ...DEFAULT_LIGHTNESS, beardYounger: 0.8 };
    expect(lightnessWeights(l, 50, 10, true).beard).toBeCloseTo(0.8, 6);
    expect(lightnessWeights(l, 50, 16, true).beard).toBeCloseTo(0.4, 6);
    expect(lightnessWeights(l, 50, 20, true).beard).toBe(0);
    expect(lightnessWeights(l, 50, 10, false).beard).toBe(0);
    expect(lightnessWeights(l, 12, 5, true).beard).toBe(0);
    const n = 128;
    const crop = new Uint8Array(n * n * 3);
    // Cheeks at 160, the lower face from y = 90 down at 130 (a beard shadow).
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) crop.fill(y >= 90 ? 130 : 160, (y * n + x) * 3, (y * n + x) * 3 + 3);
    const skin = new Float32Array(n * n).fill(1);
    const lift = beardLift(crop, n, skin, 70, 1);
    expect(lift[110 * n + 64]!).toBeGreaterThan(15);
    expect(lift[110 * n + 64]!).toBeLessThanOrEqual(30);
    expect(lift[60 * n + 30]!).toBe(0);
    // A chin lighter than the cheeks is left alone.
    const lit = Uint8Array.from(crop, (v) => (v === 130 ? 190 : v));
    expect(Math.max(...beardLift(lit, n, skin, 70, 1))).toBe(0);
  });

  it('settings: the new keys are optional, checked, and a model without them ages as before', () => {
    const base = parseLightness({ ...DEFAULT_LIGHTNESS }, 'sidecar.json')!;
    expect(base.youngerSmooth).toBeUndefined();
    expect(lightnessFromSpec('youngerSmooth=1.2,youngerEdge=40,beardYounger=0.5,shapeGap=8', base)).toMatchObject({ youngerSmooth: 1.2, youngerEdge: 40, beardYounger: 0.5, shapeGap: 8 });
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, shapeGap: -1 }, 'x/sidecar.json')).toThrow(/x\/sidecar\.json: aging\.lightness\.shapeGap must be a number in 0\.\.40, got -1/);
  });
});

describe('the brows stay', () => {
  it('the smoothing leaves the eyebrows (hair, not lines), the eyes and a margin round them alone, and the cheeks and crow\'s feet to it', () => {
    const p = readPrototypes(defaultModelDir());
    if (!p) throw new Error('the default model has no age prototypes');
    const flat = shapeAt(p, 'female', 40);
    const mesh = Array.from({ length: MESH_POINTS }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as Point);
    const keep = browKeep(mesh, p.size);
    expect(BROW_POINTS.map((b) => b.length)).toEqual([10, 10]);
    for (const brow of BROW_POINTS) {
      const mx = brow.reduce((s, i) => s + mesh[i]![0], 0) / brow.length;
      const my = brow.reduce((s, i) => s + mesh[i]![1], 0) / brow.length;
      expect(keep[Math.round(my) * p.size + Math.round(mx)]).toBe(0);
    }
    // The eyes stay, but not the skin at their outer corners (crow's feet): a point as far again beyond the corner.
    for (const eye of EYE_POINTS) {
      const mx = eye.reduce((s, i) => s + mesh[i]![0], 0) / eye.length;
      const my = eye.reduce((s, i) => s + mesh[i]![1], 0) / eye.length;
      expect(keep[Math.round(my) * p.size + Math.round(mx)]).toBe(0);
      const corner = eye.map((i) => mesh[i]!).reduce((a, b) => (Math.abs(b[0] - mx) > Math.abs(a[0] - mx) ? b : a));
      expect(keep[Math.round(2 * corner[1] - my) * p.size + Math.round(2 * corner[0] - mx)]).toBe(1);
    }
    // A cheek (below the eyes, beside the nose: mesh point 50 and 280) is smoothed in full.
    for (const i of [50, 280]) expect(keep[Math.round(mesh[i]![1]) * p.size + Math.round(mesh[i]![0])]).toBe(1);
  });
});

describe('the adult shape change between nearby ages', () => {
  it('a tiny gap between adults barely moves the face; far gaps and children keep their change', () => {
    expect(shapeWeight(undefined, 65, 60)).toBe(1);
    expect(shapeWeight(8, 60, 60)).toBe(0);
    expect(shapeWeight(8, 65, 60)).toBeCloseTo(25 / 89, 6);
    expect(shapeWeight(8, 69, 20)).toBeGreaterThan(0.97);
    // Children's growth is untouched, going older or younger.
    expect(shapeWeight(8, 5, 40)).toBe(1);
    expect(shapeWeight(8, 40, 5)).toBe(1);
    expect(shapeWeight(8, 9, 12)).toBe(1);
  });

  it('the weight scales the prototypes\' mesh change', () => {
    const p = readPrototypes(defaultModelDir());
    if (!p) throw new Error('the default model has no age prototypes');
    const flat = shapeAt(p, 'male', 66);
    const mesh = Array.from({ length: MESH_POINTS }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as Point);
    const crop = new Uint8Array(p.size * p.size * 3).fill(128);
    const reach = (w: number): number => {
      const f = prototypeChange(p, p.size, crop, mesh, 'male', 66, [20], { shape: true, texture: 0, shapeWeights: [w] }).fields[0]!;
      return Math.max(...f.dx.map(Math.abs), ...f.dy.map(Math.abs));
    };
    const full = reach(1);
    expect(full).toBeGreaterThan(0.5);
    expect(reach(0.25) / full).toBeGreaterThan(0.2);
    expect(reach(0.25) / full).toBeLessThan(0.3);
    expect(reach(0)).toBe(0);
  });
});

describe('the skin-detail figure', () => {
  it('is higher for skin with lines than for the same skin smooth, and ignores the face outside the mask', () => {
    const n = 96;
    const mask = new Uint8Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) mask[y * n + x] = (x - 48) ** 2 / 30 ** 2 + (y - 52) ** 2 / 40 ** 2 < 1 ? 255 : 0;
    const smooth = new Uint8Array(n * n * 3).fill(150);
    const lined = Uint8Array.from(smooth, (v, i) => (Math.floor(i / 3 / n) % 6 === 0 ? v - 15 : v));
    const outside = Uint8Array.from(smooth, (v, i) => (mask[Math.floor(i / 3)] ? v : v + ((Math.floor(i / 3) % 5) - 2) * 10));
    expect(skinDetail(smooth, mask, n)).toBe(0);
    expect(skinDetail(lined, mask, n)).toBeGreaterThan(10);
    expect(skinDetail(outside, mask, n)).toBeLessThan(skinDetail(lined, mask, n) / 10);
  });
});
