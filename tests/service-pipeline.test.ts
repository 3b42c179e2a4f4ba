/**
 * The studio service end to end on real data, with the real vision host (headless Chromium), the real trainer
 * process and the real aging: import FG-NET, prepare, review and fix an alignment, train a tiny model, age a photo.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contract/api.js';
import type { FileRef } from '../contract/files.js';
import { createStudioService, type StudioService } from '../app/service.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

let service: StudioService;
let dataDir: string;
let db: Database.Database;
const events: ApiEvent[] = [];

const rel = (ref: unknown): string => (ref as FileRef & { $file: string }).$file;
const abs = (ref: unknown): string => path.join(dataDir, rel(ref));

function waitFor<T extends ApiEvent>(pred: (e: ApiEvent) => e is T, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const found = events.find(pred);
    if (found) return resolve(found);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`event not seen in ${timeoutMs} ms; last: ${JSON.stringify(events.slice(-3))}`));
    }, timeoutMs);
    const off = service.onEvent((e) => {
      if (pred(e as ApiEvent)) {
        clearTimeout(timer);
        off();
        resolve(e as T);
      }
    });
  });
}

beforeAll(async () => {
  dataDir = tempDir('pipeline');
  service = createStudioService({ dataDir });
  service.onEvent((e) => events.push(e as ApiEvent));
  db = new Database(path.join(dataDir, 'catalogue.sqlite'));
  const r = await service.call('datasetsImport', { path: FGNET_DIR });
  expect(r.imported).toBe(73);
});

afterAll(async () => {
  db?.close();
  await service?.close();
});

describe('studio service on real data', () => {
  let cropId = 0;

  it('prepares the imported photos with progress events, and the review shows their crops', async () => {
    const r = await service.call('datasetsPrepare', { size: 64 });
    expect(r.processed + r.failed).toBe(73);
    expect(r.processed).toBeGreaterThanOrEqual(72);
    expect(events.some((e) => e.type === 'prepare.progress')).toBe(true);
    expect(events.find((e) => e.type === 'prepare.done')).toMatchObject({ processed: r.processed });
    const failures = await service.call('datasetsPrepareErrors', {});
    expect(failures.total).toBe(r.failed);
    expect(failures.items.every((f) => f.reason.length > 0)).toBe(true);
    const page = await service.call('reviewList', { offset: 0, limit: 100 });
    expect(page.total).toBe(r.processed);
    const tile = page.items[0]!;
    expect(fs.existsSync(abs(tile.url))).toBe(true);
    const meta = await sharp(abs(tile.url)).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
    cropId = tile.id;
  });

  it('gives the detail with detected landmarks, previews and re-cuts an alignment, and undoes it', async () => {
    const d = await service.call('reviewDetail', { id: cropId });
    expect(d.faces.find((f) => f.source === 'detected' && f.isPrimary)?.landmarks.length).toBe(478);
    expect(d.faces.find((f) => f.source === 'ground-truth')?.landmarks.length).toBe(68);
    expect(d.detectedKeypoints).not.toBeNull();
    const before = fs.readFileSync(abs(d.url));

    const moved = { ...d.keypoints, nose: [d.keypoints.nose[0] + 15, d.keypoints.nose[1] + 10] as [number, number] };
    const preview = await service.call('alignPreview', { id: cropId, keypoints: moved });
    expect(preview.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(preview.dataUrl.slice('data:image/png;base64,'.length), 'base64');
    expect((await sharp(png).metadata()).width).toBe(64);
    expect(fs.readFileSync(abs(d.url)).equals(before)).toBe(true);

    const eyes = {
      ...d.keypoints,
      leftEye: [d.keypoints.leftEye[0] - 12, d.keypoints.leftEye[1] + 6] as [number, number],
      rightEye: [d.keypoints.rightEye[0] + 12, d.keypoints.rightEye[1] - 6] as [number, number],
    };
    const recut = await service.call('alignRecut', { id: cropId, keypoints: eyes });
    expect(recut.edited).toBe(true);
    expect(recut.keypoints.leftEye[0]).toBeCloseTo(eyes.leftEye[0], 3);
    const after = fs.readFileSync(abs(recut.url));
    expect(after.equals(before)).toBe(false);

    const undo = await service.call('reviewUndo', {});
    expect(undo.ids).toEqual([cropId]);
    const back = await service.call('reviewDetail', { id: cropId });
    expect(back.edited).toBe(d.edited);
    expect(back.keypoints.leftEye[0]).toBeCloseTo(d.keypoints.leftEye[0], 3);
  });

  it('trains a tiny model in the trainer process, streaming steps and epochs, and lists the run', async () => {
    // Six subjects: put one in val and one in test so that the splits are not empty.
    const subjects = db.prepare('SELECT DISTINCT subject FROM images ORDER BY subject').pluck().all() as string[];
    expect(subjects.length).toBe(6);
    db.prepare(`UPDATE images SET split = CASE subject WHEN ? THEN 'val' WHEN ? THEN 'test' ELSE 'train' END`).run(subjects[0], subjects[1]);
    const { runId } = await service.call('trainStart', { size: 64, epochs: 2, batch: 16, beta: 1, lr: 8e-4, balance: 'none', includePending: true, seed: 3 });
    expect(events.find((e) => e.type === 'train.started')).toMatchObject({ runId });
    const status = await service.call('trainStatus', {});
    expect(status.running?.runId).toBe(runId);
    await expect(service.call('trainStart', { size: 64, epochs: 1, batch: 16, beta: 1, lr: 8e-4, balance: 'none' })).rejects.toMatchObject({ code: 'busy' });
    const done = await waitFor((e): e is Extract<ApiEvent, { type: 'train.done' }> => e.type === 'train.done' || e.type === 'train.error', 240_000);
    expect(done).toMatchObject({ type: 'train.done', status: 'completed', runId });
    expect(events.some((e) => e.type === 'train.step' && e.runId === runId)).toBe(true);
    const epochEvents = events.filter((e): e is Extract<ApiEvent, { type: 'train.epoch' }> => e.type === 'train.epoch');
    expect(epochEvents.map((e) => e.epoch)).toEqual([1, 2]);
    expect(fs.existsSync(abs(epochEvents[1]!.reconUrl))).toBe(true);

    const { runs } = await service.call('runsList', {});
    expect(runs[0]).toMatchObject({ id: runId, status: 'completed', epochsDone: 2, modelId: done.modelId });
    const detail = await service.call('runsDetail', { runId });
    expect(detail.epochs).toHaveLength(2);
    expect(fs.existsSync(abs(detail.epochs[0]!.sweepUrl))).toBe(true);
    expect(Number.isFinite(detail.epochs[1]!.metrics.valPsnr)).toBe(true);
    const models = await service.call('ageModels', {});
    expect(models.current).toMatchObject({ id: done.modelId, isDefault: false });
    expect((await service.call('trainStatus', {})).running).toBeNull();
    expect(await service.call('trainCancel', {})).toEqual({ cancelled: false });
    await expect(service.call('trainResume', { runId })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(service.call('runsDetail', { runId: 999 })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('ages an uploaded FG-NET photo into a GIF at the photo size, with frames and a strip', async () => {
    const images = path.join(FGNET_DIR, 'images');
    const file = path.join(images, fs.readdirSync(images).find((n) => /\.jpe?g$/i.test(n))!);
    const added = await service.call('agePhotoAdd', { name: path.basename(file), dataBase64: fs.readFileSync(file).toString('base64') });
    expect(fs.existsSync(abs(added.url))).toBe(true);
    const faces = await service.call('ageDetect', { photoId: added.photoId });
    expect(faces.faces.length).toBeGreaterThanOrEqual(1);
    const r = await service.call('ageRun', { photoId: added.photoId, ages: [10, 30, 50] });
    expect(r.frames.map((f) => f.age)).toEqual(r.ages);
    expect(r.ages).toHaveLength(3);
    const gif = await sharp(abs(r.gifUrl), { pages: -1 }).metadata();
    expect(gif.format).toBe('gif');
    expect(gif.width).toBe(added.width);
    expect(gif.pageHeight).toBe(added.height);
    expect(gif.pages).toBe(4);
    const strip = await sharp(abs(r.stripUrl)).metadata();
    expect(strip.width).toBe(added.width * 3);
    expect(r.model.isDefault).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM aging_outputs').pluck().get()).toBe(1);
    await expect(service.call('ageRun', { photoId: added.photoId, ages: [30], face: 5 })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(service.call('ageRun', { photoId: '0123456789abcdef', ages: [30] })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('evaluates the model into an HTML report and lists it', async () => {
    const report = await service.call('evalRun', { split: 'test' });
    expect(Number(report.figures.faces)).toBeGreaterThanOrEqual(2);
    expect(Number.isFinite(Number(report.figures.psnr))).toBe(true);
    const html = fs.readFileSync(abs(report.reportUrl), 'utf8');
    expect(html).toContain('<html');
    expect(events.some((e) => e.type === 'eval.progress')).toBe(true);
    const { reports } = await service.call('evalList', {});
    expect(reports.map((r) => r.id)).toEqual([report.id]);
  });

  it('closing the service (the app quitting) cancels a running training and waits until the trainer stopped', async () => {
    const { runId } = await service.call('trainStart', { size: 64, epochs: 50, batch: 8, beta: 1, lr: 8e-4, balance: 'sampler', includePending: true });
    await waitFor((e): e is ApiEvent => e.type === 'train.step' && e.runId === runId, 120_000);
    await service.close();
    expect(events.find((e) => e.type === 'train.done' && e.runId === runId)).toMatchObject({ status: 'cancelled' });
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId)).toBe('cancelled');
    expect(await service.call('trainCancel', {}).catch((e: unknown) => e)).toBeInstanceOf(Error);
  });
});
