import { describe, expect, it } from 'vitest';
import { labToRgb, lightnessOf, rgbToLab } from '../ml/aging/lab.js';
import { holdBlobs, holdBlobsBeyond } from '../ml/aging/line-filter.js';
import { edgeAwareBlur } from '../ml/aging/edge-smooth.js';
import { warpCropImage, type WarpField } from '../ml/shape/warp-field.js';
import { warpPasteBack } from '../ml/aging/warp-paste.js';
import { scaleOwnDetail } from '../ml/aging/detail-paste.js';
import { fineBand, lineGains } from '../ml/aging/detail-change.js';
import { detailRatioMap, type DetailEnergy } from '../ml/aging/detail-energy.js';
import type { Affine } from '../ml/prep/geometry.js';
import type { RawImage } from '../ml/estimators/image.js';
import * as old from './helpers/aging-kernels-reference.js';

// The aging kernels rewritten for speed (issue #21) against their earlier versions (tests/helpers/
// aging-kernels-reference.ts) on random data: the same arithmetic gives the same bits; lab.ts's transfer tables with
// Newton steps land within a few ulps of Math.pow.

/** Deterministic uniform numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

function plane(n: number, seed: number, lo: number, hi: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** A feathered ellipse, 0..255, covering the middle of a size x size crop (0 round its edge). */
function ellipseMask(size: number, rx: number, ry: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot((x + 0.5 - size / 2) / rx, (y + 0.5 - size / 2) / ry);
      m[y * size + x] = Math.round(255 * Math.min(1, Math.max(0, (1.15 - d) / 0.3)));
    }
  }
  return m;
}

/** A smooth warp over the crop grown by 6 px: a bump of up to `amp` px in the middle, zero near its border. */
function bumpField(size: number, amp: number): WarpField {
  const origin = -6;
  const n = size + 12;
  const dx = new Float32Array(n * n);
  const dy = new Float32Array(n * n);
  let x0 = n, y0 = n, x1 = 0, y1 = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const u = (x - n / 2) / (n / 3);
      const v = (y - n / 2) / (n / 3);
      const w = Math.max(0, 1 - u * u - v * v);
      if (w === 0) continue;
      dx[y * n + x] = amp * w * w * Math.sin(3 * v);
      dy[y * n + x] = amp * w * w * Math.cos(2 * u);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
  }
  return { origin, n, dx, dy, box: [x0, y0, x1, y1] };
}

function photo(width: number, height: number, seed: number, mono = false): RawImage {
  const r = random(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const base = 60 + 140 * r();
    for (let c = 0; c < 3; c++) data[i * 3 + c] = mono ? Math.round(base) : Math.round(Math.min(255, base + 30 * (r() - 0.5)));
  }
  return { data, width, height, channels: 3 };
}

/** Source px -> crop px: the crop of side `size` sees a square of `side` photo px at (x, y), turned by `angle`. */
function alignment(size: number, side: number, x: number, y: number, angle: number): Affine {
  const k = size / side;
  const c = Math.cos(angle) * k;
  const s = Math.sin(angle) * k;
  return [c, s, -(c * x + s * y), -s, c, -(-s * x + c * y)];
}

describe('lab.ts: the sRGB transfer from tables refined by Newton steps', () => {
  it('matches the Math.pow formulas within a few ulps, exactly at whole levels', () => {
    const r = random(11);
    let worstL = 0, worstLab = 0, worstRgb = 0;
    for (let k = 0; k < 200000; k++) {
      const [R, G, B] = [255 * r(), 255 * r(), 255 * r()];
      worstL = Math.max(worstL, Math.abs(lightnessOf(R, G, B) - old.oldLightnessOf(R, G, B)));
      const a = rgbToLab(R, G, B);
      const b = old.oldRgbToLab(R, G, B);
      worstLab = Math.max(worstLab, ...a.map((v, i) => Math.abs(v - b[i]!)));
      const [L, A, Bb] = [100 * r(), 120 * r() - 60, 120 * r() - 60];
      const c = labToRgb(L, A, Bb);
      const d = old.oldLabToRgb(L, A, Bb);
      worstRgb = Math.max(worstRgb, ...c.map((v, i) => Math.abs(v - d[i]!)));
    }
    expect(worstL).toBeLessThan(1e-11);
    expect(worstLab).toBeLessThan(1e-10);
    expect(worstRgb).toBeLessThan(1e-9);
    for (let v = 0; v < 256; v++) expect(lightnessOf(v, 255 - v, (v * 7) % 256)).toBe(old.oldLightnessOf(v, 255 - v, (v * 7) % 256));
    // Out of range (a change pushed past white or black before clamping) and the dark linear segments.
    for (const v of [-20, -0.5, 0.3, 5.5, 10.2, 255.5, 300]) expect(rgbToLab(v, v, v)).toEqual(old.oldRgbToLab(v, v, v));
    for (const l of [-5, 0, 0.5, 120]) {
      const [a, b] = [labToRgb(l, 0, 0), old.oldLabToRgb(l, 0, 0)];
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-9);
    }
  });
});

describe('plane kernels in plain loops give the same bits', () => {
  const S = 64;
  const p = plane(S * S, 3, -12, 12);
  it('the line filter, with and without the spread of what it holds back', () => {
    expect(holdBlobs(p, S, [1.2, 2.4], 0.7)).toEqual(old.oldHoldBlobs(p, S, [1.2, 2.4], 0.7));
    expect(holdBlobs(p, S, [1.2, 2.4], 0.7, 3)).toEqual(old.oldHoldBlobs(p, S, [1.2, 2.4], 0.7, 3));
    expect(holdBlobsBeyond(p, S, 6, [2.4, 4.8], 0.5, 2)).toEqual(old.oldHoldBlobsBeyond(p, S, 6, [2.4, 4.8], 0.5, 2));
  });
  it('the edge-aware blur, the fine band, the line gains and the detail-energy ratio map', () => {
    const img = plane(S * S, 5, 0, 255);
    expect(edgeAwareBlur(img, S, 3, 12)).toEqual(old.oldEdgeAwareBlur(img, S, 3, 12));
    expect(fineBand(p, S, 2.5)).toEqual(old.oldFineBand(p, S, 2.5));
    const ratio = plane(S * S, 7, 0.6, 1.6);
    const skin = plane(S * S, 9, 0, 1);
    expect(lineGains(ratio, skin, 2, true)).toEqual(old.oldLineGains(ratio, skin, 2, true));
    expect(lineGains(ratio, skin, 2, false, 0.4)).toEqual(old.oldLineGains(ratio, skin, 2, false, 0.4));
    const grid = 8;
    const cells = (seed: number): number[] => [...plane(grid * grid, seed, 1, 90)];
    const energy: DetailEnergy = {
      format: 'chronoface-detail-energy',
      version: 1,
      size: S,
      sigma: 1,
      grid,
      knots: [10, 30, 60],
      energy: { male: [cells(1), cells(2), cells(3)], female: [cells(4), cells(5), cells(6)] },
      weights: { male: [1, 1, 1], female: [1, 1, 1] },
      crops: 3,
    };
    expect(detailRatioMap(energy, 'male', 25, 55, S)).toEqual(old.oldDetailRatioMap(energy, 'male', 25, 55, S));
  });
});

describe('warps and pastes give the same bytes', () => {
  const size = 48;
  const field = bumpField(size, 2.5);
  it('warpCropImage of bytes and floats, 3 channels and 1', () => {
    const crop = photo(size, size, 13).data;
    expect(warpCropImage(crop, size, 3, field)).toEqual(old.oldWarpCropImage(crop, size, 3, field));
    const delta = plane(size * size * 3, 15, -20, 20);
    expect(warpCropImage(delta, size, 3, field)).toEqual(old.oldWarpCropImage(delta, size, 3, field));
    const gains = plane(size * size, 17, -0.9, 1.5);
    expect(warpCropImage(gains, size, 1, field)).toEqual(old.oldWarpCropImage(gains, size, 1, field));
  });

  const mask = ellipseMask(size, 15, 19);
  const delta = { size, data: plane(size * size * 3, 19, -25, 25) };
  const cases: { name: string; img: RawImage; t: Affine }[] = [
    { name: 'a face inside a larger photo, turned', img: photo(150, 170, 21), t: alignment(size, 90, 30, 40, 0.2) },
    { name: 'a face cut by the photo edge, 3 photo px per crop px', img: photo(120, 100, 23), t: alignment(size, 144, -20, 10, -0.1) },
    { name: 'a monochrome photo', img: photo(110, 110, 25, true), t: alignment(size, 70, 20, 20, 0.05) },
  ];
  for (const { name, img, t } of cases) {
    it(`warpPasteBack and scaleOwnDetail: ${name}`, () => {
      const pasted = warpPasteBack(img, delta, mask, t, field);
      expect(pasted.data).toEqual(old.oldWarpPasteBack(img, delta, mask, t, field).data);
      const r = random(27);
      // The gain is 0 off the skin (beyond the ellipse), as lineGains makes it.
      const gain = Float32Array.from(mask, (m) => (m > 128 ? 1.6 * r() - 0.8 : 0));
      for (const band of [{}, { edge: 14, keep: 0.8 }]) {
        for (const sigma of [1.2, 3.5]) {
          const mine = scaleOwnDetail(pasted, gain, size, t, sigma, band);
          expect(mine.data).toEqual(old.oldScaleOwnDetail(pasted, gain, size, t, sigma, band).data);
        }
      }
      expect(scaleOwnDetail(pasted, new Float32Array(size * size), size, t, 2).data).toEqual(pasted.data);
    });
  }
});
