import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agePhoto } from '../ml/aging/age-photo.js';
import { chooseModel, loadAgingModel } from '../ml/aging/model.js';
import { detectFaces } from '../ml/prep/detect.js';
import { loadPhoto, type Photo } from '../ml/prep/photo.js';
import type { RawImage } from '../ml/estimators/image.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { collectFrames } from './helpers/collect-frames.js';

/**
 * Proportions read by MediaPipe on an output: eyes (iris midpoint) to chin, and eyes to nose tip, each over the face's
 * width (points 234-454). A child's lower face and nose are short for its width; they lengthen as it grows up.
 */
async function proportions(host: ReturnType<typeof visionHostForSuite>, img: RawImage): Promise<{ chin: number; nose: number }> {
  const photo: Photo = { data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), width: img.width, height: img.height, channels: 3, format: 'raw', orientation: 1, source: null, direct: null };
  const [face] = await detectFaces(host, photo);
  if (!face) throw new Error('no face found in an output frame');
  const L = face.landmarks;
  const width = Math.hypot(L[234]![0] - L[454]![0], L[234]![1] - L[454]![1]);
  const eyes = [(L[468]![0] + L[473]![0]) / 2, (L[468]![1] + L[473]![1]) / 2];
  const from = (i: number): number => Math.hypot(L[i]![0] - eyes[0]!, L[i]![1] - eyes[1]!);
  return { chin: from(152) / width, nose: from(1) / width };
}

describe('shape aging with the default model’s age prototypes', () => {
  const host = visionHostForSuite();

  it('grows a child’s face into an adult’s, and leaves the photo outside the faded region byte-identical', async () => {
    const model = await loadAgingModel(chooseModel(tempDir('shape-data'), undefined));
    expect(model.prototypes?.source).toBe('model');
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/053A04.JPG'));
    const out = collectFrames();
    await agePhoto(host, model, photo, { ages: [4, 30], sourceAge: 4, gender: 'male', texture: false }, out.sinks);
    const [young, adult] = out.frames[0]!;
    const before = await proportions(host, young!);
    const after = await proportions(host, adult!);
    // Measured 0.72 -> 0.81 (chin) and 0.29 -> 0.33 (nose) for this boy aged from 4 to 30.
    expect(after.chin - before.chin).toBeGreaterThan(0.05);
    expect(after.nose - before.nose).toBeGreaterThan(0.025);
    // A band along the photo's top edge lies far outside the face and its fade.
    const band = photo.width * 3 * 10;
    expect(Buffer.compare(Buffer.from(adult!.data.subarray(0, band)), photo.data.subarray(0, band))).toBe(0);
    const changed = adult!.data.reduce((n, v, i) => n + (v !== photo.data[i] ? 1 : 0), 0);
    expect(changed).toBeGreaterThan(0.02 * adult!.data.length);
  });

  it('keeps the photo’s geometry with shape off', async () => {
    const model = await loadAgingModel(chooseModel(tempDir('shape-data'), undefined));
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/053A04.JPG'));
    const out = collectFrames();
    await agePhoto(host, model, photo, { ages: [30], sourceAge: 4, gender: 'male', texture: false, shape: false }, out.sinks);
    const [frame] = out.frames[0]!;
    expect(Buffer.compare(Buffer.from(frame!.data), photo.data)).toBe(0);
  });
});
