/**
 * The one aging workflow behind the studio and the CLI, on the shipped default model, real Chromium and an FG-NET
 * photo: ageRun reports the contract's stages in order, and both front ends write GIFs with the same frame delays.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, EventOf } from '../contract/api.js';
import type { FileRef } from '../contract/files.js';
import { createStudioService, type StudioService } from '../app/service.js';
import { DEFAULT_FPS } from '../workflows/age-files.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

const PHOTO = path.join(FGNET_DIR, 'images/006A40.JPG');
const AGES = [20, 45, 70];
const STAGES = [
  ['detect', 0],
  ['align', 1],
  ['decode', 2],
  ['compose', 3],
  ['encode', 4],
  ['encode', 5],
];

let service: StudioService;
let dataDir = '';
const events: ApiEvent[] = [];
let studioGif = '';

beforeAll(() => {
  dataDir = tempDir('age-workflow');
  service = createStudioService({ dataDir });
  service.onEvent((e) => events.push(e as ApiEvent));
});

afterAll(async () => {
  await service?.close();
});

describe('one aging workflow for the studio and the CLI', () => {
  it("the studio's ageRun reports detect, align, decode, compose and encode in order, then the finished encode", async () => {
    const added = await service.call('agePhotoAdd', { path: PHOTO });
    // The faces come with the estimate their aging starts from; the aging then reports the same age and gender.
    const { faces } = await service.call('ageDetect', { photoId: added.photoId });
    expect(faces).toHaveLength(1);
    const estimate = faces[0]!.estimate!;
    expect(estimate.genderProbability).toBeGreaterThanOrEqual(0.5);
    expect(faces[0]!.warnings!.some((w) => w.kind === 'gender')).toBe(estimate.genderProbability < 0.7);
    const r = await service.call('ageRun', { photoId: added.photoId, ages: AGES });
    expect([r.sourceAge, r.gender, r.genderProbability]).toEqual([estimate.age, estimate.gender, estimate.genderProbability]);
    expect(r.faceWarnings.map((w) => w.kind)).toEqual(faces[0]!.warnings!.map((w) => w.kind));
    expect(r.model.isDefault).toBe(true);
    expect(r.frames).toHaveLength(AGES.length);
    const progress = events.filter((e): e is EventOf<'age.progress'> => e.type === 'age.progress');
    expect(progress.map((e) => [e.stage, e.done])).toEqual(STAGES);
    expect(progress.every((e) => e.photoId === added.photoId && e.total === 5)).toBe(true);
    studioGif = path.join(dataDir, (r.gifUrl as FileRef & { $file: string }).$file);
    const meta = await sharp(studioGif, { animated: true }).metadata();
    expect([meta.width, meta.pageHeight]).toEqual([added.width, added.height]);
    await expect(service.call('ageRun', { photoId: added.photoId, ages: AGES, face: 5 })).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/^face 5 does not exist/) });
  });

  it('the CLI shows the same stages and writes a GIF with the same frame delays for the same request', async () => {
    const gif = path.join(tempDir('age-workflow-cli'), 'a.gif');
    const r = await runCli(['age', PHOTO, '--out', gif, '--ages', AGES.join(','), '--data-dir', dataDir, '--json']);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    expect((r.last.model as { source: string }).source).toBe('default');
    const shown = r.lines.filter((l) => l.type === 'progress').map((l) => [l.label, l.done]);
    expect(shown).toEqual(STAGES);
    const cli = await sharp(gif, { animated: true }).metadata();
    const studio = await sharp(studioGif, { animated: true }).metadata();
    // Ping-pong over 3 frames: 0, 1, 2, 1; a GIF stores delays in whole centiseconds.
    const delayMs = Math.round(100 / DEFAULT_FPS) * 10;
    expect(studio.delay).toEqual([delayMs, delayMs, delayMs, delayMs]);
    expect(cli.delay).toEqual(studio.delay);
    const db = new Database(path.join(dataDir, 'catalogue.sqlite'), { readonly: true });
    try {
      const recorded = db.prepare('SELECT gif_file FROM aging_outputs ORDER BY id').pluck().all() as string[];
      expect(recorded).toEqual([path.relative(dataDir, studioGif), gif]);
    } finally {
      db.close();
    }
  });
});
