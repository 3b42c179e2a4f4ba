import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFaces, type PersonMask } from '../ml/prep/detect.js';
import { applyAffine, invertAffine, type Affine } from '../ml/prep/geometry.js';
import { feather } from '../ml/prep/masks.js';
import { loadPhoto } from '../ml/prep/photo.js';
import { confidenceFromMask, faceSegmentRequest, prepareFace } from '../ml/prep/prepare-face.js';
import { normalizePrepSettings } from '../ml/prep/settings.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';

/** A mask whose value at mask px (u, v) is 2u (u < 128) or 250: left half a ramp, right half flat. */
function rampMask(side: number): Buffer {
  const data = Buffer.alloc(side * side);
  for (let v = 0; v < side; v++) for (let u = 0; u < side; u++) data[v * side + u] = u < side / 2 ? Math.min(255, 2 * u) : 250;
  return data;
}

describe('person mask from the detection call', () => {
  it('samples the crop from a turned region, and refuses a region that misses part of the crop', () => {
    const side = 256;
    // Region: centre (500, 400), 200 px square, turned 90 degrees (its x axis points down the photo).
    const mask: PersonMask = { region: { cx: 500, cy: 400, side: 200, angle: Math.PI / 2 }, side, data: rampMask(side) };
    // Crop 64 px = source square 50 px around (500, 400), not turned: crop px -> source px.
    const inverse: Affine = [50 / 64, 0, 475, 0, 50 / 64, 375];
    const conf = confidenceFromMask(mask, inverse, 64)!;
    expect(conf).not.toBeNull();
    // Crop pixel (x, y) -> source (475 + 0.78x, 375 + 0.78y); mask u grows with source y (turned 90 degrees).
    const at = (x: number, y: number): number => conf[y * 64 + x]!;
    const expected = (x: number, y: number): number => {
      const [, sy] = applyAffine(inverse, [x + 0.5, y + 0.5]);
      const u = ((sy - 400) * side) / 200 + side / 2 - 0.5;
      return u < side / 2 - 1 ? 2 * u : 250;
    };
    expect(Math.abs(at(10, 5) - expected(10, 5))).toBeLessThanOrEqual(1);
    expect(Math.abs(at(40, 20) - expected(40, 20))).toBeLessThanOrEqual(1);
    expect(at(30, 60)).toBe(250);
    // same row of the crop = same mask column: constant along x
    expect(at(0, 10)).toBe(at(63, 10));

    const off: Affine = [50 / 64, 0, 575, 0, 50 / 64, 375];
    expect(confidenceFromMask(mask, off, 64)).toBeNull();
    expect(confidenceFromMask({ ...mask, data: Buffer.alloc(10) }, inverse, 64)).toBeNull();
  });

  it('feathers exactly as the clamped running-sum definition', () => {
    const size = 40;
    const hard = Buffer.alloc(size * size);
    for (let y = 8; y < 30; y++) hard.fill(255, y * size + 5, y * size + 33);
    const r = 2;
    // Reference: three clamped box blurs of radius r per axis, straight from the definition.
    let a = Float64Array.from(hard);
    const clamp = (i: number): number => Math.max(0, Math.min(size - 1, i));
    for (let pass = 0; pass < 3; pass++) {
      const b = new Float64Array(size * size);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += a[y * size + clamp(x + k)]!;
        b[y * size + x] = s / (2 * r + 1);
      }
      a = new Float64Array(size * size);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += b[clamp(y + k) * size + x]!;
        a[y * size + x] = s / (2 * r + 1);
      }
    }
    // sigma 2.2 gives radius 2 (three boxes of width 5)
    const out = feather(hard, size, 2.2);
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - a[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    expect(out[20 * size + 20]).toBe(255);
    expect(out[0]).toBe(0);
  });
});

describe('detection and segmentation in one page call', () => {
  const host = visionHostForSuite();

  it('returns the landmarker graph score, and a person mask on the most prominent face only', async () => {
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/006A69.JPG'));
    const settings = normalizePrepSettings({ size: 128 });
    const req = faceSegmentRequest(settings);
    const res = await host.detect(photo.direct ?? photo, { segmentFace: req });
    expect(res.faces).toHaveLength(1);
    const face = res.faces[0]!;
    expect(face.score).toBeGreaterThan(0.7);
    expect(face.box).not.toBeNull();
    expect(res.stages?.segment).toBeGreaterThan(0);
    const mask = face.mask!;
    expect(mask.side).toBe(req.maskSide);
    const bytes = mask.data;
    expect(bytes.length).toBe(mask.side * mask.side);
    // The region is centred below the eyes, turned with the eye line, extent x inter-ocular distance wide.
    const le = [face.points[468 * 3]!, face.points[468 * 3 + 1]!];
    const re = [face.points[473 * 3]!, face.points[473 * 3 + 1]!];
    const iod = Math.hypot(re[0]! - le[0]!, re[1]! - le[1]!);
    expect(mask.region.side).toBeCloseTo(req.extent * iod, 3);
    expect(mask.region.angle).toBeCloseTo(Math.atan2(re[1]! - le[1]!, re[0]! - le[0]!), 6);
    expect(mask.region.cy).toBeGreaterThan((le[1]! + re[1]!) / 2);
    // person in the middle, background in the top corners
    const n = mask.side;
    expect(bytes[Math.round(n * 0.55) * n + n / 2]).toBeGreaterThan(200);
    expect(bytes[3 * n + 3]).toBeLessThan(60);
    expect(bytes[3 * n + n - 4]).toBeLessThan(60);
    // without the request: no mask, no segment stage
    const plain = await host.detect(photo.direct ?? photo);
    expect(plain.faces[0]!.mask).toBeUndefined();
    expect(plain.faces[0]!.score).toBe(face.score);
  });

  it('cuts crops from the detection-time mask that match the separate segmenter call', async () => {
    const settings = normalizePrepSettings({ size: 128 });
    const files = fs.readdirSync(path.join(FGNET_DIR, 'images')).sort().slice(0, 12);
    let used = 0;
    let areaDiff = 0;
    for (const f of files) {
      const photo = await loadPhoto(path.join(FGNET_DIR, 'images', f));
      const [face] = await detectFaces(host, photo, { segmentFace: faceSegmentRequest(settings) });
      expect(face?.personMask, f).toBeDefined();
      const inverse = invertAffine((await prepareFace(host, photo, face!, settings)).transform);
      expect(confidenceFromMask(face!.personMask!, inverse, 128), f).not.toBeNull();
      used++;
      const fused = await prepareFace(host, photo, face!, settings);
      const { personMask: _unused, ...withoutMask } = face!;
      const separate = await prepareFace(host, photo, withoutMask, settings);
      let diff = 0;
      for (let i = 0; i < fused.crop.length; i++) diff += Math.abs(fused.crop[i]! - separate.crop[i]!);
      // The two segmenter inputs are resampled differently, so single masks differ a little; on average they agree.
      expect(diff / fused.crop.length, f).toBeLessThan(10);
      expect(Math.abs(fused.signals.faceArea - separate.signals.faceArea), f).toBeLessThan(0.15);
      areaDiff += Math.abs(fused.signals.faceArea - separate.signals.faceArea);
    }
    expect(used).toBe(files.length);
    expect(areaDiff / files.length).toBeLessThan(0.05);
  });
});
