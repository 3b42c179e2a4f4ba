import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeGif, gifSequence, writeGif } from '../ml/aging/writers.js';
import { StripSpool } from '../ml/aging/strip-spool.js';
import { writeContactSheet } from '../ml/aging/contact-sheet.js';
import type { RawImage } from '../ml/estimators/image.js';
import { tempDir } from './helpers/env.js';

const COLOURS: [number, number, number][] = [
  [220, 20, 20],
  [20, 200, 20],
  [20, 20, 220],
  [230, 230, 30],
];

function solid(w: number, h: number, rgb: [number, number, number]): RawImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return { data, width: w, height: h, channels: 3 };
}

async function pixel(buf: Buffer | string, x: number, y: number, opts?: { animated?: boolean }): Promise<number[]> {
  const { data, info } = await sharp(buf, opts).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

describe('aging writers', () => {
  const frames = COLOURS.map((c) => solid(40, 30, c));

  it('ping-pong order', () => {
    expect(gifSequence(4)).toEqual([0, 1, 2, 3, 2, 1]);
    expect(gifSequence(4, false)).toEqual([0, 1, 2, 3]);
    expect(gifSequence(2)).toEqual([0, 1]);
  });

  it('an animated GIF: ping-pong frames in order, looping forever, at the given fps', async () => {
    const gif = await encodeGif(frames, { fps: 5 });
    const meta = await sharp(gif, { animated: true }).metadata();
    expect(meta.format).toBe('gif');
    expect(meta.pages).toBe(6);
    expect(meta.width).toBe(40);
    expect(meta.pageHeight).toBe(30);
    expect(meta.loop).toBe(0);
    expect(meta.delay).toEqual([200, 200, 200, 200, 200, 200]);
    const { data, info } = await sharp(gif, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const expected = [0, 1, 2, 3, 2, 1];
    expected.forEach((k, page) => {
      const i = ((page * 30 + 15) * info.width + 20) * info.channels;
      const got = [data[i]!, data[i + 1]!, data[i + 2]!];
      COLOURS[k]!.forEach((v, c) => expect(Math.abs(got[c]! - v)).toBeLessThanOrEqual(8));
    });
  });

  it('without ping-pong the GIF has one page per frame, even when two frames are identical', async () => {
    const gif = await encodeGif([frames[0]!, frames[0]!, frames[1]!], { pingPong: false, fps: 10 });
    const meta = await sharp(gif, { animated: true }).metadata();
    expect(meta.pages).toBe(3);
    expect(meta.delay).toEqual([100, 100, 100]);
  });

  it('refuses frames of different sizes and a bad fps', async () => {
    await expect(encodeGif([solid(10, 10, [0, 0, 0]), solid(12, 10, [0, 0, 0])])).rejects.toThrow(/differ in size/);
    await expect(encodeGif(frames, { fps: 0 })).rejects.toThrow(/fps/);
    await expect(encodeGif([])).rejects.toThrow(/no frames/);
  });

  /** A strip made as the aging paths make it: the frames spooled one at a time, then joined. */
  async function writeStrip(file: string, of: RawImage[]): Promise<void> {
    const spool = new StripSpool(file);
    for (const f of of) await spool.add(f);
    await spool.write();
  }

  it('a strip of one frame is that frame', async () => {
    const strip = path.join(tempDir('writers'), 'one.png');
    await writeStrip(strip, [frames[2]!]);
    const meta = await sharp(strip).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 30]);
    expect(await pixel(strip, 20, 15)).toEqual(COLOURS[2]);
  });

  it('a PNG strip holds the frames left to right at full size; a contact sheet stacks strips', async () => {
    const dir = tempDir('writers');
    const strip = path.join(dir, 'a.png');
    await writeStrip(strip, frames);
    const meta = await sharp(strip).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 160, 30]);
    for (let k = 0; k < 4; k++) expect(await pixel(strip, k * 40 + 20, 15)).toEqual(COLOURS[k]);
    await writeGif(path.join(dir, 'a.gif'), frames);
    expect(fs.existsSync(path.join(dir, 'a.gif'))).toBe(true);
    // No temporary file of the atomic writes, no spooled frame of the strip.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.chronoface-strip-'))).toEqual([]);
    const strip2 = path.join(dir, 'b.png');
    await writeStrip(strip2, frames.slice(0, 2).map((f) => solid(20, 20, [f.data[0]!, f.data[1]!, f.data[2]!])));
    const sheet = path.join(dir, 'sheet.png');
    await writeContactSheet(sheet, [{ label: 'a', stripFile: strip }, { label: 'b', stripFile: strip2 }], { rowHeight: 60, labelWidth: 100, ages: [20, 30, 40, 50] });
    const sm = await sharp(sheet).metadata();
    expect(sm.height).toBe(24 + 2 * 60);
    expect(sm.width).toBe(100 + 320);
    // Row 2's first frame (scaled 3x) sits under the label column.
    expect(await pixel(sheet, 100 + 30, 24 + 60 + 30)).toEqual(COLOURS[0]);
    expect(await pixel(sheet, 100 + 90, 24 + 60 + 30)).toEqual(COLOURS[1]);
  });
});
