/**
 * The review screen's photos with no face, in the real studio (browser mode): the curator opens one, drags the five
 * points onto FG-NET's hand-placed landmarks and creates its crop.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { importDataset } from '../db/importers/run.js';
import { TOKEN_HEADER } from '../contract/wire.js';
import { correlation, luminance } from '../ml/prep/quality.js';
import { launchChromium, openStudio, screenshot, startStudio, type Studio } from './helpers/e2e-studio.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

type XY = [number, number];
const NAMES = ['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'] as const;

let root: string;
let dataDir: string;
let studio: Studio;
let browser: Browser;
let db: Database.Database;
let size = { width: 0, height: 0 };
const errors: string[] = [];

/** FG-NET's pupils (31, 36), nose tip (67) and mouth corners (48, 54), turned by 180 degrees with the photo. */
function turnedTruth(): Record<(typeof NAMES)[number], XY> {
  const text = fs.readFileSync(path.join(FGNET_DIR, 'points/082a31.pts'), 'utf8');
  const pts = text.split('{')[1]!.split('}')[0]!.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as XY);
  const t = (i: number): XY => [size.width - pts[i]![0], size.height - pts[i]![1]];
  return { leftEye: t(31), rightEye: t(36), nose: t(67), mouthLeft: t(48), mouthRight: t(54) };
}

async function api(method: string, body: object): Promise<Record<string, unknown>> {
  const url = new URL(studio.url);
  const res = await fetch(new URL(`/api/${method}`, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: url.searchParams.get('token') ?? '' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Drags a point of the editor to photo coordinates (the create view shows the whole photo, scaled to fit). */
async function dragTo(page: Page, name: string, to: XY): Promise<void> {
  const svg = page.getByTestId('align-photo');
  const box = (await svg.boundingBox())!;
  const k = Math.min(box.width / size.width, box.height / size.height);
  const ox = box.x + (box.width - size.width * k) / 2;
  const oy = box.y + (box.height - size.height * k) / 2;
  const from = (await page.getByTestId(`align-point-${name}`).locator('.dot').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(ox + to[0] * k, oy + to[1] * k, { steps: 4 });
  await page.mouse.up();
}

beforeAll(async () => {
  root = tempDir('noface-ui-set');
  dataDir = tempDir('noface-ui-data');
  fs.copyFileSync(path.join(FGNET_DIR, 'images/024A17.JPG'), path.join(root, 'upright.jpg'));
  const info = await sharp(path.join(FGNET_DIR, 'images/082A31.JPG')).rotate(180).jpeg({ quality: 95 }).toFile(path.join(root, 'turned.jpg'));
  size = { width: info.width, height: info.height };
  fs.writeFileSync(path.join(root, 'labels.csv'), 'path,age,gender,split\nupright.jpg,17,male,train\nturned.jpg,31,male,train\n');
  const cat = openCatalogue(dataDir);
  try {
    expect((await importDataset(cat, { path: path.join(root, 'labels.csv') })).imported).toBe(2);
  } finally {
    cat.close();
  }
  studio = await startStudio(dataDir);
  // Prepared by the studio's own vision host: one browser for the service, one for the page.
  const prepared = await api('datasetsPrepare', {});
  expect(prepared, JSON.stringify(prepared)).toMatchObject({ ok: true, result: { processed: 1, failed: 1 } });
  browser = await launchChromium();
  db = new Database(path.join(dataDir, 'catalogue.sqlite'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await browser?.close();
  await studio?.stop();
  for (const d of [root, dataDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe('review: photos with no face', () => {
  it('opens the photo, takes hand-placed points and creates an edited crop', async () => {
    const imageId = db.prepare("SELECT id FROM images WHERE source_path = 'turned.jpg'").pluck().get() as number;
    expect(db.prepare('SELECT prepare_error FROM images WHERE id = ?').pluck().get(imageId)).toBe('no face found');

    const page = await openStudio(browser, studio, '#/review', errors);
    const toggle = page.getByTestId('noface-toggle');
    await expect.poll(() => toggle.textContent()).toContain('1 photo with no face');
    await toggle.click();
    const tile = page.getByTestId('noface-photo');
    await expect.poll(() => tile.count()).toBe(1);
    expect(await tile.getAttribute('data-image')).toBe(String(imageId));
    await tile.locator('img').evaluate((img) => (img as HTMLImageElement).decode());
    await screenshot(page, 'noface-list');
    await tile.click();

    // Pre-placed points, and a live preview of the crop they give.
    await page.getByTestId('align-photo').waitFor();
    await page.getByTestId('align-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('noface-info').textContent()).toContain(`Photo #${imageId}`);

    const truth = turnedTruth();
    for (const name of NAMES) await dragTo(page, name, truth[name]);
    // The preview follows the last move (no error left from points mid-drag); it is the crop that gets saved.
    await expect.poll(() => page.getByTestId('align-preview').getAttribute('data-fresh'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('.side').getByText('No preview').count()).toBe(0);
    const src = await page.getByTestId('align-preview').getAttribute('src');
    const previewPng = Buffer.from(src!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(previewPng).metadata()).toMatchObject({ width: 128, height: 128 });
    await screenshot(page, 'noface-editor');
    await page.getByTestId('align-create').click();
    await page.waitForURL(/#\/align\/\d+$/, { timeout: 60_000 });
    const cropId = Number(/#\/align\/(\d+)$/.exec(page.url())![1]);

    const crop = db.prepare('SELECT image_id, edited, status, manual_points_json, file, size FROM crops WHERE id = ?').get(cropId) as {
      image_id: number;
      edited: number;
      status: string;
      manual_points_json: string;
      file: string;
      size: number;
    };
    expect(crop).toMatchObject({ image_id: imageId, edited: 1, status: 'pending', size: 128 });
    const saved = await sharp(path.join(dataDir, crop.file)).removeAlpha().raw().toBuffer();
    const shown = await sharp(previewPng).removeAlpha().raw().toBuffer();
    expect(correlation(luminance(saved, 128 * 128), luminance(shown, 128 * 128))).toBeGreaterThan(0.99);
    const placed = JSON.parse(crop.manual_points_json) as Record<string, XY>;
    for (const name of NAMES) {
      expect(Math.hypot(placed[name]![0] - truth[name][0], placed[name]![1] - truth[name][1]), name).toBeLessThan(1.5);
    }
    expect(db.prepare('SELECT prepare_status FROM images WHERE id = ?').pluck().get(imageId)).toBe('done');

    // The new crop opens in the ordinary editor, where "reset to detected" has nothing to go back to.
    await page.getByTestId('align-current').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Reset to detected' }).isDisabled()).toBe(true);

    // Back in the review, no photo is waiting any more.
    await page.getByRole('button', { name: /Back to review/ }).click();
    await page.getByTestId('review-grid').waitFor();
    await expect.poll(() => page.getByTestId('noface-toggle').count()).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  });
});
