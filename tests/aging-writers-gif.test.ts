import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { changedRegion, encodeGif } from '../ml/aging/writers.js';
import { assembleAnimatedGif, parseFirstImage } from '../ml/aging/gif-blocks.js';
import type { RawImage } from '../ml/estimators/image.js';

const W = 120;
const H = 90;
/** The face region that changes between frames. */
const BOX = { x0: 30, y0: 20, x1: 80, y1: 70 };

/** A patterned background with frame k's colours inside BOX: under 256 colours, so the GIF only loses what effort 1
 *  costs (imagequant keeps 7 bits a channel: off by 1 at most). */
function frame(k: number): RawImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const inBox = x >= BOX.x0 && x < BOX.x1 && y >= BOX.y0 && y < BOX.y1;
      // Inside the box, a ring of pixels keeps the background: constant in every frame although inside the region.
      const ring = inBox && (x - 55) ** 2 + (y - 45) ** 2 < 60;
      if (inBox && !ring) {
        data[i] = 40 + 20 * k;
        data[i + 1] = (x * 3 + k * 17) % 256;
        data[i + 2] = 200 - 15 * k;
      } else {
        data[i] = (x % 10) * 25;
        data[i + 1] = (y % 9) * 28;
        data[i + 2] = 90;
      }
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

async function pages(gif: Buffer): Promise<{ data: Buffer; count: number }> {
  const { data, info } = await sharp(gif, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(W);
  return { data, count: info.height / H };
}

/** left, top, width, height of every image in a GIF. */
function imageRects(gif: Buffer): number[][] {
  const rects: number[][] = [];
  let p = 13 + (gif[10]! & 0x80 ? 3 * (2 << (gif[10]! & 7)) : 0);
  while (gif[p] !== 0x3b) {
    if (gif[p] === 0x21) {
      p += 2;
    } else {
      expect(gif[p]).toBe(0x2c);
      rects.push([0, 2, 4, 6].map((o) => gif.readUInt16LE(p + 1 + o)));
      const packed = gif[p + 9]!;
      p += 10 + (packed & 0x80 ? 3 * (2 << (packed & 7)) : 0) + 1;
    }
    while (gif[p] !== 0) p += gif[p]! + 1;
    p++;
  }
  return rects;
}

describe('GIF encoding: each frame encoded once, ping-pong from the same bytes', () => {
  const frames = [0, 1, 2, 3, 4].map(frame);

  it('decodes to the input frames in ping-pong order, with the unchanged pixels identical on every page', async () => {
    const gif = await encodeGif(frames, { fps: 8, holdEndsMs: 300 });
    const meta = await sharp(gif, { animated: true }).metadata();
    expect([meta.pages, meta.loop, meta.pageHeight]).toEqual([8, 0, H]);
    // 1000 / 8 = 125 ms = 12.5 cs, rounded to 13 cs; the first and last frames hold 300 ms more.
    expect(meta.delay).toEqual([430, 130, 130, 130, 430, 130, 130, 130]);
    const { data, count } = await pages(gif);
    expect(count).toBe(8);
    const page = W * H * 3;
    const first = data.subarray(0, page);
    const unchanged = changedRegion(frames.map((f) => f.data), W, H)!;
    const isConstant = (px: number): boolean => {
      const x = (px % W) - unchanged.x0;
      const y = Math.floor(px / W) - unchanged.y0;
      return x < 0 || y < 0 || x >= unchanged.width || y >= unchanged.height || unchanged.constant[y * unchanged.width + x] === 1;
    };
    [0, 1, 2, 3, 4, 3, 2, 1].forEach((k, p) => {
      const got = data.subarray(p * page, (p + 1) * page);
      let wrong = 0;
      let moved = 0;
      for (let i = 0; i < page; i++) {
        if (Math.abs(got[i]! - frames[k]!.data[i]!) > 1) wrong++;
        if (isConstant(Math.floor(i / 3)) && got[i] !== first[i]) moved++;
      }
      expect(wrong, `page ${p} (frame ${k})`).toBe(0);
      expect(moved, `page ${p} (frame ${k})`).toBe(0);
    });
  });

  it('the first frame covers the screen; the others only the changed region, the way back reusing their bytes', async () => {
    const gif = await encodeGif(frames, { fps: 8 });
    const rects = imageRects(gif);
    expect(rects).toHaveLength(8);
    expect(rects[0]).toEqual([0, 0, W, H]);
    for (const r of rects.slice(1)) expect(r).toEqual([BOX.x0, BOX.y0, BOX.x1 - BOX.x0, BOX.y1 - BOX.y0]);
    // Smaller than the same animation with every page encoded whole by sharp.
    const page = W * H * 3;
    const stacked = Buffer.concat([0, 1, 2, 3, 4, 3, 2, 1].map((k) => Buffer.from(frames[k]!.data)));
    expect(stacked.length).toBe(page * 8);
    const whole = await sharp(stacked, { raw: { width: W, height: H * 8, channels: 3, pageHeight: H } }).gif({ keepDuplicateFrames: true, effort: 1, dither: 0 }).toBuffer();
    expect(gif.length).toBeLessThan(whole.length);
  });

  it('changedRegion: the bounding box of every change, and which pixels in it never change', () => {
    const r = changedRegion(frames.map((f) => f.data), W, H)!;
    expect([r.x0, r.y0, r.width, r.height]).toEqual([BOX.x0, BOX.y0, BOX.x1 - BOX.x0, BOX.y1 - BOX.y0]);
    // The ring at (55, 45) keeps the background in every frame; the box corner changes.
    expect(r.constant[(45 - BOX.y0) * r.width + (55 - BOX.x0)]).toBe(1);
    expect(r.constant[0]).toBe(0);
    expect(changedRegion([frames[2]!.data, frames[2]!.data], W, H)).toBeNull();
  });

  it('identical frames still give one page each', async () => {
    const gif = await encodeGif([frames[1]!, frames[1]!, frames[1]!], { fps: 4 });
    const { data, count } = await pages(gif);
    expect(count).toBe(4);
    const page = W * H * 3;
    for (let p = 0; p < 4; p++) {
      const got = data.subarray(p * page, (p + 1) * page);
      expect(got.every((v, i) => Math.abs(v - frames[1]!.data[i]!) <= 1)).toBe(true);
      expect(Buffer.compare(got, data.subarray(0, page))).toBe(0);
    }
  });

  it('RGBA frames are written without their alpha', async () => {
    const rgba = frames.slice(0, 2).map((f) => {
      const data = new Uint8Array(W * H * 4);
      for (let i = 0; i < W * H; i++) data.set([f.data[i * 3]!, f.data[i * 3 + 1]!, f.data[i * 3 + 2]!, i % 2 ? 0 : 255], i * 4);
      return { data, width: W, height: H, channels: 4 };
    });
    const { data, count } = await pages(await encodeGif(rgba, { fps: 4 }));
    expect(count).toBe(2);
    expect(data.subarray(W * H * 3).every((v, i) => Math.abs(v - frames[1]!.data[i]!) <= 1)).toBe(true);
  });

  it('rejects what is not a GIF, and frames that do not fit the screen', async () => {
    expect(() => parseFirstImage(Buffer.from('PNG not a gif'))).toThrow(/not a GIF/);
    const image = parseFirstImage(await sharp(Buffer.from(frames[0]!.data), { raw: { width: W, height: H, channels: 3 } }).gif().toBuffer());
    expect([image.left, image.top, image.width, image.height, image.table.length % 3]).toEqual([0, 0, W, H, 0]);
    expect(() => assembleAnimatedGif(W - 1, H, [{ image, left: 0, top: 0, delayCs: 10 }])).toThrow(/does not fit/);
    expect(() => assembleAnimatedGif(W, H, [])).toThrow(/no frames/);
  });
});
