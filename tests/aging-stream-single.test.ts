import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageAlignedFace, pasteMask, photoFrames, withHair } from '../ml/aging/age-face.js';
import { largestFace, orderFaces } from '../ml/aging/age-photo.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../ml/aging/model.js';
import { encodeGif } from '../ml/aging/writers.js';
import type { RawImage } from '../ml/estimators/image.js';
import { detectFaces } from '../ml/prep/detect.js';
import { applyAffine } from '../ml/prep/geometry.js';
import { loadPhoto, type Photo } from '../ml/prep/photo.js';
import { prepareFace } from '../ml/prep/prepare-face.js';
import { agePhotoToFiles } from '../workflows/age.js';
import { REPO_ROOT, tempDir } from './helpers/env.js';
import { pythonWithPillow } from './helpers/export-catalogue.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';

const AGES = [10, 35, 60, 80];
const FPS = 6;

interface Decoded {
  width: number;
  height: number;
  frames: number;
  durations: number[];
  loop: number;
  pixels: Buffer;
}

/** The GIF as Pillow shows it: every frame drawn over the last, as RGB. */
function decodeWithPillow(gif: string): Decoded {
  const raw = `${gif}.rgb`;
  const out = execFileSync(pythonWithPillow(), [path.join(REPO_ROOT, 'tests/helpers/read-gif.py'), gif, raw]);
  return { ...(JSON.parse(out.toString()) as Omit<Decoded, 'pixels'>), pixels: fs.readFileSync(raw) };
}

const meanAbs = (a: Uint8Array, b: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

describe('single-face aging streams its frames (a real photo, the default model)', () => {
  const host = visionHostForSuite();
  const dir = tempDir('aging-stream-single');
  let model: AgingModel;
  let photoFile = '';
  let photo: Photo;
  /** The frames as the single-face path made them before it streamed: every age pasted onto the whole photo, held together. */
  let before: RawImage[] = [];

  beforeAll(async () => {
    model = await loadAgingModel(chooseModel(path.join(dir, 'data')));
    // An FG-NET photo enlarged to 3 MP: the face is large enough for the detail blur to reach far around it.
    photoFile = path.join(dir, 'man.jpg');
    await sharp(path.join(FGNET_DIR, 'images/006A46.JPG')).resize({ width: 1600 }).jpeg({ quality: 92 }).toFile(photoFile);
    photo = await loadPhoto(photoFile);
    const faces = orderFaces(await detectFaces(host, photo));
    const face = faces[largestFace(faces)]!;
    const prepared = await prepareFace(host, photo, face, model.prep, { faceCount: faces.length });
    // The hair's plan as the product makes it (the default model greys hair): the frames carry the hair's paste too.
    const aligned = await withHair(model, {}, photo, { crop: prepared.crop, size: prepared.size, transform: prepared.transform, faceMask: prepared.faceMask, landmarks: face.landmarks.map((p) => applyAffine(prepared.transform, p)) }, () => prepared.personContext);
    expect(aligned.hair).not.toBeNull();
    const aged = await ageAlignedFace(model, aligned, { ages: AGES, sourceAge: 30, gender: 'male' });
    expect(aged.detailGains.some(Boolean)).toBe(true);
    before = photoFrames(photo, aligned, aged, pasteMask(model, aligned, {}));
  }, 300_000);

  afterAll(() => model?.cvae.dispose());

  it('writes the same frames as before: each frame PNG and the strip pixel for pixel, and the GIF shows them (decoded by Pillow)', async () => {
    const out = path.join(dir, 'out');
    const files = { gif: path.join(out, 'aging.gif'), strip: path.join(out, 'strip.png'), cropGif: path.join(out, 'crop.gif'), framesDir: out };
    const stages: string[] = [];
    const { aged, faces } = await agePhotoToFiles({
      host,
      model,
      photo: photoFile,
      options: { ages: AGES, sourceAge: 30, gender: 'male' },
      fps: FPS,
      files: () => files,
      catalogue: null,
      onProgress: (p) => stages.push(p.stage),
    });
    expect(aged.faces).toHaveLength(1);
    expect(stages).toEqual(['detect', 'align', 'decode', 'compose', 'encode', 'encode']);
    const { width: W, height: H } = photo;
    const page = W * H * 3;

    // Every frame PNG holds exactly the frame the path made before.
    expect(faces[0]!.frames.map((f) => path.basename(f.file))).toEqual(['00-age10.png', '01-age35.png', '02-age60.png', '03-age80.png']);
    for (const [k, f] of faces[0]!.frames.entries()) {
      const png = await sharp(f.file).raw().toBuffer({ resolveWithObject: true });
      expect([png.info.width, png.info.height, png.info.channels]).toEqual([W, H, 3]);
      expect(Buffer.compare(png.data, Buffer.from(before[k]!.data))).toBe(0);
    }
    // The strip: the same frames side by side.
    const strip = await sharp(files.strip, { limitInputPixels: false }).raw().toBuffer({ resolveWithObject: true });
    expect([strip.info.width, strip.info.height]).toEqual([W * AGES.length, H]);
    for (let y = 0; y < H; y += 97) {
      for (const [k, f] of before.entries()) {
        const row = strip.data.subarray((y * W * AGES.length + k * W) * 3, (y * W * AGES.length + (k + 1) * W) * 3);
        expect(Buffer.compare(row, Buffer.from(f.data.subarray(y * W * 3, (y + 1) * W * 3)))).toBe(0);
      }
    }

    // The GIF, decoded by Pillow, against the GIF the path wrote before (sharp's encoder on the frames held together).
    const oldGif = path.join(dir, 'before.gif');
    fs.writeFileSync(oldGif, await encodeGif(before, { fps: FPS }));
    const now = decodeWithPillow(files.gif);
    const old = decodeWithPillow(oldGif);
    // The same animation: size, loop, frame count (ping-pong: 0 1 2 3 2 1) and timing.
    expect({ ...now, pixels: null }).toEqual({ ...old, pixels: null });
    expect(now.frames).toBe(2 * AGES.length - 2);
    const order = [0, 1, 2, 3, 2, 1];
    let changedSomewhere = 0;
    for (const [p, k] of order.entries()) {
      const shown = now.pixels.subarray(p * page, (p + 1) * page);
      const want = before[k]!.data;
      // Each shown frame is its frame up to the palette's rounding, as close as before's encoding got.
      const err = meanAbs(shown, want);
      const oldErr = meanAbs(old.pixels.subarray(p * page, (p + 1) * page), want);
      expect(err).toBeLessThan(2.5);
      expect(err).toBeLessThan(oldErr + 0.5);
      if (p > 0) changedSomewhere += meanAbs(shown, now.pixels.subarray(0, page)) > 0 ? 1 : 0;
    }
    // The face ages on screen: every later frame differs from the first.
    expect(changedSomewhere).toBe(order.length - 1);
    // Where no frame changes the photo, every frame shows the first frame's pixels.
    let outsideDiffers = 0;
    let outside = 0;
    for (let i = 0; i < W * H; i += 7) {
      if ([0, 1, 2].some((c) => before.some((f) => f.data[i * 3 + c] !== photo.data[i * 3 + c]))) continue;
      outside++;
      for (let p = 1; p < order.length; p++) if (now.pixels[p * page + i * 3] !== now.pixels[i * 3]) outsideDiffers++;
    }
    expect(outsideDiffers).toBe(0);
    // The portrait is mostly face: a tenth of it is never touched.
    expect(outside).toBeGreaterThan((W * H) / 7 / 10);
    // The crop GIF: one frame per age of the aligned crop.
    const crop = decodeWithPillow(files.cropGif);
    expect([crop.width, crop.height, crop.frames]).toEqual([model.size, model.size, 2 * AGES.length - 2]);
  });

  it('without a frames folder the strip is spooled beside it and the spooled frames removed, also when the run fails', async () => {
    const out = path.join(dir, 'out2');
    await agePhotoToFiles({ host, model, photo: photoFile, options: { ages: AGES, sourceAge: 30, gender: 'male' }, files: () => ({ gif: path.join(out, 'a.gif'), strip: path.join(out, 'a.png') }), catalogue: null });
    const strip = await sharp(path.join(out, 'a.png'), { limitInputPixels: false }).raw().toBuffer({ resolveWithObject: true });
    expect([strip.info.width, strip.info.height]).toEqual([photo.width * AGES.length, photo.height]);
    const y = Math.round(photo.height / 2);
    const row = strip.data.subarray(y * strip.info.width * 3 + 2 * photo.width * 3, y * strip.info.width * 3 + 3 * photo.width * 3);
    expect(Buffer.compare(row, Buffer.from(before[2]!.data.subarray(y * photo.width * 3, (y + 1) * photo.width * 3)))).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['a.gif', 'a.png']);
    // The GIF cannot be written (a folder has its name): the run fails after the last frame, and no spool is left.
    const bad = path.join(dir, 'out3');
    fs.mkdirSync(path.join(bad, 'b.gif'), { recursive: true });
    await expect(
      agePhotoToFiles({ host, model, photo: photoFile, options: { ages: AGES, sourceAge: 30, gender: 'male' }, files: () => ({ gif: path.join(bad, 'b.gif'), strip: path.join(bad, 'b.png') }), catalogue: null }),
    ).rejects.toThrow();
    expect(fs.readdirSync(bad)).toEqual(['b.gif']);
  });
});
