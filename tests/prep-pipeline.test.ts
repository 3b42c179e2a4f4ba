import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getCrop, getCropByImage, listCrops } from '../db/crops.js';
import { listFaces } from '../db/faces.js';
import { listImages } from '../db/images.js';
import { importDataset } from '../db/importers/run.js';
import { runPrepare } from '../ml/prep/pipeline.js';
import { createChromiumVisionHost } from '../ml/vision/chromium-host.js';
import { runCli, startCli } from './helpers/cli.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { makePngClaiming } from './import-fixtures.js';

const tmp = tempDirsForFile();

const fg = (f: string): string => path.join(FGNET_DIR, 'images', f);
const utk = (age: number, i: number): string => `${age}_0_0_20170101000000${String(i).padStart(3, '0')}.jpg.chip.jpg`;

describe('prepare: a small imported set end to end', () => {
  const root = tmp('prep-set');
  const dataDir = tmp('prep-data');
  let db: Db;
  const host = visionHostForSuite();
  const names: Record<string, string> = {};

  beforeAll(async () => {
    const good = ['005A18.JPG', '006A69.JPG', '024A17.JPG', '053A11.JPG', '082A31.JPG'];
    let i = 0;
    for (const f of good) fs.copyFileSync(fg(f), path.join(root, (names[f] = utk(20 + i, i++))));
    await sharp(fg('005A18.JPG')).jpeg({ quality: 80 }).toFile(path.join(root, (names.reencoded = utk(40, i++))));
    await sharp(fg('006A24.JPG')).toColourspace('b-w').jpeg().toFile(path.join(root, (names.grey = utk(41, i++))));
    await sharp(fg('006A46.JPG')).toColourspace('cmyk').jpeg().toFile(path.join(root, (names.cmyk = utk(42, i++))));
    await sharp(fg('024A19.JPG')).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(path.join(root, (names.rotated = utk(43, i++))));
    await sharp({ create: { width: 300, height: 300, channels: 3, background: '#5a6a7a' } }).jpeg().toFile(path.join(root, (names.noface = utk(44, i++))));
    await sharp(fg('053A11.JPG')).resize({ width: 40 }).jpeg().toFile(path.join(root, (names.tiny = utk(45, i++))));
    fs.copyFileSync(fg('082A31.JPG'), path.join(root, (names.garbage = utk(46, i++))));
    fs.copyFileSync(fg('065A07a.JPG'), path.join(root, (names.bomb = utk(47, i++))));
    db = openCatalogue(dataDir);
    const imported = await importDataset(db, { path: root, format: 'utkface' });
    expect(imported.imported).toBe(i);
    // Files that changed after the import: the catalogue still lists them.
    fs.writeFileSync(path.join(root, names.garbage), 'this is no longer a photo');
    fs.writeFileSync(path.join(root, names.bomb), makePngClaiming(70000, 70000));
  });

  afterAll(() => {
    db?.close();
  });

  const imageId = (key: string): number => listImages(db).find((im) => im.relPath === names[key])!.id;

  it('prepares every image, records each failure with its reason, and registers crops with signals', async () => {
    const events: string[] = [];
    const s = await runPrepare({ dataDir, db, host, workers: 4, onProgress: (_d, _t, e) => events.push(e.status) });
    expect(s.total).toBe(13);
    expect(s.failed).toBe(4);
    expect(s.done).toBe(9);
    expect(events).toHaveLength(13);
    const byKey = (k: string) => listImages(db).find((im) => im.relPath === names[k])!;
    expect(byKey('garbage').prepareError).toMatch(/not an image/);
    expect(byKey('bomb').prepareError).toMatch(/too large: 70000x70000/);
    expect(byKey('noface').prepareError).toBe('no face found');
    expect(byKey('tiny').prepareError).toMatch(/no face found|face too small/);
    for (const k of ['grey', 'cmyk', 'rotated', '005A18.JPG']) expect(byKey(k).prepareStatus, k).toBe('done');

    const crops = listCrops(db);
    expect(crops).toHaveLength(9);
    for (const c of crops) {
      expect(path.isAbsolute(c.file)).toBe(false);
      expect(c.file.startsWith('crops/')).toBe(true);
      const meta = await sharp(path.join(dataDir, c.file)).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([128, 128, 'png']);
      const sig = c.signals as Record<string, number>;
      expect(sig.faceCount).toBe(1);
      expect(sig.interOcular).toBeGreaterThan(40);
      expect(sig.score).toBeGreaterThan(0.5);
      for (const k of ['yaw', 'pitch', 'roll', 'blur', 'brightness', 'contrast', 'outside']) expect(typeof sig[k], k).toBe('number');
      expect(c.phash).toMatch(/^[0-9a-f]{16}$/);
      expect(c.quality).toBeGreaterThan(0);
      expect(c.settings).toMatchObject({ size: 128, background: { enabled: true }, lighting: { enabled: true } });
      expect(c.transform).toHaveLength(6);
    }
    const faces = listFaces(db, imageId('006A69.JPG'), 'detected');
    expect(faces).toHaveLength(1);
    expect(faces[0]!.landmarks).toHaveLength(478);
    expect(faces[0]!.isPrimary).toBe(true);
    // the re-encoded copy is a duplicate of the original, the others are not
    const copy = getCropByImage(db, imageId('reencoded'))!;
    const original = getCropByImage(db, imageId('005A18.JPG'))!;
    // whichever of the two registered second names the other
    expect(copy.flags).toContain('duplicate');
    expect(original.flags).toContain('duplicate');
    expect([copy.signals.duplicateOf, original.signals.duplicateOf].sort()).toEqual(
      copy.signals.duplicateOf === original.id ? [original.id, undefined] : [copy.id, undefined],
    );
    for (const k of ['006A69.JPG', '024A17.JPG', 'grey', 'cmyk', 'rotated']) expect(getCropByImage(db, imageId(k))!.flags, k).not.toContain('duplicate');
    // EXIF-rotated: the crop is upright (eyes level), like any other
    expect(Math.abs((getCropByImage(db, imageId('rotated'))!.signals as { roll: number }).roll)).toBeLessThan(15);
  });

  it('is resumable: a second run skips what is done', async () => {
    const before = listCrops(db).map((c) => c.file);
    const s = await runPrepare({ dataDir, db, host });
    expect(s.total).toBe(0);
    expect(s.skipped).toBe(13);
    expect(listCrops(db).map((c) => c.file)).toEqual(before);
  });

  it('re-cuts a crop from corrected points with `chronoface fix`', async () => {
    const crop = getCropByImage(db, imageId('006A69.JPG'))!;
    const k = crop.keypoints;
    const pts = [k.leftEye, k.rightEye, k.nose, k.mouthLeft, k.mouthRight].flatMap(([x, y]) => [x + 6, y + 4]);
    const r = await runCli(['fix', String(crop.id), '--points', pts.map((v) => v.toFixed(2)).join(','), '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.last).toMatchObject({ cropId: crop.id, edited: true });
    const after = getCrop(db, crop.id)!;
    expect(after.edited).toBe(true);
    expect(after.file).not.toBe(crop.file);
    expect(fs.existsSync(path.join(dataDir, crop.file))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, after.file))).toBe(true);
    expect(after.manualPoints!.leftEye[0]).toBeCloseTo(k.leftEye[0] + 6, 1);
    expect(after.transform[2]).not.toBeCloseTo(crop.transform[2], 1);
    expect(after.signals.interOcular).toBeCloseTo(crop.signals.interOcular as number, 0);
    const hist = db.prepare('SELECT COUNT(*) AS n FROM crop_history WHERE crop_id = ?').get(crop.id) as { n: number };
    expect(hist.n).toBe(1);
    const bad = await runCli(['fix', String(crop.id), '--points', '1,2,3', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ten numbers/);
  });
});

describe('prepare when the browser dies', () => {
  it('stops, and leaves the images pending instead of blaming them', async () => {
    const root = tmp('prep-dead');
    ['005A18.JPG', '006A69.JPG', '024A17.JPG'].forEach((f, i) => fs.copyFileSync(fg(f), path.join(root, utk(30 + i, i))));
    const dataDir = tmp('prep-dead-data');
    const db = openCatalogue(dataDir);
    try {
      await importDataset(db, { path: root, format: 'utkface' });
      const host = await createChromiumVisionHost({ pages: 1 });
      await host.close();
      await expect(runPrepare({ dataDir, db, host })).rejects.toThrow(/vision browser stopped/);
      expect(listImages(db).map((im) => im.prepareStatus)).toEqual(['pending', 'pending', 'pending']);
      expect(listCrops(db)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('CLI', () => {
  it('`detect --json` prints one line per image, or an error line', async () => {
    const junk = path.join(tmp('detect'), 'junk.jpg');
    fs.writeFileSync(junk, 'nope');
    const r = await runCli(['detect', fg('005A18.JPG'), junk, fg('006A69.JPG'), '--json']);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(3);
    const [a, b, c] = r.lines as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(a)).toEqual(['file', 'width', 'height', 'faces']);
    expect(a.file).toBe(fg('005A18.JPG'));
    const face = (a.faces as Record<string, unknown>[])[0]!;
    expect(Object.keys(face)).toEqual(['score', 'box', 'keypoints', 'landmarks', 'estimate', 'warnings']);
    // FG-NET 005A18 was taken at 18: the estimate is made on the crop aging sees.
    const est = face.estimate as { age: number; gender: string; genderProbability: number };
    expect(est.age).toBeGreaterThan(5);
    expect(est.age).toBeLessThan(40);
    expect(['male', 'female']).toContain(est.gender);
    expect(est.genderProbability).toBeGreaterThanOrEqual(0.5);
    expect(est.genderProbability).toBeLessThanOrEqual(1);
    expect(Array.isArray(face.warnings)).toBe(true);
    expect(Object.keys(face.keypoints as object)).toEqual(['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight']);
    expect(face.landmarks as unknown[]).toHaveLength(478);
    expect(face.box as unknown[]).toHaveLength(4);
    expect(b).toEqual({ file: junk, error: expect.stringMatching(/not an image/) });
    expect(c.file).toBe(fg('006A69.JPG'));
  });

  it('`prepare` survives SIGKILL: registered crops always have their whole file, and a rerun finishes', async () => {
    const dataDir = tmp('prep-kill');
    const imp = await runCli(['import', FGNET_DIR, '--data-dir', dataDir, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    const child = startCli(['prepare', '--data-dir', dataDir, '--json', '--workers', '2']);
    const ro = (): Db => openCatalogue(dataDir, { readonly: true });
    const deadline = Date.now() + 150_000;
    let registered = 0;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const db = ro();
      registered = (db.prepare('SELECT COUNT(*) AS n FROM crops').get() as { n: number }).n;
      db.close();
      if (registered >= 5) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(registered).toBeGreaterThanOrEqual(5);
    let db = ro();
    const files = (db.prepare('SELECT file FROM crops').all() as { file: string }[]).map((r) => r.file);
    db.close();
    expect(files.length).toBeLessThan(73);
    for (const f of files) {
      expect(f.endsWith('.png')).toBe(true);
      const meta = await sharp(path.join(dataDir, f)).metadata();
      expect(meta.width).toBe(128);
    }
    const again = await runCli(['prepare', '--data-dir', dataDir, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.last).toMatchObject({ failed: 0 });
    expect((again.last.total as number) + (again.last.skipped as number)).toBe(73);
    db = ro();
    expect((db.prepare("SELECT COUNT(*) AS n FROM images WHERE prepare_status = 'done'").get() as { n: number }).n).toBe(73);
    expect((db.prepare('SELECT COUNT(*) AS n FROM crops').get() as { n: number }).n).toBe(73);
    db.close();
    const leftovers = fs.readdirSync(path.join(dataDir, 'crops'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });
});
