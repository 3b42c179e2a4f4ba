import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights } from '../ml/aging/detail-change.js';
import { scaleOwnDetail } from '../ml/aging/detail-paste.js';
import { coreDetail, faceSoftness, noiseLevel, softened } from '../ml/aging/photo-grain.js';
import { blurPlane } from '../ml/prep/masks.js';

const S = 96;

/** Deterministic standard normals (an LCG and Box-Muller). */
function normals(n: number, seed: number): Float32Array {
  let a = seed;
  const u = (): number => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647;
  };
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

const grey = (plane: Float32Array): Uint8Array => {
  const out = new Uint8Array(plane.length * 3);
  plane.forEach((v, i) => out.fill(Math.max(0, Math.min(255, Math.round(v))), i * 3, i * 3 + 3));
  return out;
};

/** A grey frame: 128 plus grain of `noise` levels, and a dark line `depth` levels deep, 2 px wide, down column 48. */
function frame(noise: number, depth: number): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const n = normals(S * S, 7);
  const plane = Float32Array.from(n, (v, i) => 128 + noise * v - depth * Math.exp(-(((i % S) - 48) ** 2) / 2));
  return { data: grey(plane), width: S, height: S, channels: 3 };
}

const IDENTITY = [1, 0, 0, 0, 1, 0] as const;
const luma = (f: { data: Uint8Array }, x: number, y: number): number => f.data[(y * S + x) * 3]!;

/** Mean squared difference between two frames' first channel away from the line (columns 10..30). */
function grainAdded(a: { data: Uint8Array }, b: { data: Uint8Array }): number {
  let s = 0;
  let k = 0;
  for (let y = 10; y < S - 10; y++) for (let x = 10; x < 30; x++, k++) s += (luma(a, x, y) - luma(b, x, y)) ** 2;
  return s / k;
}

describe('the photo\'s grain: noise alone is not deepened, a line is', () => {
  const gain = new Float32Array(S * S).fill(1);

  it('reads white noise of 5 levels as about 5 through a few lines', () => {
    const n = normals(S * S, 3);
    const band = Float32Array.from(n, (v, i) => 5 * v + ((i % S) % 16 === 0 ? 40 : 0));
    expect(noiseLevel(band)).toBeGreaterThan(4.5);
    expect(noiseLevel(band)).toBeLessThan(5.8);
    expect(noiseLevel(band, new Float32Array(S * S))).toBe(0);
  });

  it('cores small values away and keeps large ones', () => {
    expect(Math.abs(coreDetail(2, 4))).toBeLessThan(0.5);
    expect(coreDetail(-20, 4)).toBeLessThan(-19);
    expect(coreDetail(3, 0)).toBe(3);
  });

  it('deepens grain alone by under a fifth of what it does without coring', () => {
    const f = frame(4, 0);
    const plain = scaleOwnDetail(f, gain, S, [...IDENTITY], 3);
    const cored = scaleOwnDetail(f, gain, S, [...IDENTITY], 3, { core: 2 });
    expect(grainAdded(plain, f)).toBeGreaterThan(5);
    expect(grainAdded(cored, f)).toBeLessThan(0.2 * grainAdded(plain, f));
  });

  it('still deepens a line standing above the grain by at least 80 % of the plain gain', () => {
    const f = frame(2, 30);
    const plain = scaleOwnDetail(f, gain, S, [...IDENTITY], 3);
    const cored = scaleOwnDetail(f, gain, S, [...IDENTITY], 3, { core: 2 });
    const deepen = (g: { data: Uint8Array }): number => {
      let s = 0;
      for (let y = 10; y < S - 10; y++) s += luma(f, 48, y) - luma(g, 48, y);
      return s / (S - 20);
    };
    expect(deepen(plain)).toBeGreaterThan(8);
    expect(deepen(cored)).toBeGreaterThan(0.8 * deepen(plain));
  });

  it('fades detail going younger whatever the coring', () => {
    const f = frame(4, 0);
    const fade = new Float32Array(S * S).fill(-0.5);
    expect(scaleOwnDetail(f, fade, S, [...IDENTITY], 3, { core: 2 }).data).toEqual(scaleOwnDetail(f, fade, S, [...IDENTITY], 3).data);
  });
});

/** A face-like texture: random soft-edged rectangles of many sizes (edges at every scale), sharp. */
function texture(seed: number): Float32Array {
  const n = normals(400 * 5, seed);
  const plane = new Float32Array(S * S).fill(128);
  for (let k = 0; k < 400; k++) {
    const [cx, cy, w, h, v] = [n[k * 5]!, n[k * 5 + 1]!, n[k * 5 + 2]!, n[k * 5 + 3]!, n[k * 5 + 4]!];
    const x0 = Math.floor(S / 2 + cx * 25);
    const y0 = Math.floor(S / 2 + cy * 25);
    const x1 = x0 + 1 + Math.floor(Math.abs(w) * 8);
    const y1 = y0 + 1 + Math.floor(Math.abs(h) * 8);
    for (let y = Math.max(0, y0); y < Math.min(S, y1); y++) for (let x = Math.max(0, x0); x < Math.min(S, x1); x++) plane[y * S + x] = plane[y * S + x]! + 6 * v;
  }
  return plane;
}

describe('the photo\'s sharpness: a soft face reads softer, and the change is softened to it', () => {
  const skin = new Float32Array(S * S).fill(1);

  it('reads a blurred face as softer than the same face sharp, and more so the more it is blurred', () => {
    const sharp = texture(11);
    const soft = (sigma: number): number => faceSoftness(grey(blurPlane(Float32Array.from(sharp), S, sigma)), S, skin);
    const own = faceSoftness(grey(sharp), S, skin);
    expect(own).toBeLessThan(0.5);
    expect(soft(Math.SQRT2)).toBeGreaterThan(own + 0.5);
    expect(soft(Math.sqrt(6))).toBeGreaterThan(soft(Math.SQRT2));
  });

  it('softens a plane keeping its mean, and lowers its finest detail', () => {
    const p = texture(5);
    const s = softened(p, S, 1.2);
    const mean = (a: Float32Array): number => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(s)).toBeCloseTo(mean(p), 3);
    const fine = (a: Float32Array): number => {
      let e = 0;
      for (let i = 1; i < a.length; i++) e += (a[i]! - a[i - 1]!) ** 2;
      return e;
    };
    expect(fine(s)).toBeLessThan(0.6 * fine(p));
    expect(softened(p, S, 0)).toBe(p);
  });

  it('softens the decoder change\'s fine band by sharpMatch times the face\'s softness, keeping its mean; not going younger; checked', () => {
    const decodes = new Float32Array(S * S * 3 * 2);
    const t = texture(9);
    t.forEach((v, i) => decodes.fill((v - 128) / 127.5, (S * S + i) * 3, (S * S + i) * 3 + 3));
    const change = (spec: string, source: number, target: number, softness: number): Float32Array => {
      const l = lightnessFromSpec(spec, DEFAULT_LIGHTNESS)!;
      const w = { ...lightnessWeights(l, source, target), decoder: 1, broad: 0, prototype: 0, lighten: 0, colour: 0 };
      return lightnessChange(l, { size: S, decodes, target: 1, gain: 1, prototype: null, faceWidth: 80, weights: w, softness });
    };
    const sum = (d: Float32Array): number => d.reduce((x, y) => x + y, 0);
    const fine = (d: Float32Array): number => {
      let e = 0;
      for (let i = 3; i < d.length; i += 3) e += (d[i]! - d[i - 3]!) ** 2;
      return e;
    };
    const plain = change('', 40, 70, 1);
    const soft = change('sharpMatch=1.5', 40, 70, 1);
    // The mean level moves by under a hundredth of a level (only the crop's clamped edges differ).
    expect(Math.abs(sum(soft) - sum(plain)) / soft.length).toBeLessThan(0.01);
    expect(fine(soft)).toBeLessThan(0.8 * fine(plain));
    expect(change('sharpMatch=1.5', 40, 70, 0)).toEqual(plain);
    expect(change('sharpMatch=1.5', 70, 40, 1)).toEqual(change('', 70, 40, 1));
    expect(() => lightnessFromSpec('sharpMatch=4', DEFAULT_LIGHTNESS)).toThrow(/sharpMatch must be a number in 0\.\.3/);
    expect(() => lightnessFromSpec('grainCore=-1', DEFAULT_LIGHTNESS)).toThrow(/grainCore must be a number in 0\.\.8/);
  });

  it('leaves a model without the settings as it was: no coring, no softening', () => {
    const w = lightnessWeights(DEFAULT_LIGHTNESS, 40, 70);
    expect(w.core).toBe(0);
    expect(w.soften).toBe(0);
    const l = lightnessFromSpec('grainCore=2,sharpMatch=1', DEFAULT_LIGHTNESS)!;
    expect(lightnessWeights(l, 40, 70).core).toBe(2);
    expect(lightnessWeights(l, 70, 40).core).toBe(0);
  });
});
