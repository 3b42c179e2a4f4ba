import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent } from '../contract/api.js';
import { createStudioService } from '../app/service.js';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getCropByImage, listCrops } from '../db/crops.js';
import { isHandPlaced, listFaces, listNoFaceImages } from '../db/faces.js';
import { getImage, listImages } from '../db/images.js';
import { importDataset } from '../db/importers/run.js';
import { applyAffine, type Point } from '../ml/prep/geometry.js';
import type { Keypoints as Keypoints5 } from '../domain/keypoints.js';
import { createCropFromPoints, HandPlacedError } from '../ml/prep/noface.js';
import { loadPhoto } from '../ml/prep/photo.js';
import { runPrepare } from '../ml/prep/pipeline.js';
import { prepareFace } from '../ml/prep/prepare-face.js';
import { correlation, luminance } from '../ml/prep/quality.js';
import { normalizePrepSettings } from '../ml/prep/settings.js';
import { templatePoints } from '../ml/prep/template.js';
import { loadTrainingSet } from '../ml/train/data.js';
import type { VisionHost } from '../ml/vision/host.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { runCli } from './helpers/cli.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tmp = tempDirsForFile();

const fg = (f: string): string => path.join(FGNET_DIR, 'images', f);

/** FG-NET's hand-placed points (0-based, image pixels): pupils 31 and 36, nose tip 67, mouth corners 48 and 54. */
function fgnetKeypoints(name: string): Keypoints5 {
  const text = fs.readFileSync(path.join(FGNET_DIR, 'points', `${name.toLowerCase()}.pts`), 'utf8');
  const pts = text.split('{')[1]!.split('}')[0]!.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as Point);
  return { leftEye: pts[31]!, rightEye: pts[36]!, nose: pts[67]!, mouthLeft: pts[48]!, mouthRight: pts[54]! };
}

/** The same anatomical points in the photo turned by 180 degrees (continuous pixel coordinates). */
function turned(k: Keypoints5, width: number, height: number): Keypoints5 {
  const t = (p: Point): Point => [width - p[0], height - p[1]];
  return { leftEye: t(k.leftEye), rightEye: t(k.rightEye), nose: t(k.nose), mouthLeft: t(k.mouthLeft), mouthRight: t(k.mouthRight) };
}

const flat = (k: Keypoints5): string => [k.leftEye, k.rightEye, k.nose, k.mouthLeft, k.mouthRight].flat().map((v) => v.toFixed(2)).join(',');

/** Everything preparation and this feature may write, for "nothing else changed" checks. */
function snapshot(db: Db): string {
  const rows = (sql: string): unknown[] => db.prepare(sql).all();
  return JSON.stringify({
    images: rows('SELECT id, prepare_status, prepare_error, age, gender, split FROM images ORDER BY id'),
    faces: rows('SELECT * FROM faces ORDER BY id'),
    crops: rows('SELECT * FROM crops ORDER BY id'),
    history: rows('SELECT * FROM crop_history ORDER BY id'),
  });
}

function cropFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'crops');
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.png')).sort() : [];
}

describe('a crop from hand-placed points for a photo where no face was found', () => {
  const root = tmp('noface-set');
  const dataDir = tmp('noface-data');
  const turnedName = '082A31';
  let db: Db;
  const host: VisionHost = visionHostForSuite();
  const ids: Record<string, number> = {};
  let turnedSize = { width: 0, height: 0 };

  beforeAll(async () => {
    fs.copyFileSync(fg('024A17.JPG'), path.join(root, 'upright.jpg'));
    fs.copyFileSync(fg('053A11.JPG'), path.join(root, 'val.jpg'));
    // Upside down, MediaPipe finds no face in this photo; a curator can still place the points.
    const info = await sharp(fg(`${turnedName}.JPG`)).rotate(180).jpeg({ quality: 95 }).toFile(path.join(root, 'turned.jpg'));
    turnedSize = { width: info.width, height: info.height };
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6b7b8b' } }).jpeg().toFile(path.join(root, 'blank.jpg'));
    // Stored 320x240, shown 240x320 (EXIF orientation 6).
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7b6b8b' } }).withMetadata({ orientation: 6 }).jpeg().toFile(path.join(root, 'sideways.jpg'));
    fs.writeFileSync(
      path.join(root, 'labels.csv'),
      'path,age,gender,split\nupright.jpg,17,male,train\nval.jpg,11,male,val\nturned.jpg,31,male,train\nblank.jpg,30,female,val\nsideways.jpg,40,female,test\n',
    );
    db = openCatalogue(dataDir);
    const imported = await importDataset(db, { path: path.join(root, 'labels.csv') });
    expect(imported.imported).toBe(5);
    for (const im of listImages(db)) ids[im.relPath.replace('.jpg', '')] = im.id;
    const summary = await runPrepare({ dataDir, db, host });
    expect(summary).toMatchObject({ done: 2, failed: 3 });
  });

  afterAll(async () => {
    db?.close();
  });

  it('prepare records "no face found"; the list offers exactly those photos', () => {
    expect(getImage(db, ids.turned!)).toMatchObject({ prepareStatus: 'failed', prepareError: 'no face found' });
    const list = listNoFaceImages(db);
    expect(list.total).toBe(3);
    expect(list.rows.map((r) => r.relPath)).toEqual(['turned.jpg', 'blank.jpg', 'sideways.jpg']);
    expect(list.rows[0]).toMatchObject({ age: 31, gender: 'male', split: 'train', width: turnedSize.width, height: turnedSize.height });
  });

  it('refuses bad points and photos that already have a crop, with specific errors, changing nothing', async () => {
    const before = snapshot(db);
    const filesBefore = cropFiles(dataDir);
    const good = turned(fgnetKeypoints(turnedName), turnedSize.width, turnedSize.height);
    const attempt = (imageId: number, points: Keypoints5) => createCropFromPoints({ dataDir, db, host, imageId, points });
    await expect(attempt(ids.turned!, { ...good, nose: [turnedSize.width + 5, 100] })).rejects.toThrow(
      `point nose (${turnedSize.width + 5}, 100) is outside the ${turnedSize.width}x${turnedSize.height} photo`,
    );
    await expect(attempt(ids.turned!, { ...good, rightEye: [good.leftEye[0] + 3, good.leftEye[1]] })).rejects.toThrow(
      /the eyes are 3 px apart: at least 16 px are needed/,
    );
    await expect(attempt(ids.turned!, { ...good, leftEye: good.rightEye, rightEye: good.leftEye })).rejects.toThrow(/the five points do not form a face/);
    await expect(attempt(ids.turned!, { ...good, nose: good.leftEye })).rejects.toThrow('points leftEye and nose are (almost) on top of each other');
    const upright = getCropByImage(db, ids.upright!)!;
    const err = await attempt(ids.upright!, fgnetKeypoints('024A17')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandPlacedError);
    expect((err as HandPlacedError).kind).toBe('has-crop');
    expect((err as Error).message).toBe(`image ${ids.upright} already has crop ${upright.id}: correct its points with "chronoface fix ${upright.id} --points ..."`);
    await expect(attempt(9999, good)).rejects.toThrow('image 9999 not found');
    expect(snapshot(db)).toBe(before);
    expect(cropFiles(dataDir)).toEqual(filesBefore);
  });

  it('cuts the crop exactly as prepare would, marks it edited, clears the failure and joins the training split', async () => {
    const others = JSON.stringify(db.prepare('SELECT * FROM crops ORDER BY id').all());
    const otherImages = JSON.stringify(db.prepare('SELECT * FROM images WHERE id <> ? ORDER BY id').all(ids.turned));
    const truth = fgnetKeypoints(turnedName);
    const points = turned(truth, turnedSize.width, turnedSize.height);
    const crop = await createCropFromPoints({ dataDir, db, host, imageId: ids.turned!, points });

    // The file, at the dataset's crop size.
    const meta = await sharp(path.join(dataDir, crop.file)).metadata();
    expect(crop.size).toBe(128);
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);

    // The pupils land on the template's eyes (a five-point least-squares fit: within two pixels).
    const tpl = templatePoints(128);
    for (const [p, t] of [[points.leftEye, tpl[0]!], [points.rightEye, tpl[1]!]] as const) {
      const [x, y] = applyAffine(crop.transform, p);
      expect(Math.hypot(x - t[0], y - t[1])).toBeLessThan(2);
    }

    // Pixels: the same face as a crop cut from the upright photo with the same points (background and lighting on;
    // resampling a turned photo differs by about a source pixel, hence not 1.0). Upside down would correlate near 0.
    const uprightPhoto = await loadPhoto(fg(`${turnedName}.JPG`));
    const ref = await prepareFace(host, uprightPhoto, { keypoints: truth }, normalizePrepSettings(crop.settings));
    const ours = await sharp(path.join(dataDir, crop.file)).removeAlpha().raw().toBuffer();
    const r = correlation(luminance(ours, 128 * 128), luminance(ref.crop, 128 * 128));
    expect(r).toBeGreaterThan(0.94);

    // The row: edited, the hand points kept, quality signals computed, flagged as a photo the detector missed.
    expect(crop).toMatchObject({ edited: true, status: 'pending', manualPoints: points });
    expect(crop.flags).toContain('no-face');
    expect(crop.signals).toMatchObject({ faceCount: 0, handPlaced: true });
    expect(crop.signals.interOcular).toBeCloseTo(Math.hypot(points.rightEye[0] - points.leftEye[0], points.rightEye[1] - points.leftEye[1]), 1);
    expect(Math.abs(Number(crop.signals.roll))).toBeGreaterThan(170);
    expect(crop.quality).toBeGreaterThan(0);
    const faces = listFaces(db, ids.turned!, 'detected');
    expect(faces).toHaveLength(1);
    expect(isHandPlaced(faces[0]!)).toBe(true);
    expect(faces[0]).toMatchObject({ id: crop.faceId, isPrimary: true });

    // The image's failure is cleared; nothing else changed.
    expect(getImage(db, ids.turned!)).toMatchObject({ prepareStatus: 'done', prepareError: null });
    expect(listNoFaceImages(db).rows.map((r) => r.imageId)).toEqual([ids.blank, ids.sideways]);
    expect(JSON.stringify(db.prepare('SELECT * FROM crops WHERE id <> ? ORDER BY id').all(crop.id))).toBe(others);
    expect(JSON.stringify(db.prepare('SELECT * FROM images WHERE id <> ? ORDER BY id').all(ids.turned))).toBe(otherImages);
    expect(listCrops(db)).toHaveLength(3);

    // Training picks it up in its split.
    const set = loadTrainingSet(db, dataDir, { includePending: true, limit: null, seed: 1 });
    expect(set.train.map((s) => s.cropId)).toContain(crop.id);
    expect(set.train.find((s) => s.cropId === crop.id)?.age).toBe(31);

    // A second attempt points to fix.
    await expect(createCropFromPoints({ dataDir, db, host, imageId: ids.turned!, points })).rejects.toThrow(
      `image ${ids.turned} already has crop ${crop.id}: correct its points with "chronoface fix ${crop.id} --points ..."`,
    );

    // prepare skips it from now on (done); a redo that still finds no face keeps the hand-made crop and its face.
    expect((await runPrepare({ dataDir, db, host })).total).toBe(0);
    const kept = snapshot(db);
    const redo = await runPrepare({ dataDir, db, host, imageIds: [ids.turned!], redo: true });
    expect(redo).toMatchObject({ total: 1, done: 1, failed: 0 });
    expect(snapshot(db)).toBe(kept);
    expect(fs.existsSync(path.join(dataDir, crop.file))).toBe(true);
  });

  it('CLI: fix --list, and fix --image refusing bad input before starting a browser', async () => {
    const list = await runCli(['fix', '--data-dir', dataDir, '--json', '--list']);
    expect(list.code).toBe(0);
    expect(list.last).toMatchObject({ total: 2, images: [{ imageId: ids.blank, file: 'blank.jpg', width: 320, height: 240, age: 30, gender: 'female', split: 'val' }, { imageId: ids.sideways, width: 240, height: 320 }] });

    const outside = await runCli(['fix', '--data-dir', dataDir, '--image', String(ids.blank), '--points', '100,100,150,100,125,130,105,160,145,160,1,1']);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/--points needs ten numbers/);

    const far = await runCli(['fix', '--data-dir', dataDir, '--image', String(ids.blank), '--points', '100,100,150,100,125,130,105,160,400,160']);
    expect(far.code).not.toBe(0);
    expect(far.stderr).toMatch(/point mouthRight \(400, 160\) is outside the 320x240 photo/);

    const cropOf = getCropByImage(db, ids.val!)!;
    const has = await runCli(['fix', '--data-dir', dataDir, '--image', String(ids.val), '--points', '100,100,150,100,125,130,105,160,145,160']);
    expect(has.code).not.toBe(0);
    expect(has.stderr).toContain(`image ${ids.val} already has crop ${cropOf.id}: correct its points with "chronoface fix ${cropOf.id} --points ..."`);
  });

  it('service: alignNoFace lists it, alignCreatePreview and alignCreate cut it, errors are specific', async () => {
    // The service shares this file's browser (one Chromium per file); its close() must not close it.
    const shared: VisionHost = { parallelism: host.parallelism, detect: (i, o) => host.detect(i, o), findFaces: (i, s) => host.findFaces(i, s), segment: (i) => host.segment(i), timeModels: (i, r) => host.timeModels(i, r), close: async () => {} };
    const service = createStudioService({ dataDir, createVisionHost: async () => shared });
    const events: ApiEvent[] = [];
    service.onEvent((e) => events.push(e as ApiEvent));
    try {
      const list = await service.call('alignNoFace', {});
      expect(list).toMatchObject({
        total: 2,
        offset: 0,
        items: [
          { imageId: ids.blank, url: { $image: ids.blank }, width: 320, height: 240, age: 30, reason: 'no face found' },
          // The size the photo is shown at (EXIF applied), in which the points are placed.
          { imageId: ids.sideways, width: 240, height: 320 },
        ],
      });
      expect(list.items[0]!.sourcePath).toBe(path.join(root, 'blank.jpg'));

      const kp = { leftEye: [140, 100], rightEye: [180, 100], nose: [160, 125], mouthLeft: [145, 150], mouthRight: [175, 150] } as const;
      const bad = await service.call('alignCreatePreview', { imageId: ids.blank!, keypoints: { ...kp, nose: [160, 260] } }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ApiError);
      expect(bad).toMatchObject({ code: 'invalid-argument', message: 'point nose (160, 260) is outside the 320x240 photo' });

      const preview = await service.call('alignCreatePreview', { imageId: ids.blank!, keypoints: kp });
      const png = Buffer.from(preview.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 128, height: 128 });
      expect(getCropByImage(db, ids.blank!)).toBeUndefined();

      const detail = await service.call('alignCreate', { imageId: ids.blank!, keypoints: kp });
      expect(detail).toMatchObject({ imageId: ids.blank, edited: true, status: 'pending', size: 128, keypoints: kp, image: { id: ids.blank, url: { $image: ids.blank } } });
      expect(fs.existsSync(path.join(dataDir, getCropByImage(db, ids.blank!)!.file))).toBe(true);
      expect(events).toContainEqual({ type: 'catalogue.changed', what: 'crops' });
      expect((await service.call('alignNoFace', {})).items.map((p) => p.imageId)).toEqual([ids.sideways]);
      // Points are checked against the shown (EXIF-applied) size: x 250 is inside the stored 320x240, outside 240x320.
      const sideways = await service.call('alignCreatePreview', { imageId: ids.sideways!, keypoints: { ...kp, mouthRight: [250, 150] } }).catch((e: unknown) => e);
      expect(sideways).toMatchObject({ code: 'invalid-argument', message: 'point mouthRight (250, 150) is outside the 240x320 photo' });

      const again = await service.call('alignCreate', { imageId: ids.blank!, keypoints: kp }).catch((e: unknown) => e);
      expect(again).toMatchObject({ code: 'invalid-argument', message: `image ${ids.blank} already has crop ${detail.id}: correct its points with "chronoface fix ${detail.id} --points ..."` });
      const reset = await service.call('alignReset', { id: detail.id }).catch((e: unknown) => e);
      expect(reset).toMatchObject({ code: 'invalid-argument' });
      expect((reset as Error).message).toMatch(/hand-placed points/);
      const missing = await service.call('alignCreate', { imageId: 9999, keypoints: kp }).catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'not-found', message: 'image 9999 not found' });
    } finally {
      await service.close();
    }
  });
});
