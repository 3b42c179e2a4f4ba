import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openStudio, screenshot, startStudio, type Studio } from './helpers/e2e-studio.js';
import { tempDir } from './helpers/env.js';
import { makeGroupPhoto, type GroupPhoto } from './helpers/group-photo.js';

let studio: Studio;
let browser: Browser;
let dataDir = '';
let group: GroupPhoto;
const errors: string[] = [];

beforeAll(async () => {
  // A fresh data directory: the studio ages with the model that ships with the app.
  dataDir = tempDir('e2e-team');
  group = await makeGroupPhoto({ faces: 3, widths: [340, 390], canvas: [1900, 800], seed: 11 });
  studio = await startStudio(dataDir);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('age screen: a team photo (browser mode)', () => {
  it('drop a group photo, untick one face, draw one, "Age the team": the group GIF appears', async () => {
    const page = await openStudio(browser, studio, '#/age', errors);
    const zone = page.getByTestId('age-dropzone');
    await zone.waitFor();
    await zone.evaluate(
      (el, base64) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'team.jpg', { type: 'image/jpeg' }));
        for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      },
      group.jpeg.toString('base64'),
    );
    await page.getByTestId('team-view').waitFor({ timeout: 170_000 });
    const outlines = page.getByTestId('team-outline');
    const found = await outlines.count();
    expect(found).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'team-found');
    // Each card shows, before any aging, the age and gender its aging starts from with the gender's probability;
    // below 0.7 the gender is flagged, and setting it clears the flag.
    const estimates = await page.getByTestId('team-estimate').allTextContents();
    expect(estimates).toHaveLength(found);
    const probabilities = estimates.map((t) => {
      const m = /Estimated: age (\d+) · (male|female) \(p = (0\.\d\d|1\.00)\)/.exec(t);
      expect(m, t).not.toBeNull();
      return Number(m![3]);
    });
    const unsure = probabilities.filter((p) => p < 0.7).length;
    expect(await page.getByTestId('team-gender-uncertain').count()).toBe(unsure);
    if (unsure > 0) {
      const at = probabilities.findIndex((p) => p < 0.7);
      await page.getByTestId('team-gender').nth(at).selectOption('female');
      await expect.poll(() => page.getByTestId('team-gender-uncertain').count()).toBe(unsure - 1);
      await page.getByTestId('team-gender').nth(at).selectOption('');
    }

    // Untick the second face.
    await page.getByTestId('team-tick').nth(1).uncheck();
    // Draw a box around a face the detector missed; when it missed none, around the unticked one.
    const boxes = await outlines.evaluateAll((rects) => rects.map((r) => ['x', 'y', 'width', 'height'].map((k) => Number(r.getAttribute(k)))));
    const covered = (b: readonly number[]) => boxes.some(([x, y, w, h]) => b[0]! + b[2]! / 2 > x! && b[0]! + b[2]! / 2 < x! + w! && b[1]! + b[3]! / 2 > y! && b[1]! + b[3]! / 2 < y! + h!);
    const target = group.boxes.find((b) => !covered(b)) ?? boxes[1]!;
    await page.getByTestId('team-draw').click();
    const [a, b] = await page.getByTestId('team-photo').evaluate((svg, t) => {
      const m = (svg as SVGSVGElement).getScreenCTM()!;
      const at = (x: number, y: number) => new DOMPoint(x, y).matrixTransform(m);
      const p = at(t[0]! - t[2]! * 0.1, t[1]! - t[3]! * 0.1);
      const q = at(t[0]! + t[2]! * 1.1, t[1]! + t[3]! * 1.1);
      return [[p.x, p.y], [q.x, q.y]];
    }, [...target]);
    await page.mouse.move(a![0]!, a![1]!);
    await page.mouse.down();
    await page.mouse.move((a![0]! + b![0]!) / 2, (a![1]! + b![1]!) / 2, { steps: 4 });
    await page.mouse.move(b![0]!, b![1]!, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('team-card').count(), { timeout: 60_000 }).toBe(found + 1);
    await expect.poll(() => page.getByTestId('team-card').last().textContent()).toContain('(drawn)');
    await screenshot(page, 'team-drawn');

    await page.getByTestId('team-run').click();
    const gif = page.getByTestId('team-result-gif');
    await gif.waitFor({ timeout: 300_000 });
    const info = await gif.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      return { width: img.naturalWidth, height: img.naturalHeight, magic: String.fromCharCode(...bytes.slice(0, 6)) };
    });
    expect(info).toEqual({ width: group.width, height: group.height, magic: 'GIF89a' });
    // The ticked faces and the drawn one were aged: one unticked of the found, plus the drawn.
    await expect.poll(() => page.locator('.result figcaption').textContent()).toContain(`${found} faces aged together`);
    await screenshot(page, 'team-gif');
    await page.close();
    expect(errors).toEqual([]);
  });
});
