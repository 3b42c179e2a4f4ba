import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agePhoto } from '../ml/aging/age-photo.js';
import { chooseModel, loadAgingModel } from '../ml/aging/model.js';
import { detectFaces } from '../ml/prep/detect.js';
import { loadPhoto, type Photo } from '../ml/prep/photo.js';
import type { RawImage } from '../ml/estimators/image.js';
import { FGNET_DIR, tempDir } from './helpers/env.js';
import { visionHostForSuite } from './helpers/vision-host.js';

/** Face width (cheek to cheek, points 234-454) over the distance between the irises: 2.5 in small children, 2.2 in adults. */
async function widthOverEyes(host: ReturnType<typeof visionHostForSuite>, img: RawImage): Promise<number> {
  const photo: Photo = { data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), width: img.width, height: img.height, channels: 3, format: 'raw', orientation: 1, source: null, direct: null };
  const [face] = await detectFaces(host, photo);
  if (!face) throw new Error('no face found in an output frame');
  const d = (a: number, b: number): number => Math.hypot(face.landmarks[a]![0] - face.landmarks[b]![0], face.landmarks[a]![1] - face.landmarks[b]![1]);
  return d(234, 454) / d(468, 473);
}

describe('shape aging with the default model’s age prototypes', () => {
  const host = visionHostForSuite({ pages: 1 });

  it('grows a child’s face into an adult’s, and leaves the photo outside the faded region byte-identical', async () => {
    const model = await loadAgingModel(chooseModel(tempDir('shape-data'), undefined));
    expect(model.prototypes?.source).toBe('model');
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/053A04.JPG'));
    const res = await agePhoto(host, model, photo, { ages: [4, 30], sourceAge: 4, gender: 'male', texture: false });
    const [young, adult] = res.faces[0]!.frames;
    const before = await widthOverEyes(host, young!);
    const after = await widthOverEyes(host, adult!);
    expect(before).toBeGreaterThan(2.3);
    expect(before - after).toBeGreaterThan(0.12);
    // A band along the photo's top edge lies far outside the face and its fade.
    const band = photo.width * 3 * 10;
    expect(Buffer.compare(Buffer.from(adult!.data.subarray(0, band)), photo.data.subarray(0, band))).toBe(0);
    const changed = adult!.data.reduce((n, v, i) => n + (v !== photo.data[i] ? 1 : 0), 0);
    expect(changed).toBeGreaterThan(0.02 * adult!.data.length);
  });

  it('keeps the photo’s geometry with shape off', async () => {
    const model = await loadAgingModel(chooseModel(tempDir('shape-data'), undefined));
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/053A04.JPG'));
    const res = await agePhoto(host, model, photo, { ages: [30], sourceAge: 4, gender: 'male', texture: false, shape: false });
    const [frame] = res.faces[0]!.frames;
    expect(Buffer.compare(Buffer.from(frame!.data), photo.data)).toBe(0);
  });
});
