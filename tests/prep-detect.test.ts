import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectFaces, primaryFaceIndex, type DetectedFace } from '../ml/prep/detect.js';
import { evaluateAlignment } from '../ml/prep/eval-align.js';
import { distance } from '../ml/prep/geometry.js';
import { loadPhoto, PhotoError } from '../ml/prep/photo.js';
import { prepareFace } from '../ml/prep/prepare-face.js';
import { normalizePrepSettings } from '../ml/prep/settings.js';
import { DUPLICATE_MAX_DISTANCE, hammingHex } from '../ml/prep/quality.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { makePngClaiming } from './import-fixtures.js';

const PHOTO = path.join(FGNET_DIR, 'images/005A18.JPG');

function meanKeypointShift(a: DetectedFace, b: DetectedFace): number {
  const names = ['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'] as const;
  return names.reduce((s, n) => s + distance(a.keypoints[n], b.keypoints[n]), 0) / names.length;
}

describe('loading photos', () => {
  it('refuses what is not an image and pixel bombs with clear errors', async () => {
    await expect(loadPhoto(Buffer.from('definitely not a jpeg'))).rejects.toThrow(/not an image/);
    const bomb = loadPhoto(makePngClaiming(60000, 60000));
    await expect(bomb).rejects.toBeInstanceOf(PhotoError);
    await expect(loadPhoto(makePngClaiming(60000, 60000))).rejects.toThrow(/too large: 60000x60000/);
    await expect(loadPhoto('/nonexistent/photo.jpg')).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(loadPhoto(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });

  it('turns greyscale and CMYK JPEGs into RGB of the same size', async () => {
    const grey = await sharp(PHOTO).toColourspace('b-w').jpeg().toBuffer();
    const cmyk = await sharp(PHOTO).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const base = await loadPhoto(PHOTO);
    for (const buf of [grey, cmyk]) {
      const p = await loadPhoto(buf);
      expect([p.width, p.height, p.channels, p.data.length]).toEqual([base.width, base.height, 3, base.width * base.height * 3]);
      expect(p.direct === null || p.direct.mime === 'image/jpeg').toBe(true);
    }
    expect((await loadPhoto(cmyk)).direct).toBeNull();
  });
});

describe('detection and alignment on real photos', () => {
  const host = visionHostForSuite();

  it('reaches the FG-NET accuracy figures (pupils 31/36 vs iris centres)', async () => {
    const r = await evaluateAlignment(host, FGNET_DIR);
    expect(r.photos).toBe(73);
    expect(r.detectedFraction).toBeGreaterThanOrEqual(0.99);
    expect(r.median).toBeLessThanOrEqual(0.03);
    expect(r.p95).toBeLessThanOrEqual(0.07);
  });

  it('applies EXIF orientation: orientation 6 gives the same landmarks rotated 90° clockwise', async () => {
    const base = await loadPhoto(PHOTO);
    const [face] = await detectFaces(host, base);
    // Same stored pixels, tagged "rotate 90° CW to display".
    const tagged = await sharp(PHOTO).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const rotated = await loadPhoto(tagged);
    expect(rotated.orientation).toBe(6);
    expect([rotated.width, rotated.height]).toEqual([base.height, base.width]);
    const [rface] = await detectFaces(host, rotated);
    expect(face && rface).toBeTruthy();
    const H = base.height;
    // (x, y) -> (H - y, x)
    const iod = distance(face!.keypoints.leftEye, face!.keypoints.rightEye);
    for (const [name, p] of Object.entries(face!.keypoints)) {
      const expected: [number, number] = [H - p[1], p[0]];
      const got = rface!.keypoints[name as keyof typeof face.keypoints];
      // the image's left/right follow the displayed image, so the eyes swap roles when the face lies on its side
      const candidates = [got, ...Object.values(rface!.keypoints)];
      const best = Math.min(...candidates.map((c) => distance(c, expected)));
      expect(best, name).toBeLessThan(0.06 * iod);
    }
    // Stored pixels rotated back, tagged 6: displays as the original, so landmarks match directly.
    const upright = await sharp(await sharp(PHOTO).rotate(270).jpeg({ quality: 95 }).toBuffer()).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const back = await loadPhoto(upright);
    expect([back.width, back.height]).toEqual([base.width, base.height]);
    const [bface] = await detectFaces(host, back);
    expect(meanKeypointShift(face!, bface!)).toBeLessThan(0.04 * iod);
  });

  it('detects greyscale and CMYK versions at the same place', async () => {
    const base = await loadPhoto(PHOTO);
    const [face] = await detectFaces(host, base);
    const iod = distance(face!.keypoints.leftEye, face!.keypoints.rightEye);
    for (const buf of [await sharp(PHOTO).toColourspace('b-w').jpeg().toBuffer(), await sharp(PHOTO).toColourspace('cmyk').jpeg().toBuffer()]) {
      const faces = await detectFaces(host, await loadPhoto(buf));
      expect(faces).toHaveLength(1);
      expect(meanKeypointShift(face!, faces[0]!)).toBeLessThan(0.05 * iod);
    }
  });

  it('maps detections on a downscaled large photo back to source pixels', async () => {
    const base = await loadPhoto(PHOTO);
    const [face] = await detectFaces(host, base);
    const big = await loadPhoto(await sharp(PHOTO).resize(base.width * 4).jpeg({ quality: 95 }).toBuffer());
    expect(big.width).toBeGreaterThan(1024);
    const [bf] = await detectFaces(host, big);
    for (const [name, p] of Object.entries(face!.keypoints)) {
      const q = bf!.keypoints[name as keyof typeof face.keypoints];
      expect(distance([p[0] * 4, p[1] * 4], q), name).toBeLessThan(0.05 * 4 * distance(face!.keypoints.leftEye, face!.keypoints.rightEye));
    }
  });

  it('finds several faces, the largest and most central first', async () => {
    const a = await sharp(path.join(FGNET_DIR, 'images/006A69.JPG')).resize({ height: 400 }).toBuffer();
    const b = await sharp(path.join(FGNET_DIR, 'images/024A17.JPG')).resize({ height: 260 }).toBuffer();
    const ma = await sharp(a).metadata();
    const group = await sharp({ create: { width: (ma.width ?? 300) + 400, height: 420, channels: 3, background: '#777' } })
      .composite([{ input: a, left: 10, top: 10 }, { input: b, left: (ma.width ?? 300) + 40, top: 120 }])
      .jpeg()
      .toBuffer();
    const photo = await loadPhoto(group);
    const faces = await detectFaces(host, photo);
    expect(faces.length).toBe(2);
    expect(primaryFaceIndex(faces, photo.width, photo.height)).toBe(0);
    expect(faces[0]!.box[2]).toBeGreaterThan(faces[1]!.box[2]);
    expect(faces[0]!.keypoints.leftEye[0]).toBeLessThan(ma.width ?? 300);
    const prepared = await prepareFace(host, photo, faces[0]!, undefined, { faceCount: faces.length });
    expect(prepared.flags).toContain('several-faces');
  });

  it('prepares a 128 px crop with the eyes on the template, a paste-back mask and grey background', async () => {
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/006A69.JPG'));
    const [face] = await detectFaces(host, photo);
    const p = await prepareFace(host, photo, face!);
    expect(p.crop.length).toBe(128 * 128 * 3);
    expect(p.faceMask.length).toBe(128 * 128);
    const meta = await sharp(p.png).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([128, 128, 'png']);
    // transform maps the eyes onto the template (eye line at 42 % height), inverse maps back
    const le = [p.transform[0] * face!.keypoints.leftEye[0] + p.transform[1] * face!.keypoints.leftEye[1] + p.transform[2], p.transform[3] * face!.keypoints.leftEye[0] + p.transform[4] * face!.keypoints.leftEye[1] + p.transform[5]];
    expect(Math.abs(le[1]! - 0.42 * 128)).toBeLessThan(3);
    const back = [p.inverse[0] * le[0]! + p.inverse[1] * le[1]! + p.inverse[2], p.inverse[3] * le[0]! + p.inverse[4] * le[1]! + p.inverse[5]];
    expect(distance(back as [number, number], face!.keypoints.leftEye)).toBeLessThan(1e-6);
    // face mask: on at the nose, off in the corners
    expect(p.faceMask[Math.round(0.55 * 128) * 128 + 64]).toBe(255);
    expect(p.faceMask[2 * 128 + 2]).toBe(0);
    // background corner replaced by neutral grey
    const corner = [p.crop[(2 * 128 + 2) * 3], p.crop[(2 * 128 + 2) * 3 + 1], p.crop[(2 * 128 + 2) * 3 + 2]];
    for (const v of corner) expect(Math.abs(v! - 128)).toBeLessThan(6);
    expect(p.signals.interOcular).toBeGreaterThan(80);
    expect(p.signals.score).toBeGreaterThan(0.7);
    expect(p.quality).toBeGreaterThan(0.5);
    // without background removal the corner keeps the photo
    const raw = await prepareFace(host, photo, face!, normalizePrepSettings({ background: { enabled: false }, lighting: { enabled: false } }));
    expect(hammingHex(raw.phash, p.phash)).toBeLessThanOrEqual(DUPLICATE_MAX_DISTANCE);
    const rawCorner = [raw.crop[(2 * 128 + 2) * 3], raw.crop[(2 * 128 + 2) * 3 + 1], raw.crop[(2 * 128 + 2) * 3 + 2]];
    expect(rawCorner).not.toEqual(corner);
  });
});
