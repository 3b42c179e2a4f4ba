import { describe, expect, it } from 'vitest';
import { imageMetrics, psnr, ssim } from '../ml/eval/image-metrics.js';
import { agingFigures, differentPeopleShare, leastSquaresSlope } from '../ml/eval/aging-metrics.js';

function ramp(w: number, h: number): Float32Array {
  const a = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) a[(y * w + x) * 3 + c] = ((x * 7 + y * 3 + c * 11) % 64) / 63;
  return a;
}

describe('reconstruction metrics', () => {
  const w = 32;
  const h = 32;
  const a = ramp(w, h);

  it('identical images: mse 0, ssim 1, psnr capped', () => {
    const m = imageMetrics(a, a, w, h);
    expect(m.mse).toBe(0);
    expect(m.l1).toBe(0);
    expect(m.ssim).toBeCloseTo(1, 6);
    expect(m.psnr).toBe(100);
  });

  it('a constant offset of 0.1: mse 0.01, l1 0.1, psnr 20 dB, ssim below 1', () => {
    const b = a.map((v) => v + 0.1);
    const m = imageMetrics(a, b, w, h);
    expect(m.mse).toBeCloseTo(0.01, 6);
    expect(m.l1).toBeCloseTo(0.1, 6);
    expect(m.psnr).toBeCloseTo(20, 4);
    expect(m.ssim).toBeLessThan(1);
    expect(m.ssim).toBeGreaterThan(0.5);
  });

  it('ssim drops for noise and for a flat image', () => {
    let seed = 1;
    const noisy = a.map((v) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return v + (seed / 2147483648 - 0.5) * 0.6;
    });
    const flat = new Float32Array(a.length).fill(0.5);
    const sNoise = ssim(a, noisy, w, h, 3);
    const sFlat = ssim(a, flat, w, h, 3);
    expect(sNoise).toBeLessThan(0.8);
    expect(sFlat).toBeLessThan(0.1);
    expect(psnr(0.001)).toBeCloseTo(30, 6);
  });
});

describe('aging figures', () => {
  it('slope, MAE and identity share from known readings', () => {
    const targets = [20, 30, 40, 50];
    const faces = [
      { sourceAge: 25, targets, estimated: [20, 30, 40, 50], distances: [0.3, 0.4, 0.5, 0.7] },
      { sourceAge: 45, targets, estimated: [35, 40, 45, 50], distances: [0.2, 0.2, 0.2, 0.2] },
      { sourceAge: 65, targets, estimated: [30, 30, 30, 30], distances: [0.9, 0.9, 0.1, 0.1] },
    ];
    const f = agingFigures(faces);
    expect(f.slope).toBeCloseTo(0.5, 10); // slopes 1, 0.5, 0 -> median 0.5
    expect(f.mae).toBeCloseTo((0 + (15 + 10 + 5 + 0) + (10 + 0 + 10 + 20)) / 12, 10);
    expect(f.samePerson).toBeCloseTo(9 / 12, 10);
    expect(f.byTarget.map((t) => t.target)).toEqual(targets);
    expect(f.byTarget[0]!.meanEstimated).toBeCloseTo(85 / 3, 10);
    expect(leastSquaresSlope([1, 2, 3], [2, 4, 6])).toBeCloseTo(2, 10);
  });

  it('different-people share skips pairs of the same person', () => {
    const d = (v: number): Float32Array => Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? v : 0));
    const res = differentPeopleShare([d(0), d(0.1), d(0.2), d(5)], ['a', 'a', 'b', 'c']);
    // pairs of different people: (0,2) 0.2 close, (0,3) far, (1,2) 0.1 close, (1,3) far, (2,3) far
    expect(res.pairs).toBe(5);
    expect(res.share).toBeCloseTo(2 / 5, 10);
  });
});
