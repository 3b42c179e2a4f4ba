/**
 * The studio's Export dialog end to end in browser mode (`chronoface serve` + headless Chromium): a folder typed in
 * the path field, the format and filters chosen, progress while it runs, where it went; a cancelled export, then the
 * same export resumed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../ml/export/journal.js';
import { launchChromium, openStudio, screenshot, startStudio, type Studio } from './helpers/e2e-studio.js';
import { readBack } from './helpers/export-catalogue.js';
import { copyStudioFixture } from './helpers/studio-fixture.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const HOLD_EXPORT = fileURLToPath(new URL('./helpers/hold-export.cjs', import.meta.url));

const temp = tempDirsForFile();
let fixture: { dataDir: string; cleanup: () => void };
let studio: Studio;
let browser: Browser;
let crops = 0;
const errors: string[] = [];

beforeAll(async () => {
  fixture = copyStudioFixture('e2e-export');
  const db = new Database(path.join(fixture.dataDir, 'catalogue.sqlite'), { readonly: true });
  crops = db.prepare(`SELECT count(*) FROM crops WHERE status IN ('accepted', 'pending')`).pluck().get() as number;
  db.close();
  studio = await startStudio(fixture.dataDir, {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${HOLD_EXPORT}`,
    CHRONOFACE_TEST_HOLD_EXPORT: 'e2e-export-cancel',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  fixture?.cleanup();
});

/** Records every text the export's progress bar shows, from now on, in window.__exportProgress. */
async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __exportProgress: string[] }).__exportProgress = seen;
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="export-progress"]')?.textContent;
      if (t && seen[seen.length - 1] !== t) seen.push(t.replace(/\s+/g, ' ').trim());
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const progressSeen = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __exportProgress: string[] }).__exportProgress);

async function openDialog(page: Page, outDir: string, format: string): Promise<void> {
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-path').fill(outDir);
  await page.getByTestId('export-format').selectOption(format);
  await page.getByTestId('export-pending').check();
  // The photo's own background, cut again from each source photo: real work per crop, so the export takes a while.
  await page.getByRole('combobox', { name: 'Background' }).selectOption({ label: "the photo's own" });
}

describe('export dialog (browser mode)', () => {
  it('exports to a typed folder with progress, says where it went, and the export reads back', async () => {
    const page = await openStudio(browser, studio, '#/datasets', errors);
    await page.getByTestId('datasets-table').waitFor();
    const outDir = path.join(temp('e2e-export-out'), 'utk');
    await openDialog(page, outDir, 'imagefolder');
    await watchProgress(page);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('export-result').textContent()).toContain(`Exported: ${crops} of ${crops} crops`);
    expect(await page.getByTestId('export-where').textContent()).toBe(outDir);
    await screenshot(page, 'export-done');
    const seen = await progressSeen(page);
    expect(seen.some((t) => new RegExp(`Exporting crops \\d+ / ${crops}`).test(t)), seen.join(' | ')).toBe(true);
    const rows = readBack(outDir, 'imagefolder');
    expect(rows.length).toBe(crops);
    for (const r of rows) expect(r._image).toEqual([128, 128, 'RGB']);
    expect(fs.readFileSync(path.join(outDir, 'README.md'), 'utf8')).toContain(`chronoface export ${outDir} --format imagefolder --include-pending --background keep`);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('cancels an export, then resumes it in the same folder', async () => {
    const page = await openStudio(browser, studio, '#/datasets', errors);
    await page.getByTestId('datasets-table').waitFor();
    const outDir = path.join(temp('e2e-export-cancel'), 'shards');
    await openDialog(page, outDir, 'webdataset');
    await page.getByTestId('export-start').click();
    // The export holds after its first journal write (hold-export.cjs) until released: the cancel lands while it runs.
    await expect.poll(() => readJournal(outDir)?.status ?? null, { timeout: 60_000 }).toBe('running');
    const cancelAnswered = page.waitForResponse((r) => r.url().includes('datasetsCancel'));
    await page.getByTestId('export-cancel').click();
    expect((await cancelAnswered).ok()).toBe(true);
    fs.writeFileSync(`${outDir}.release`, '');
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('export-result').textContent()).toContain('Export cancelled');
    const journal = readJournal(outDir)!;
    expect(journal.status).toBe('cancelled');
    expect(journal.exported).toBeLessThan(crops);
    await page.getByTestId('export-start').click();
    await expect.poll(() => page.getByTestId('export-result').textContent(), { timeout: 120_000 }).toContain(`Exported: ${crops} of ${crops} crops`);
    expect(await page.getByTestId('export-result').textContent()).toContain('resumed');
    expect(readBack(outDir, 'webdataset').length).toBe(crops);
    await page.close();
    expect(errors).toEqual([]);
  });
});
