import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyStudioFixture, pickFgnet, studioFixture } from './helpers/studio-fixture.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { eventually, launchChromium, openStudio, screenshot, startStudio, type Studio } from './helpers/e2e-studio.js';

let fixture: { dataDir: string; fgnetDir: string; cleanup: () => void };
let studio: Studio;
let browser: Browser;
let db: Database.Database;
const errors: string[] = [];

const statusOf = (id: number) => (db.prepare('SELECT status FROM crops WHERE id = ?').pluck().get(id) as string);
const crops = () => db.prepare('SELECT count(*) FROM crops').pluck().get() as number;
const sha1 = (file: string) => crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  fixture = { ...copyStudioFixture('e2e'), fgnetDir: studioFixture().fgnetDir };
  studio = await startStudio(fixture.dataDir);
  browser = await launchChromium();
  db = new Database(path.join(fixture.dataDir, 'catalogue.sqlite'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await browser?.close();
  await studio?.stop();
  fixture?.cleanup();
});

describe('review screen (browser mode)', () => {
  it('renders the crops of the catalogue in the virtual grid', async () => {
    const page = await openStudio(browser, studio, '#/review', errors);
    const grid = page.getByTestId('review-grid');
    await grid.waitFor();
    await page.locator('[data-testid="crop-tile"] img').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="crop-tile"] img').count()).toBeGreaterThanOrEqual(20);
    // Every rendered image really decoded a crop file served from the data directory.
    const widths = await page.locator('[data-testid="crop-tile"] img').evaluateAll((imgs) =>
      Promise.all((imgs as HTMLImageElement[]).slice(0, 12).map((i) => i.decode().then(() => i.naturalWidth))),
    );
    expect(widths.every((w) => w === 128)).toBe(true);
    expect(crops()).toBeGreaterThanOrEqual(30);
    await expect.poll(() => page.getByTestId('review-total').textContent()).toContain(`${crops()} crops`);
    await screenshot(page, 'review-grid');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('accepts and rejects by keyboard into SQLite, and undo reverts them', async () => {
    const page = await openStudio(browser, studio, '#/review', errors);
    const tiles = page.getByTestId('crop-tile');
    await tiles.first().locator('img').waitFor();
    const first = Number(await tiles.nth(0).getAttribute('data-id'));
    const second = Number(await tiles.nth(1).getAttribute('data-id'));
    expect(statusOf(first)).toBe('pending');

    await tiles.nth(0).click();
    await page.keyboard.press('a'); // accept, focus moves on to the next crop
    await eventually(() => (statusOf(first) === 'accepted' ? true : undefined), 10_000, 'accept in SQLite');
    await page.keyboard.press('r');
    await eventually(() => (statusOf(second) === 'rejected' ? true : undefined), 10_000, 'reject in SQLite');
    await expect.poll(() => tiles.nth(1).getAttribute('data-status')).toBe('rejected');
    await screenshot(page, 'review-after-verdicts');

    await page.keyboard.press('u');
    await eventually(() => (statusOf(second) === 'pending' ? true : undefined), 10_000, 'undo of the reject');
    expect(statusOf(first)).toBe('accepted');
    await page.keyboard.press('Control+z');
    await eventually(() => (statusOf(first) === 'pending' ? true : undefined), 10_000, 'undo of the accept');
    await expect.poll(() => tiles.nth(0).getAttribute('data-status')).toBe('pending');

    // Arrow keys move the focus; Shift+click selects a range; bulk reject acts on that selection only.
    await page.keyboard.press('ArrowRight');
    await tiles.nth(2).click();
    await tiles.nth(5).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('[data-testid="crop-tile"][aria-selected="true"]').count()).toBe(4);
    await page.keyboard.press('r');
    const ids = await Promise.all([2, 3, 4, 5].map(async (i) => Number(await tiles.nth(i).getAttribute('data-id'))));
    await eventually(() => (ids.every((id) => statusOf(id) === 'rejected') ? true : undefined), 10_000, 'range reject');
    expect(db.prepare(`SELECT count(*) FROM crops WHERE status = 'rejected'`).pluck().get()).toBe(4);
    await screenshot(page, 'review-range-reject');
    await page.keyboard.press('u');
    const allPending = () => (db.prepare(`SELECT count(*) FROM crops WHERE status <> 'pending'`).pluck().get() === 0 ? true : undefined);
    await eventually(allPending, 10_000, 'undo of the range');

    // Ctrl+A then R rejects everything the filter shows (male crops here), and nothing else.
    const males = db.prepare(`SELECT count(*) FROM crops c JOIN images i ON i.id = c.image_id WHERE i.gender = 'male'`).pluck().get() as number;
    expect(males).toBeGreaterThan(0);
    await page.locator('[data-filter="genders:male"]').click();
    await expect.poll(() => page.getByTestId('review-total').textContent()).toContain(`${males} crops`);
    await page.getByTestId('review-grid').focus();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('r');
    await eventually(() => (db.prepare(`SELECT count(*) FROM crops WHERE status = 'rejected'`).pluck().get() === males ? true : undefined), 10_000, 'bulk reject');
    expect(db.prepare(`SELECT count(*) FROM crops c JOIN images i ON i.id = c.image_id WHERE c.status = 'rejected' AND i.gender <> 'male'`).pluck().get()).toBe(0);
    await screenshot(page, 'review-bulk-reject');
    await page.keyboard.press('Control+z');
    await eventually(allPending, 10_000, 'undo of the bulk reject');
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('alignment editor (browser mode)', () => {
  it('cuts the crop again after a point is dragged and saved', async () => {
    // E on a focused tile opens the editor on that crop.
    const page = await openStudio(browser, studio, '#/review', errors);
    const tile = page.getByTestId('crop-tile').nth(0);
    await tile.locator('img').waitFor();
    const id = Number(await tile.getAttribute('data-id'));
    const crop = db.prepare('SELECT id, file FROM crops WHERE id = ?').get(id) as { id: number; file: string };
    const before = sha1(path.join(fixture.dataDir, crop.file));
    await tile.click();
    await page.keyboard.press('e');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/align/${id}`);
    const nose = page.getByTestId('align-point-nose');
    await nose.waitFor();
    await page.locator('[data-testid="align-photo"] image').waitFor();
    const box = (await nose.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 12, y + 6, { steps: 4 });
    await page.mouse.move(x + 24, y + 12, { steps: 4 });
    await page.mouse.up();
    // The live preview shows the crop these points would give, before saving.
    await page.getByTestId('align-preview').waitFor({ timeout: 60_000 });
    const saveButton = page.getByTestId('align-save');
    await expect.poll(() => saveButton.isEnabled()).toBe(true);
    // The keyboard moves the focused point too.
    await nose.focus();
    await page.keyboard.press('Shift+ArrowDown');
    await screenshot(page, 'align-dragged');
    await saveButton.click();
    const row = await eventually(
      () => {
        const r = db.prepare('SELECT edited, manual_points_json FROM crops WHERE id = ?').get(crop.id) as { edited: number; manual_points_json: string | null };
        return r.edited === 1 && r.manual_points_json ? r : undefined;
      },
      60_000,
      'the crop to be marked edited',
    );
    const manual = JSON.parse(row.manual_points_json!) as { nose: [number, number] };
    const detected = JSON.parse((db.prepare(`SELECT keypoints_json FROM faces WHERE image_id = (SELECT image_id FROM crops WHERE id = ?) AND is_primary = 1 AND source = 'detected'`).pluck().get(crop.id) as string) ?? 'null') as { nose: [number, number] } | null;
    if (detected) expect(Math.hypot(manual.nose[0] - detected.nose[0], manual.nose[1] - detected.nose[1])).toBeGreaterThan(3);
    const file = db.prepare('SELECT file FROM crops WHERE id = ?').pluck().get(crop.id) as string;
    expect(sha1(path.join(fixture.dataDir, file))).not.toBe(before);
    await page.getByRole('status').filter({ hasText: 'cut again' }).waitFor();
    await screenshot(page, 'align-saved');
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('train screen (browser mode)', () => {
  it('starts a run with an age-loss recipe that shows its critic, then streams progress, and Cancel stops it', async () => {
    const page = await openStudio(browser, studio, '#/train', errors);
    await page.getByTestId('train-start').waitFor();
    // The shipped recipe is the default choice, with its four settings filled in.
    const recipe = page.getByTestId('train-recipe');
    await expect.poll(() => recipe.getAttribute('data-recipe')).toBe('ages');
    await page.getByText('Recipe settings').click();
    expect(await page.getByLabel('Network').inputValue()).toBe('film');
    expect(await page.getByRole('spinbutton', { name: 'Age loss weight' }).inputValue()).toBe('10');
    expect(await page.getByRole('spinbutton', { name: 'FiLM learning-rate' }).inputValue()).toBe('30');
    await expect.poll(() => page.getByLabel('Start from').locator('option:checked').textContent()).toContain('the default model');
    // The default model is 128 px: a 64 px run cannot start from it, and the screen says so before Train.
    await page.getByLabel('Image size').selectOption('64');
    await expect.poll(() => page.getByTestId('train-problem').textContent()).toContain('set the image size to 128 px');
    await expect.poll(() => page.getByTestId('train-start').isDisabled()).toBe(true);
    // A small custom recipe: the reference one, then FiLM with an age loss, from scratch.
    await page.getByTestId('recipe-reference').click();
    await expect.poll(() => recipe.getAttribute('data-recipe')).toBe('reference');
    await page.getByLabel('Network').selectOption('film');
    await page.getByRole('spinbutton', { name: 'Age loss weight' }).fill('5');
    await page.getByRole('spinbutton', { name: 'Critic epochs' }).fill('2');
    await expect.poll(() => recipe.getAttribute('data-recipe')).toBe('custom');
    await page.getByLabel('Image size').selectOption('64');
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('50');
    await page.getByRole('spinbutton', { name: 'Batch' }).fill('8');
    await page.getByLabel('also train on pending').check();
    await page.getByTestId('train-start').click();
    const progress = page.getByTestId('train-progress');
    // The age critic trains first: its epochs show before any step.
    const critic = page.getByTestId('train-critic');
    await expect.poll(async () => Number((await critic.getAttribute('data-epoch')) ?? 0), { timeout: 120_000 }).toBeGreaterThan(0);
    expect(await progress.getAttribute('data-running')).toBe('true');
    await expect.poll(() => critic.textContent()).toMatch(/Age critic: epoch \d+\/\d+ · val MAE [\d.]+ years/);
    await screenshot(page, 'train-critic');
    // Steps stream in: the step counter moves and images/s shows a number.
    const seen = async () => Number(await progress.getAttribute('data-steps-seen'));
    await expect.poll(seen, { timeout: 120_000 }).toBeGreaterThan(0);
    const first = await seen();
    await expect.poll(seen, { timeout: 120_000 }).toBeGreaterThan(first);
    await expect.poll(() => page.getByTestId('train-ips').textContent()).toMatch(/\d/);
    await screenshot(page, 'train-running');
    const runId = db.prepare(`SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1`).pluck().get() as number;
    expect(runId).toBeGreaterThan(0);

    await page.getByTestId('train-cancel').click();
    await expect.poll(() => progress.getAttribute('data-running'), { timeout: 120_000 }).toBe('false');
    const status = await eventually(() => {
      const s = db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string;
      return s === 'running' ? undefined : s;
    }, 60_000, 'the run to stop');
    expect(status).toBe('cancelled');
    await expect.poll(() => page.getByTestId('train-message').textContent()).toContain('cancelled');
    const row = page.getByTestId('runs-table').locator('tr', { hasText: `#${runId}` });
    await expect.poll(() => row.textContent()).toContain('FiLM · age loss 5');
    await expect.poll(() => page.getByTestId('train-run-recipe').textContent()).toMatch(/age critic val MAE [\d.]+ years \(\d+ epochs/);
    await screenshot(page, 'train-cancelled');
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('age screen (browser mode)', () => {
  it('shows the aging GIF of an FG-NET photo dropped on the window', async () => {
    const page = await openStudio(browser, studio, '#/age', errors);
    const zone = page.getByTestId('age-dropzone');
    await zone.waitFor();
    const name = pickFgnet(1)[0]!;
    const base64 = fs.readFileSync(path.join(FGNET_DIR, 'images', name)).toString('base64');
    // A real drop: a DataTransfer built in the page from the photo's bytes.
    await zone.evaluate(
      (el, { base64, name }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/jpeg' }));
        for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      },
      { base64, name },
    );
    const job = page.getByTestId('age-job');
    await job.waitFor();
    await expect.poll(() => job.getAttribute('data-stage'), { timeout: 170_000 }).toMatch(/^(done|error)$/);
    await screenshot(page, 'age-result');
    if ((await job.getAttribute('data-stage')) === 'error') throw new Error(`aging failed in the UI: ${await job.textContent()}`);
    const gif = page.getByTestId('age-result-gif');
    const info = await gif.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      return { width: img.naturalWidth, magic: String.fromCharCode(...bytes.slice(0, 6)) };
    });
    expect(info.magic).toBe('GIF89a');
    expect(info.width).toBeGreaterThanOrEqual(64);
    await screenshot(page, 'age-gif');
    // The face card: the estimate its aging started from, with the gender's probability, and the aging used it.
    const card = (await job.getByTestId('age-estimate').textContent())!;
    const m = /Face \d+: estimated age (\d+) · (male|female) \(p = (0\.\d\d|1\.00)\)/.exec(card);
    expect(m, card).not.toBeNull();
    expect(await job.locator('.meta').first().textContent()).toContain(`${m![2]}\u00a0(p = ${m![3]})`);
    expect(await job.getByTestId('age-gender-uncertain').count()).toBe(Number(m![3]) < 0.7 ? 1 : 0);

    // Several photos at once make a gallery: one GIF per photo.
    const two = pickFgnet(2).map((n) => ({ name: n, base64: fs.readFileSync(path.join(FGNET_DIR, 'images', n)).toString('base64') }));
    await zone.evaluate((el, files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
      el.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    }, two);
    await expect.poll(() => page.getByTestId('age-job').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid="age-job"][data-stage="done"]').count(), { timeout: 170_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('age-result-gif').count()).toBe(3);
    await screenshot(page, 'age-gallery');
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('datasets screen (browser mode)', () => {
  it('detects, imports and prepares a folder, with progress and counts', async () => {
    const page = await openStudio(browser, studio, '#/datasets', errors);
    await page.getByTestId('datasets-table').waitFor();
    const images = () => db.prepare('SELECT count(*) FROM images').pluck().get() as number;
    const before = images();
    await page.getByTestId('dataset-path').fill(fixture.fgnetDir);
    await page.getByRole('button', { name: 'Detect format' }).click();
    await page.getByTestId('dataset-import').waitFor();
    await expect.poll(() => page.getByTestId('dataset-import').textContent()).toContain('Import 2 images');
    await screenshot(page, 'datasets-detected');
    await page.getByTestId('dataset-import').click();
    await expect.poll(images, { timeout: 60_000 }).toBe(before + 2);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toContain('2 new');
    await expect.poll(() => page.getByTestId('datasets-table').locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: /Prepare all pending \(2\)/ }).click();
    await expect.poll(() => db.prepare(`SELECT count(*) FROM images WHERE prepare_status = 'pending'`).pluck().get(), { timeout: 120_000 }).toBe(0);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toContain('Prepared');
    expect(await page.getByTestId('age-gender-chart').isVisible()).toBe(true);
    await screenshot(page, 'datasets-prepared');
    await page.close();
    expect(errors).toEqual([]);
  });
});
