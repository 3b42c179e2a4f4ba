import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../app/service.js';
import { ApiError } from '../contract/api.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR, UTKFACE_DIR } from './helpers/shared-data.js';

let service: StudioService;
let dataDir: string;
let db: Database.Database;

const FLAGS = [[], ['blurry'], ['dark', 'tiny'], ['duplicate'], ['profile']];

/**
 * Crops as preparation registers them (the real pipeline needs Chromium; its own tests cover it): one per image, with
 * a quality that depends on the id, a flag pattern, an estimated age 20 years off for every 7th image.
 */
function addCrops(): void {
  const images = db.prepare('SELECT id, age, gender FROM images ORDER BY id').all() as { id: number; age: number | null; gender: string }[];
  const insert = db.prepare(
    `INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, quality, flags_json, est_age, est_gender)
     VALUES (?, ?, 128, '[1,0,0,0,1,0]', '[1,0,0,0,1,0]', ?, '{"size":128}', ?, ?, ?, ?)`,
  );
  const kp = JSON.stringify({ leftEye: [10, 20], rightEye: [40, 20], nose: [25, 35], mouthLeft: [15, 50], mouthRight: [35, 50] });
  db.transaction(() => {
    for (const img of images) {
      const flags = FLAGS[img.id % FLAGS.length]!;
      const est = img.age === null ? null : img.id % 7 === 0 ? img.age + 20 : img.age + 1;
      insert.run(img.id, `crops/${String(img.id % 1000).padStart(3, '0')}/${img.id}.png`, kp, ((img.id * 37) % 100) / 100, JSON.stringify(flags), est, img.gender);
    }
  })();
}

beforeAll(async () => {
  dataDir = tempDir('service');
  service = createStudioService({ dataDir });
  const fg = await service.call('datasetsImport', { path: FGNET_DIR });
  expect(fg.imported).toBe(73);
  const utk = await service.call('datasetsImport', { path: UTKFACE_DIR });
  expect(utk.imported).toBe(1000);
  db = new Database(path.join(dataDir, 'catalogue.sqlite'));
  addCrops();
});

afterAll(async () => {
  db?.close();
  await service?.close();
});

describe('studio service: datasets', () => {
  it('lists datasets with their counts and detects formats', async () => {
    const { datasets } = await service.call('datasetsList', {});
    expect(datasets.map((d) => [d.format, d.images, d.crops])).toEqual([
      ['fgnet', 73, 73],
      ['utkface', 1000, 1000],
    ]);
    const detected = await service.call('datasetsDetect', { path: UTKFACE_DIR });
    expect(detected).toMatchObject({ format: 'utkface', imageCount: 1000 });
    await expect(service.call('datasetsDetect', { path: '/nonexistent/folder' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('counts by gender, age bin crossed with gender, split and status', async () => {
    const utk = (await service.call('datasetsList', {})).datasets.find((d) => d.format === 'utkface')!;
    const c = await service.call('datasetsCounts', { datasetId: utk.id });
    expect(c.images).toBe(1000);
    expect(c.byGender).toEqual({ female: 561, male: 438, unknown: 1 });
    const binSum = Object.values(c.byAgeBin).reduce((a, b) => a + b, 0);
    expect(binSum).toBe(1000);
    for (const [bin, n] of Object.entries(c.byAgeBin)) {
      const g = c.byAgeBinGender[bin as keyof typeof c.byAgeBinGender];
      expect(g.male + g.female + g.unknown).toBe(n);
    }
    expect(c.bySplit.train + c.bySplit.val + c.bySplit.test + c.bySplit.none).toBe(1000);
    expect(c.byStatus.pending).toBe(1000);
    const all = await service.call('datasetsCounts', {});
    expect(all.images).toBe(1073);
  });
});

describe('studio service: review', () => {
  it('pages the grid sorted by quality with a total, and filters by status, age bin, gender, split and flags', async () => {
    const first = await service.call('reviewList', { offset: 0, limit: 50 });
    expect(first.total).toBe(1073);
    expect(first.items).toHaveLength(50);
    const q = first.items.map((t) => t.quality!);
    expect([...q].sort((a, b) => a - b)).toEqual(q);
    expect(first.items[0]!.url).toEqual({ $file: expect.stringMatching(/^crops\/\d{3}\/\d+\.png$/), $v: expect.any(String) });
    const end = await service.call('reviewList', { offset: 1050, limit: 50 });
    expect(end.items).toHaveLength(23);

    const women30 = await service.call('reviewList', { filter: { genders: ['female'], ageBins: ['30-39'] }, offset: 0, limit: 1000 });
    const expected = db.prepare(`SELECT COUNT(*) FROM images WHERE gender = 'female' AND age >= 30 AND age < 40`).pluck().get() as number;
    expect(women30.total).toBe(expected);
    expect(women30.items.every((t) => t.gender === 'female' && t.age! >= 30 && t.age! < 40)).toBe(true);

    const blurryOrDark = await service.call('reviewList', { filter: { flags: ['blurry', 'dark'] }, offset: 0, limit: 1000 });
    expect(blurryOrDark.items.every((t) => t.flags.includes('blurry') || t.flags.includes('dark'))).toBe(true);
    const ids = (db.prepare('SELECT image_id FROM crops').pluck().all() as number[]).filter((id) => id % 5 === 1 || id % 5 === 2);
    expect(blurryOrDark.total).toBe(ids.length);

    const mislabel = await service.call('reviewList', { filter: { flags: ['mislabel'] }, sort: 'age-disagreement', offset: 0, limit: 1000 });
    expect(mislabel.total).toBeGreaterThan(100);
    expect(mislabel.items.every((t) => t.flags.includes('mislabel') && Math.abs(t.estAge! - t.age!) >= 15)).toBe(true);

    const test = await service.call('reviewList', { filter: { splits: ['test'] }, offset: 0, limit: 1000 });
    expect(test.total).toBeGreaterThan(0);
    expect(test.items.every((t) => t.split === 'test')).toBe(true);

    const ids2 = await service.call('reviewIds', { filter: { genders: ['female'], ageBins: ['30-39'] } });
    expect(ids2.ids).toEqual(women30.items.map((t) => t.id));
  });

  it('accepts and rejects by id as undoable batches, and undo restores the previous status', async () => {
    const page = await service.call('reviewList', { offset: 0, limit: 4 });
    const [a, b, c] = page.items.map((t) => t.id);
    const r1 = await service.call('reviewSetStatus', { ids: [a!, b!], status: 'accepted' });
    expect(r1.changed).toBe(2);
    const r2 = await service.call('reviewSetStatus', { ids: [b!, c!], status: 'rejected' });
    expect(r2.changed).toBe(2);
    const status = (id: number) => db.prepare('SELECT status FROM crops WHERE id = ?').pluck().get(id);
    expect([status(a!), status(b!), status(c!)]).toEqual(['accepted', 'rejected', 'rejected']);
    const u1 = await service.call('reviewUndo', {});
    expect(u1).toMatchObject({ batch: r2.batch, reverted: 2 });
    expect([status(a!), status(b!), status(c!)]).toEqual(['accepted', 'accepted', 'pending']);
    await service.call('reviewUndo', {});
    expect([status(a!), status(b!), status(c!)]).toEqual(['pending', 'pending', 'pending']);
    const none = await service.call('reviewUndo', {});
    expect(none).toEqual({ batch: null, reverted: 0, ids: [] });
    expect((await service.call('reviewSetStatus', { ids: [a!], status: 'pending' })).changed).toBe(0);
  });

  it('bulk status acts only on what the filter shows', async () => {
    const filter = { genders: ['male' as const], ageBins: ['60-69' as const, '70-79' as const] };
    const shown = await service.call('reviewIds', { filter });
    const r = await service.call('reviewBulkStatus', { filter, status: 'rejected' });
    expect(r.changed).toBe(shown.ids.length);
    const rejected = db.prepare(`SELECT id FROM crops WHERE status = 'rejected' ORDER BY id`).pluck().all() as number[];
    expect(rejected).toEqual([...shown.ids].sort((x, y) => x - y));
    const counts = await service.call('datasetsCounts', {});
    expect(counts.byStatus.rejected).toBe(shown.ids.length);
    await service.call('reviewUndo', {});
    expect(db.prepare(`SELECT COUNT(*) FROM crops WHERE status <> 'pending'`).pluck().get()).toBe(0);
  });

  it('shows a crop in detail with its source photo and FG-NET ground-truth landmarks, and edits labels undoably', async () => {
    const fgImage = db.prepare(`SELECT i.id, i.age FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.format = 'fgnet' ORDER BY i.id LIMIT 1`).get() as {
      id: number;
      age: number;
    };
    const cropId = db.prepare('SELECT id FROM crops WHERE image_id = ?').pluck().get(fgImage.id) as number;
    const d = await service.call('reviewDetail', { id: cropId });
    expect(d.image.url).toEqual({ $image: fgImage.id });
    expect(d.image.sourcePath.startsWith(FGNET_DIR)).toBe(true);
    const gt = d.faces.find((f) => f.source === 'ground-truth');
    expect(gt?.landmarks).toHaveLength(68);
    expect(d.keypoints.leftEye).toEqual([10, 20]);

    const edited = await service.call('reviewSetLabels', { id: cropId, age: 33, gender: 'female' });
    expect(edited.crop).toMatchObject({ age: 33, gender: 'female' });
    await service.call('reviewUndo', {});
    const back = await service.call('reviewDetail', { id: cropId });
    expect(back.age).toBe(fgImage.age);
    await expect(service.call('reviewDetail', { id: 99_999_999 })).rejects.toBeInstanceOf(ApiError);
    await expect(service.call('reviewDetail', { id: 99_999_999 })).rejects.toMatchObject({ code: 'not-found' });
    await expect(service.call('reviewSetLabels', { id: cropId, age: 130 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('pages import errors and refuses a second import while one runs', async () => {
    const errs = await service.call('datasetsImportErrors', {});
    expect(errs.total).toBe(0);
    const a = service.call('datasetsImport', { path: UTKFACE_DIR });
    await expect(service.call('datasetsImport', { path: FGNET_DIR })).rejects.toMatchObject({ code: 'busy' });
    expect((await a).skipped).toBe(1000);
  });
});

describe('studio service: cancelling an import', () => {
  it('stops after the batch in flight, keeps what was stored, and a second import completes the rest', async () => {
    const dir = tempDir('service-cancel');
    const svc = createStudioService({ dataDir: dir });
    try {
      const running = svc.call('datasetsImport', { path: UTKFACE_DIR });
      expect(await svc.call('datasetsCancel', { job: 'import' })).toEqual({ cancelled: true });
      const first = await running;
      expect(first.cancelled).toBe(true);
      expect(first.imported).toBeLessThan(1000);
      expect(await svc.call('datasetsCancel', { job: 'import' })).toEqual({ cancelled: false });
      const second = await svc.call('datasetsImport', { path: UTKFACE_DIR });
      expect(second.cancelled).toBe(false);
      expect(first.imported + second.imported).toBe(1000);
      expect((await svc.call('datasetsCounts', {})).images).toBe(1000);
    } finally {
      await svc.close();
    }
  });
});
