import sharp from 'sharp';
import type { RawImage } from '../estimators/image.js';
import { writeFileAtomic } from './files.js';

export interface GifOptions {
  /** Frames per second (default 6). */
  readonly fps?: number;
  /** Play forward then back (default true): frames 0..n-1 then n-2..1. */
  readonly pingPong?: boolean;
  /** Extra hold on the first and last frame, in ms (default 0). */
  readonly holdEndsMs?: number;
  /** Floyd-Steinberg dithering 0..1 (default 0.7) and encoder effort 1..10 (default 1: the GIF dominates the time to GIF). */
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

/** Encodes an animated GIF that loops forever. All frames must share one size. */
export async function encodeGif(frames: readonly RawImage[], options: GifOptions = {}): Promise<Buffer> {
  const { width, height } = sameSize(frames);
  const fps = options.fps ?? 6;
  if (!(fps > 0 && fps <= 100)) throw new Error(`fps must be in (0, 100], got ${fps}`);
  const order = gifSequence(frames.length, options.pingPong ?? true);
  const pixels = frames.map(rgb);
  const pageBytes = width * height * 3;
  const stacked = Buffer.alloc(pageBytes * order.length);
  order.forEach((idx, k) => stacked.set(pixels[idx]!, k * pageBytes));
  const frameMs = Math.round(1000 / fps);
  const hold = options.holdEndsMs ?? 0;
  const delay = order.map((idx) => frameMs + (idx === 0 || idx === frames.length - 1 ? hold : 0));
  return sharp(stacked, { raw: { width, height: height * order.length, channels: 3, pageHeight: height } })
    .gif({ loop: 0, delay, keepDuplicateFrames: true, effort: options.effort ?? 1, dither: options.dither ?? 0.7 })
    .toBuffer();
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

export async function encodePng(img: RawImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 3 | 4 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** A PNG strip: the frames left to right, each at its own full size. */
export async function writeStrip(file: string, frames: readonly RawImage[]): Promise<void> {
  await writeFileAtomic(file, await encodePng(joinHorizontally(frames)));
}
