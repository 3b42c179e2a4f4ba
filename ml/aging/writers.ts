import sharp from 'sharp';
import type { RawImage } from '../estimators/image.js';
import { writeFileAtomic, writeFileAtomicBy } from '../io/write-file-atomic.js';
import { assembleAnimatedGif, parseFirstImage } from './gif-blocks.js';
import { maskBoundingBox } from './mask-box.js';

export interface GifOptions {
  /** Frames per second (default 6). */
  readonly fps?: number;
  /** Play forward then back (default true): frames 0..n-1 then n-2..1. */
  readonly pingPong?: boolean;
  /** Extra hold on the first and last frame, in ms (default 0). */
  readonly holdEndsMs?: number;
  /** Floyd-Steinberg dithering 0..1 (default 0: smoother skin, no dither shimmer between frames, and faster) and
   *  encoder effort 1..10 (default 1). */
  readonly dither?: number;
  readonly effort?: number;
}

function sameSize(frames: readonly RawImage[]): { width: number; height: number } {
  const first = frames[0];
  if (!first) throw new Error('no frames to write');
  for (const f of frames) {
    if (f.width !== first.width || f.height !== first.height) {
      throw new Error(`frames differ in size: ${first.width}x${first.height} vs ${f.width}x${f.height}`);
    }
  }
  return { width: first.width, height: first.height };
}

/** RGB bytes of a frame (alpha dropped). */
function rgb(frame: RawImage): Uint8Array {
  if (frame.channels === 3) return frame.data;
  const out = new Uint8Array(frame.width * frame.height * 3);
  for (let i = 0, j = 0; j < out.length; i += frame.channels, j += 3) {
    out[j] = frame.data[i]!;
    out[j + 1] = frame.data[i + 1]!;
    out[j + 2] = frame.data[i + 2]!;
  }
  return out;
}

/** The frame order of the animation. */
export function gifSequence(count: number, pingPong = true): number[] {
  const forward = Array.from({ length: count }, (_, i) => i);
  if (!pingPong || count < 3) return forward;
  const back = forward.slice(1, -1).reverse();
  return [...forward, ...back];
}

/** The bounding box of the pixels that differ between any of the frames, and which of its pixels never change. */
export interface ChangedRegion {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  /** width * height: 1 where the pixel is the same in every frame. */
  readonly constant: Uint8Array;
}

export function changedRegion(pixels: readonly Uint8Array[], width: number, height: number): ChangedRegion | null {
  const first = pixels[0]!;
  const varies = new Uint8Array(width * height);
  for (let k = 1; k < pixels.length; k++) {
    const px = pixels[k]!;
    for (let i = 0, j = 0; i < varies.length; i++, j += 3) {
      if (px[j] !== first[j] || px[j + 1] !== first[j + 1] || px[j + 2] !== first[j + 2]) varies[i] = 1;
    }
  }
  const box = maskBoundingBox(varies, width, height);
  if (!box) return null;
  const { x0, y0 } = box;
  const w = box.x1 - x0;
  const h = box.y1 - y0;
  const constant = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) constant[y * w + x] = varies[(y + y0) * width + x + x0] ? 0 : 1;
  }
  return { x0, y0, width: w, height: h, constant };
}

/** The region of a frame as RGBA, transparent where no frame ever changes (the first frame shows there). */
function regionRgba(px: Uint8Array, width: number, r: ChangedRegion): Buffer {
  const out = Buffer.alloc(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    let s = ((y + r.y0) * width + r.x0) * 3;
    let o = y * r.width * 4;
    for (let x = 0; x < r.width; x++, s += 3, o += 4) {
      out[o] = px[s]!;
      out[o + 1] = px[s + 1]!;
      out[o + 2] = px[s + 2]!;
      out[o + 3] = r.constant[y * r.width + x] ? 0 : 255;
    }
  }
  return out;
}

/**
 * Encodes an animated GIF that loops forever. All frames must share one size.
 * sharp quantises and compresses each distinct frame once, in parallel: the first frame whole, the others only over
 * the region where the frames differ (transparent where nothing ever changes). Every frame is then independent of
 * the one shown before it, so the ping-pong's way back reuses the encoded frames instead of encoding them again.
 */
export async function encodeGif(frames: readonly RawImage[], options: GifOptions = {}): Promise<Buffer> {
  const { width, height } = sameSize(frames);
  const fps = options.fps ?? 6;
  if (!(fps > 0 && fps <= 100)) throw new Error(`fps must be in (0, 100], got ${fps}`);
  const order = gifSequence(frames.length, options.pingPong ?? true);
  const pixels = frames.map(rgb);
  const region = changedRegion(pixels, width, height) ?? { x0: 0, y0: 0, width: 1, height: 1, constant: new Uint8Array(1) };
  const gif = { effort: options.effort ?? 1, dither: options.dither ?? 0 };
  const images = await Promise.all(
    pixels.map(async (px, k) => {
      const input = k === 0
        ? sharp(px, { raw: { width, height, channels: 3 } })
        : sharp(regionRgba(px, width, region), { raw: { width: region.width, height: region.height, channels: 4 } });
      return parseFirstImage(await input.gif(gif).toBuffer());
    }),
  );
  const frameCs = 100 / fps;
  const holdCs = (options.holdEndsMs ?? 0) / 10;
  return assembleAnimatedGif(
    width,
    height,
    order.map((idx) => ({
      image: images[idx]!,
      left: idx === 0 ? 0 : region.x0,
      top: idx === 0 ? 0 : region.y0,
      delayCs: frameCs + (idx === 0 || idx === frames.length - 1 ? holdCs : 0),
    })),
  );
}

export async function writeGif(file: string, frames: readonly RawImage[], options: GifOptions = {}): Promise<void> {
  await writeFileAtomic(file, await encodeGif(frames, options));
}

/** Frames side by side, left to right, into one RGB image. */
export function joinHorizontally(frames: readonly RawImage[], gap = 0, background = 255): RawImage {
  const { width, height } = sameSize(frames);
  const total = width * frames.length + gap * (frames.length - 1);
  const out = new Uint8Array(total * height * 3).fill(background);
  frames.forEach((frame, k) => {
    const src = rgb(frame);
    const x0 = k * (width + gap);
    for (let y = 0; y < height; y++) out.set(src.subarray(y * width * 3, (y + 1) * width * 3), (y * total + x0) * 3);
  });
  return { data: out, width: total, height, channels: 3 };
}

export async function encodePng(img: RawImage, compressionLevel = 6): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 3 | 4 } }).png({ compressionLevel }).toBuffer();
}

/**
 * A PNG strip of frames stored as image files (PNG), left to right at their own size, made without holding them: the
 * files are read row by row as the strip is written, so a strip of ten 100-MP frames needs little memory.
 */
export async function joinStrip(file: string, frameFiles: readonly string[]): Promise<void> {
  if (frameFiles.length === 0) throw new Error('no frames to write');
  // sharp joins two images or more: a strip of one frame is that frame.
  const input = frameFiles.length === 1 ? frameFiles[0]! : [...frameFiles];
  await writeFileAtomicBy(file, async (tmp) => {
    await sharp(input, { ...(frameFiles.length > 1 ? { join: { across: frameFiles.length } } : {}), limitInputPixels: false }).png({ compressionLevel: 6 }).toFile(tmp);
  });
}
