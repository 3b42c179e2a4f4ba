import { describe, expect, it } from 'vitest';
import { imageMetrics, psnr, ssim } from '../ml/eval/image-metrics.js';
import { agingFigures, calibrated, differentPeopleShare, leastSquaresSlope, realFaceFit, realFaceSlope } from '../ml/eval/aging-metrics.js';

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

describe("an estimator's own scale", () => {
  it('fits its line on real faces in the target range, and maps readings back through it', () => {
    // An estimator that reads 20 + 0.5 * age: it sees half of every year.
    const labels = [5, 22, 30, 41, 55, 63, 70, 90];
    const readings = labels.map((a) => 20 + 0.5 * a);
    const fit = realFaceFit(labels, readings, 20, 70)!;
    expect(fit.slope).toBeCloseTo(0.5, 9);
    expect(fit.intercept).toBeCloseTo(20, 9);
    expect(realFaceSlope(labels, readings, 20, 70)).toBeCloseTo(0.5, 9);
    expect(realFaceFit(labels, readings, 60, 70)).toBeNull();
    const outputs = [{ sourceAge: 30, targets: [20, 70], estimated: [30, 55], distances: [0.3, 0.4] }];
    const raw = agingFigures(outputs);
    const own = agingFigures(calibrated(outputs, fit)!);
    expect(raw.slope).toBeCloseTo(0.5, 9);
    expect(own.slope).toBeCloseTo(1, 9);
    expect(own.mae).toBeCloseTo(0, 9);
    expect(calibrated(outputs, { intercept: 40, slope: 0.1 })).toBeNull();
  });
});
