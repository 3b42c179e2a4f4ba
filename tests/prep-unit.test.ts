import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, fitSimilarity, invertAffine, type Affine, type Point } from '../ml/prep/geometry.js';
import { warpAffine } from '../ml/prep/warp.js';
import { alignmentTransform, templatePoints } from '../ml/prep/template.js';
import { claheRgb } from '../ml/prep/lighting.js';
import { hammingHex, perceptualHash, qualityFlags, qualityScore, type QualitySignals } from '../ml/prep/quality.js';
import { feather, fillPolygon } from '../ml/prep/masks.js';
import { DEFAULT_PREP_SETTINGS, normalizePrepSettings } from '../ml/prep/settings.js';
import { parsePoints } from '../ml/prep/pipeline.js';
import { keypointsFromLandmarks, poseFromPoints } from '../ml/prep/detect.js';

function similarity(s: number, theta: number, tx: number, ty: number): Affine {
  return [s * Math.cos(theta), -s * Math.sin(theta), tx, s * Math.sin(theta), s * Math.cos(theta), ty];
}

describe('geometry', () => {
  it('fits the similarity that generated the points, and inverts/composes it', () => {
    const t = similarity(0.37, 0.4, 12.5, -40);
    const src: Point[] = [[100, 200], [180, 190], [150, 250], [120, 290], [175, 285]];
    const dst = src.map((p) => applyAffine(t, p));
    const fit = fitSimilarity(src, dst);
    fit.forEach((v, i) => expect(v).toBeCloseTo(t[i]!, 9));
    const id = composeAffine(invertAffine(fit), fit);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(id[i]).toBeCloseTo(v, 9));
  });

  it('is least squares: noise-free points map exactly onto the template', () => {
    const k = { leftEye: [175, 240], rightEye: [271, 236], nose: [234, 306], mouthLeft: [184, 340], mouthRight: [272, 338] } as const;
    const t = alignmentTransform(k as never, 128);
    const tpl = templatePoints(128);
    const le = applyAffine(t, k.leftEye as unknown as Point);
    expect(Math.hypot(le[0] - tpl[0]![0], le[1] - tpl[0]![1])).toBeLessThan(4);
    // the eye line is horizontal in the crop
    const re = applyAffine(t, k.rightEye as unknown as Point);
    expect(Math.abs(re[1] - le[1])).toBeLessThan(1.5);
  });
});

describe('warpAffine (sharp affine)', () => {
  const W = 300;
  const H = 200;
  const pattern = (x: number, y: number): [number, number, number] => [128 + 100 * Math.sin(x / 15), 128 + 100 * Math.cos(y / 13), 128 + 60 * Math.sin((x + y) / 23)];
  const src = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pattern(x + 0.5, y + 0.5).forEach((v, c) => (src[(y * W + x) * 3 + c] = Math.round(v)));

  it.each([
    ['identity-like shift', similarity(1, 0, -50, -30)],
    ['rotated, enlarged', similarity(1.6, 0.3, -100, 10)],
    ['rotated, shrunk (pre-shrink path)', similarity(0.45, -0.2, 5, 30)],
    ['partly outside the photo', similarity(1, 0.1, 40, 20)],
  ])('samples the source at the mapped pixel centres: %s', async (_name, t) => {
    const N = 64;
    const out = await warpAffine({ width: W, height: H, channels: 3, data: src }, t, N, 7);
    const inv = invertAffine(t);
    let err = 0;
    let n = 0;
    let outsideGrey = 0;
    let outside = 0;
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const [sx, sy] = applyAffine(inv, [x + 0.5, y + 0.5]);
        if (sx < -1 || sy < -1 || sx > W + 1 || sy > H + 1) {
          outside++;
          if (out[(y * N + x) * 3] === 7) outsideGrey++;
          continue;
        }
        if (sx < 3 || sy < 3 || sx > W - 3 || sy > H - 3) continue;
        pattern(sx, sy).forEach((v, c) => {
          err += Math.abs(out[(y * N + x) * 3 + c]! - v);
          n++;
        });
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect(err / n).toBeLessThan(2);
    expect(outsideGrey).toBe(outside);
  });
});

describe('lighting, masks and hashes', () => {
  it('CLAHE stretches a low-contrast image and keeps chroma differences', () => {
    const S = 64;
    const rgb = Buffer.alloc(S * S * 3);
    for (let i = 0; i < S * S; i++) {
      const v = 100 + ((i % S) * 20) / S;
      rgb[i * 3] = v + 10;
      rgb[i * 3 + 1] = v;
      rgb[i * 3 + 2] = v - 10;
    }
    const out = claheRgb(rgb, S, S, { clipLimit: 4, tiles: 2, strength: 1 });
    const lum = (b: Buffer, i: number): number => 0.299 * b[i * 3]! + 0.587 * b[i * 3 + 1]! + 0.114 * b[i * 3 + 2]!;
    const range = (b: Buffer): number => lum(b, S * 10 + S - 1) - lum(b, S * 10);
    expect(range(out)).toBeGreaterThan(range(rgb) * 2);
    expect(out[0]! - out[2]!).toBeGreaterThanOrEqual(18);
  });

  it('fills polygons at pixel centres and feathers them', () => {
    const m = fillPolygon([[2, 2], [10, 2], [10, 6], [2, 6]], 12);
    let on = 0;
    for (const v of m) if (v === 255) on++;
    expect(on).toBe(8 * 4);
    const f = feather(m, 12, 1.5);
    expect(f[4 * 12 + 6]).toBeGreaterThan(150);
    expect(f[4 * 12 + 1]).toBeGreaterThan(0);
    expect(f[4 * 12 + 1]).toBeLessThan(200);
  });

  it('gives near-identical images near-identical hashes and different images distant ones', () => {
    const img = (f: (x: number, y: number) => number): Float32Array => {
      const a = new Float32Array(32 * 32);
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) a[y * 32 + x] = f(x, y);
      return a;
    };
    const a = perceptualHash(img((x, y) => 128 + 60 * Math.sin(x / 4) * Math.cos(y / 6)));
    const b = perceptualHash(img((x, y) => 131 + 58 * Math.sin(x / 4) * Math.cos(y / 6) + ((x * 7 + y) % 3)));
    const c = perceptualHash(img((x, y) => 128 + 60 * Math.cos(x / 3 + y / 5)));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(hammingHex(a, b)).toBeLessThanOrEqual(4);
    expect(hammingHex(a, c)).toBeGreaterThan(12);
  });
});

describe('signals, flags, settings, points', () => {
  const good: QualitySignals = { score: 0.95, faceCount: 1, yaw: 3, pitch: 2, roll: 1, interOcular: 90, blur: 300, brightness: 130, contrast: 30, outside: 0, faceArea: 0.7 };
  it('flags what is wrong and ranks worse crops lower', () => {
    expect(qualityFlags(good)).toEqual([]);
    const bad = { ...good, faceCount: 2, yaw: 60, interOcular: 15, blur: 10, brightness: 30 };
    expect(qualityFlags(bad)).toEqual(['several-faces', 'profile', 'tiny', 'blurry', 'dark']);
    expect(qualityScore(bad, qualityFlags(bad))).toBeLessThan(qualityScore(good, []) / 4);
    expect(qualityScore(good, ['duplicate'])).toBeCloseTo(qualityScore(good, []) / 2, 3);
  });

  it('validates settings and fills defaults', () => {
    expect(normalizePrepSettings(undefined)).toEqual(DEFAULT_PREP_SETTINGS);
    const s = normalizePrepSettings({ size: 64, background: { enabled: false } });
    expect(s.size).toBe(64);
    expect(s.background).toEqual({ ...DEFAULT_PREP_SETTINGS.background, enabled: false });
    expect(() => normalizePrepSettings({ size: 100 })).toThrow(/64, 128 or 256/);
    expect(() => normalizePrepSettings({ lighting: { clipLimit: -1 } })).toThrow(/clipLimit/);
  });

  it('parses --points and rejects malformed lists', () => {
    expect(parsePoints('1,2,3,4,5,6,7,8,9,10')).toEqual({ leftEye: [1, 2], rightEye: [3, 4], nose: [5, 6], mouthLeft: [7, 8], mouthRight: [9, 10] });
    expect(() => parsePoints('1,2,3')).toThrow(/ten numbers/);
    expect(() => parsePoints('1,2,3,4,5,6,7,8,9,x')).toThrow(/ten numbers/);
  });

  it('computes a frontal pose near zero and a turned one clearly', () => {
    const pts = new Array<number>(478 * 3).fill(0);
    const set = (i: number, x: number, y: number, z: number): void => {
      pts[i * 3] = x;
      pts[i * 3 + 1] = y;
      pts[i * 3 + 2] = z;
    };
    const lm: Point[] = Array.from({ length: 478 }, () => [0, 0] as Point);
    lm[468] = [80, 100];
    lm[473] = [120, 100];
    const k = keypointsFromLandmarks(lm);
    set(234, 50, 120, 0);
    set(454, 150, 120, 0);
    set(10, 100, 60, 0);
    set(152, 100, 190, 0);
    expect(Math.abs(poseFromPoints(pts, k).yaw)).toBeLessThan(1);
    set(234, 50, 120, -40);
    set(454, 110, 120, 40);
    expect(Math.abs(poseFromPoints(pts, k).yaw)).toBeGreaterThan(45);
    expect(poseFromPoints(pts, k).roll).toBeCloseTo(0, 5);
  });
});
