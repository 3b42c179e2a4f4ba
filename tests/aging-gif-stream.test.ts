import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GifStream } from '../ml/aging/gif-stream.js';
import { PaletteSearch } from '../ml/aging/palette-search.js';
import { assembleAnimatedGif, parseFirstImage } from '../ml/aging/gif-blocks.js';
import { lzwEncode } from '../ml/aging/gif-lzw.js';
import { tempDir } from './helpers/env.js';
import type { RawImage } from '../ml/estimators/image.js';

const W = 257;
const H = 131;

/** A photo-like frame (smooth gradients and noise: thousands of colours) whose inside of `changing` shifts with k. */
function frame(k: number, changing: Uint8Array): RawImage {
  const data = new Uint8Array(W * H * 3);
  let s = 99;
  for (let i = 0; i < W * H; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const x = i % W;
    const y = (i / W) | 0;
    const n = (s >> 16) % 24;
    const shift = changing[i] ? 30 * k : 0;
    data[i * 3] = Math.min(255, 40 + x * 0.6 + n + shift);
    data[i * 3 + 1] = 60 + y * 0.9 + n;
    data[i * 3 + 2] = Math.max(0, 180 - x * 0.3 - shift);
  }
  return { data, width: W, height: H, channels: 3 };
}

/**
 * The frames of a GIF file as Pillow (an independent decoder, as image viewers use) shows them: RGB, one after the
 * other, or with `indices` the palette indices of a single-image GIF.
 */
function pillowFrames(file: string, indices = false): Buffer {
  const script = indices
    ? 'import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nsys.stdout.buffer.write(im.tobytes())'
    : 'import sys\nfrom PIL import Image, ImageSequence\nim = Image.open(sys.argv[1])\nfor f in ImageSequence.Iterator(im):\n    sys.stdout.buffer.write(f.convert("RGB").tobytes())';
  // The system Python, which has Pillow.
  return execFileSync('/usr/bin/python3', ['-c', script, file], { maxBuffer: 1 << 28 });
}

function nearestBrute(table: Buffer, colours: number, r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < colours; i++) {
    const d = (table[i * 3]! - r) ** 2 + (table[i * 3 + 1]! - g) ** 2 + (table[i * 3 + 2]! - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

describe('GifStream (frames written one at a time)', () => {
  it('keeps every pixel outside the change map at the first frame, and each pixel is its nearest palette colour', async () => {
    const changing = new Uint8Array(W * H);
    for (let y = 30; y < 90; y++) for (let x = 50; x < 200; x++) if ((x - 125) ** 2 / 75 ** 2 + (y - 60) ** 2 / 30 ** 2 < 1) changing[y * W + x] = 1;
    const frames = [0, 1, 2, 3].map((k) => frame(k, changing));
    const stream = new GifStream(W, H, changing, { pingPong: false });
    for (const f of frames) await stream.add(f);
    const gif = await stream.finish();
    const { data, info } = await sharp(gif, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([W, H * 4]);
    // The first image's table is the GIF's global table: the first frame's colours.
    const first = parseFirstImage(gif);
    const colours = first.table.length / 3;
    let outsideDiffers = 0;
    let notNearest = 0;
    for (let i = 0; i < W * H; i++) {
      const p = i * 3;
      const src = frames[0]!.data;
      const at = nearestBrute(first.table, colours, src[p]!, src[p + 1]!, src[p + 2]!);
      const d0 = (first.table[at * 3]! - data[p]!) ** 2 + (first.table[at * 3 + 1]! - data[p + 1]!) ** 2 + (first.table[at * 3 + 2]! - data[p + 2]!) ** 2;
      if (d0 !== 0) notNearest++;
      if (changing[i]) continue;
      for (let k = 1; k < 4; k++) {
        const q = (k * W * H + i) * 3;
        if (data[q] !== data[p] || data[q + 1] !== data[p + 1] || data[q + 2] !== data[p + 2]) outsideDiffers++;
      }
    }
    expect(outsideDiffers).toBe(0);
    expect(notNearest).toBe(0);
    // Inside the change map the later frames follow their own pixels closely (a palette of 255 for the region).
    let err = 0;
    let n = 0;
    for (let k = 1; k < 4; k++) {
      for (let i = 0; i < W * H; i++) {
        if (!changing[i]) continue;
        for (let c = 0; c < 3; c++) err += Math.abs(data[(k * W * H + i) * 3 + c]! - frames[k]!.data[i * 3 + c]!);
        n += 3;
      }
    }
    expect(err / n).toBeLessThan(3);
    expect(gif.length).toBeLessThan(W * H * 4);
  });

  it('frames given in one buffer that is rewritten after each add (as streamFrames does) come out as given, quantised in place or while the next palette is chosen alike', async () => {
    const changing = new Uint8Array(W * H);
    for (let y = 20; y < 110; y++) for (let x = 30; x < 220; x += 1) if ((x + y) % 5 !== 0) changing[y * W + x] = 1;
    const frames = [0, 1, 2, 3, 4].map((k) => frame(k, changing));
    const gifs: Buffer[] = [];
    for (const overlapBytes of [0, 1 << 24]) {
      const stream = new GifStream(W, H, changing, { pingPong: false }, overlapBytes);
      const shared: RawImage = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 };
      for (const f of frames) {
        shared.data.set(f.data);
        await stream.add(shared);
        shared.data.fill(0);
      }
      expect(stream.frames).toBe(5);
      gifs.push(await stream.finish());
    }
    expect(gifs[1]!.equals(gifs[0]!)).toBe(true);
    const { data, info } = await sharp(gifs[1]!, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([W, H * 5]);
    for (let k = 0; k < 5; k++) {
      let err = 0;
      let worst = 0;
      for (let i = 0; i < W * H * 3; i++) {
        const e = Math.abs(data[k * W * H * 3 + i]! - (changing[Math.floor(i / 3)] ? frames[k]! : frames[0]!).data[i]!);
        err += e;
        worst = Math.max(worst, e);
      }
      expect(err / (W * H * 3)).toBeLessThan(3);
      expect(worst).toBeLessThan(40);
    }
  });

  it('an empty change map writes whole frames; a frame of another size is refused', async () => {
    const none = new Uint8Array(W * H);
    const stream = new GifStream(W, H, none);
    await stream.add(frame(0, none));
    await stream.add(frame(1, none));
    await expect(stream.add({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 })).rejects.toThrow(/frames differ in size: 257x131 vs 2x2/);
    const meta = await sharp(await stream.finish(), { animated: true }).metadata();
    expect(meta.pages).toBe(2);
    expect(meta.loop).toBe(0);
  });

  it('PaletteSearch finds the same colour as a full search', () => {
    const palette = new Uint8Array(3 * 200);
    let s = 7;
    for (let i = 0; i < palette.length; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      palette[i] = (s >> 16) & 0xff;
    }
    const search = new PaletteSearch(palette);
    for (let t = 0; t < 5000; t++) {
      const r = (t * 37) & 0xff, g = (t * 91) & 0xff, b = (t * 53) & 0xff;
      expect(search.nearest(r, g, b)).toBe(nearestBrute(Buffer.from(palette), 200, r, g, b));
    }
  });

  it('PaletteSearch finds the same colour as a full search on a dense palette with repeated colours (of equals, the lowest index)', () => {
    // Like imagequant's palettes of a face: most colours packed round skin tones, some twice.
    const palette = new Uint8Array(3 * 256);
    let s = 11;
    const rand = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s >> 16) / 32768;
    };
    for (let i = 0; i < 256; i++) {
      const from = i % 9 === 8 ? i - 5 : -1;
      for (let c = 0; c < 3; c++) palette[i * 3 + c] = from >= 0 ? palette[from * 3 + c]! : i < 200 ? Math.round([190, 140, 120][c]! + 50 * (rand() - 0.5)) : Math.floor(256 * rand());
    }
    const search = new PaletteSearch(palette);
    const table = Buffer.from(palette);
    let wrong = 0;
    let asked = 0;
    for (let r = 0; r < 256; r += 3) {
      for (let g = 0; g < 256; g += 5) {
        for (let b = 0; b < 256; b += 7) {
          asked++;
          if (search.nearest(r, g, b) !== nearestBrute(table, 256, r, g, b)) wrong++;
        }
      }
    }
    expect(asked).toBeGreaterThan(100_000);
    expect(wrong).toBe(0);
  });

  it('later frames that carry only the runs of changing pixels (several apart, transparent between) decode in Pillow as in sharp', async () => {
    const w = 700;
    const h = 240;
    const changing = new Uint8Array(w * h);
    // Three "faces" far apart on long rows: most of each later frame's box is transparent runs between them.
    for (const [cx, cy, rx, ry] of [[80, 60, 50, 40], [380, 150, 70, 60], [640, 90, 45, 70]] as const) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 / rx ** 2 + (y - cy) ** 2 / ry ** 2 < 1) changing[y * w + x] = 1;
    }
    const frames = [0, 1, 2].map((k) => {
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < w * h; i++) {
        const x = i % w;
        const y = (i / w) | 0;
        const shift = changing[i] ? 35 * k : 0;
        data[i * 3] = 20 + ((x * 0.3 + y * 0.2 + ((x * y) % 9)) | 0);
        data[i * 3 + 1] = Math.min(255, 30 + y + shift);
        data[i * 3 + 2] = (200 - (x >> 2) + shift) & 0xff;
      }
      return { data, width: w, height: h, channels: 3 };
    });
    const stream = new GifStream(w, h, changing, { pingPong: false });
    for (const f of frames) await stream.add(f);
    const file = path.join(tempDir('gif-pillow'), 'runs.gif');
    fs.writeFileSync(file, await stream.finish());
    const pil = pillowFrames(file);
    const { data: viaSharp } = await sharp(file, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(pil.length).toBe(3 * w * h * 3);
    expect(pil.equals(viaSharp)).toBe(true);
    let outsideDiffers = 0;
    let err = 0;
    let n = 0;
    for (let k = 1; k < 3; k++) {
      for (let i = 0; i < w * h; i++) {
        const q = (k * w * h + i) * 3;
        if (!changing[i]) {
          if (pil[q] !== pil[i * 3] || pil[q + 1] !== pil[i * 3 + 1] || pil[q + 2] !== pil[i * 3 + 2]) outsideDiffers++;
          continue;
        }
        for (let c = 0; c < 3; c++) err += Math.abs(pil[q + c]! - frames[k]!.data[i * 3 + c]!);
        n += 3;
      }
    }
    expect(outsideDiffers).toBe(0);
    expect(err / n).toBeLessThan(4);
  });

  it('LZW of long runs of one index, past a full dictionary, decodes in Pillow to the same indices', () => {
    const w = 4000;
    const h = 2200;
    const indices = new Uint8Array(w * h).fill(5);
    // A few other indices and short runs among runs of millions of pixels (a 12-bit dictionary fills up inside one).
    for (let i = 0; i < 400; i++) indices.fill(i % 7, i * 17_203, i * 17_203 + (i % 5));
    indices.fill(2, 5_000_000, 5_000_300);
    const table = Buffer.alloc(3 * 8);
    for (let i = 0; i < 8; i++) table.set([i * 30, 255 - i * 30, (i * 90) & 0xff], i * 3);
    const gif = assembleAnimatedGif(w, h, [{ image: { left: 0, top: 0, width: w, height: h, table, transparentIndex: null, data: lzwEncode(indices, 3) }, left: 0, top: 0, delayCs: 10 }]);
    const file = path.join(tempDir('gif-pillow'), 'lzw.gif');
    fs.writeFileSync(file, gif);
    expect(pillowFrames(file, true).equals(Buffer.from(indices))).toBe(true);
  });
});
