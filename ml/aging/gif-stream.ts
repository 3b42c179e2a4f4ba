import sharp from 'sharp';
import type { RawImage } from '../estimators/image.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { assembleAnimatedGif, parseFirstImage, type GifImage } from './gif-blocks.js';
import { lzwEncode } from './gif-lzw.js';
import { maskBoundingBox } from './mask-box.js';
import { PaletteSearch } from './palette-search.js';
import { gifSequence, type GifOptions } from './writers.js';

/**
 * Pixels a palette is chosen from: enough for imagequant to see every colour that covers a visible area. On bench:age's
 * frames 16,384 give the same error as 65,536 (mean |error| 1.16 against 1.15 per channel) at a third of imagequant's time.
 */
const PALETTE_SAMPLE = 1 << 14;

/**
 * A frame's box takes at most this many bytes to be copied and quantised while the next frame's palette is chosen
 * (bench:age's photo: 0.4 MB a frame). Larger frames (team photos) are quantised in place, one at a time, so a 100-MP
 * photo never holds a second frame.
 */
const OVERLAP_BYTES = 16 << 20;

/** A frame's pixels from row `top` on (all of a frame, or a copy of the rows of its box). */
interface Rows {
  readonly data: Uint8Array;
  readonly width: number;
  readonly channels: number;
  readonly top: number;
}

/** A frame whose palette is being chosen (by imagequant, on a libuv thread) and which waits to be quantised. */
interface Pending {
  readonly rows: Rows;
  readonly box: Box;
  readonly spans: Spans;
  readonly transparent: boolean;
  readonly palette: Promise<Uint8Array>;
}

/**
 * An animated GIF written one frame at a time, so a 100-MP photo never needs more than the frame in hand: each frame
 * is quantised and LZW-compressed as it arrives and only its compressed image is kept. The first frame is stored
 * whole; every later one only over the bounding box of `changing` (1 = the pixel may differ between frames),
 * transparent elsewhere, so the pixels that never change show the first frame's colours in every frame. Colours: a
 * palette per frame chosen by imagequant (sharp) from a sample of the frame, then each pixel is the nearest palette
 * colour (squared RGB distance), no dithering. A small frame is quantised during the next `add` while imagequant
 * chooses the next palette on its thread; `finish` quantises the last.
 */
export class GifStream {
  private readonly images: GifImage[] = [];
  private readonly box: Box | null;
  /** The runs of changing pixels, which the later frames carry. */
  private readonly spans: Spans;
  private readonly whole: Box;
  private readonly wholeSpans: Spans;
  private added = 0;
  private pending: Pending | null = null;
  /** The nearest-colour search, its tables reused from frame to frame. */
  private readonly search = new PaletteSearch(new Uint8Array(3));

  constructor(
    readonly width: number,
    readonly height: number,
    changing: Uint8Array,
    private readonly options: GifOptions = {},
    private readonly overlapBytes = OVERLAP_BYTES,
  ) {
    if (changing.length !== width * height) throw new Error(`the change map has ${changing.length} pixels, expected ${width * height}`);
    this.box = maskBoundingBox(changing, width, height);
    this.spans = this.box ? maskSpans(changing, width, this.box) : { runs: new Int32Array(0), pixels: 0 };
    this.whole = { x0: 0, y0: 0, x1: width, y1: height };
    this.wholeSpans = wholeSpans(this.whole);
  }

  get frames(): number {
    return this.added;
  }

  async add(frame: RawImage): Promise<void> {
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new Error(`frames differ in size: ${this.width}x${this.height} vs ${frame.width}x${frame.height}`);
    }
    const later = this.added > 0 && this.box !== null;
    const box = later ? this.box! : this.whole;
    const spans = later ? this.spans : this.wholeSpans;
    // The first frame's palette is drawn half from the changing pixels (the faces), which the later frames show
    // with palettes of their own: so the faces do not lose colours to the background in the first frame only.
    const sample = later || !this.box
      ? paletteSample(frame, spans)
      : joinSamples(paletteSample(frame, spans, PALETTE_SAMPLE / 2), paletteSample(frame, this.spans, PALETTE_SAMPLE / 2));
    const palette = choosePalette(sample, later ? 255 : 256);
    // A rejection is reported by the await that takes the palette; until then it must not count as unhandled.
    palette.catch(() => undefined);
    this.added++;
    await this.flush();
    const bytes = (box.y1 - box.y0) * frame.width * frame.channels;
    if (bytes <= this.overlapBytes) {
      const data = frame.data.slice(box.y0 * frame.width * frame.channels, box.y1 * frame.width * frame.channels);
      this.pending = { rows: { data, width: frame.width, channels: frame.channels, top: box.y0 }, box, spans, transparent: later, palette };
    } else {
      this.images.push(quantiseRegion({ data: frame.data, width: frame.width, channels: frame.channels, top: 0 }, box, spans, later, await palette, this.search));
    }
  }

  /** Quantises the frame that waits, if any. */
  private async flush(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.images.push(quantiseRegion(p.rows, p.box, p.spans, p.transparent, await p.palette, this.search));
  }

  /** The GIF: the frames in order (forward then back with pingPong), looping forever. */
  async finish(): Promise<Buffer> {
    await this.flush();
    const n = this.images.length;
    const fps = this.options.fps ?? 6;
    if (!(fps > 0 && fps <= 100)) throw new Error(`fps must be in (0, 100], got ${fps}`);
    const frameCs = 100 / fps;
    const holdCs = (this.options.holdEndsMs ?? 0) / 10;
    return assembleAnimatedGif(
      this.width,
      this.height,
      gifSequence(n, this.options.pingPong ?? true).map((idx) => ({
        image: this.images[idx]!,
        left: 0,
        top: 0,
        delayCs: frameCs + (idx === 0 || idx === n - 1 ? holdCs : 0),
      })),
    );
  }

  async write(file: string): Promise<void> {
    await writeFileAtomic(file, await this.finish());
  }
}

/** Two samples as one image: their pixels one after the other, in rows of the first's width. */
function joinSamples(a: RawImage, b: RawImage): RawImage {
  const pixels = (a.data.length + b.data.length) / 3;
  const height = Math.ceil(pixels / a.width);
  const data = new Uint8Array(a.width * height * 3);
  data.set(a.data);
  data.set(b.data, a.data.length);
  // The cells past the end repeat the first pixel, which adds no colour of its own.
  for (let o = a.data.length + b.data.length; o < data.length; o += 3) data.copyWithin(o, 0, 3);
  return { data, width: a.width, height, channels: 3 };
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Pixels of a frame as runs along rows: [y, x0, x1) triples, and how many pixels they hold. */
interface Spans {
  readonly runs: Int32Array;
  readonly pixels: number;
}

/** Every row of the box as one run. */
function wholeSpans(r: Box): Spans {
  const runs = new Int32Array(3 * (r.y1 - r.y0));
  for (let y = r.y0, o = 0; y < r.y1; y++, o += 3) {
    runs[o] = y;
    runs[o + 1] = r.x0;
    runs[o + 2] = r.x1;
  }
  return { runs, pixels: (r.x1 - r.x0) * (r.y1 - r.y0) };
}

/** The runs of 1s of a width-wide mask within the box. */
function maskSpans(mask: Uint8Array, width: number, r: Box): Spans {
  const runs: number[] = [];
  let pixels = 0;
  for (let y = r.y0; y < r.y1; y++) {
    const row = mask.subarray(y * width, (y + 1) * width);
    let x = row.indexOf(1, r.x0);
    while (x >= 0 && x < r.x1) {
      let end = row.indexOf(0, x);
      if (end < 0 || end > r.x1) end = r.x1;
      runs.push(y, x, end);
      pixels += end - x;
      x = row.indexOf(1, end);
    }
  }
  return { runs: Int32Array.from(runs), pixels };
}

/** About `size` pixels of the spans, evenly spread over them, as one RGB image for imagequant. */
function paletteSample(frame: RawImage, spans: Spans, size = PALETTE_SAMPLE): RawImage {
  const ch = frame.channels;
  const step = Math.max(1, spans.pixels / size);
  const n = Math.max(1, Math.min(spans.pixels, Math.floor(spans.pixels / step)));
  const side = Math.ceil(Math.sqrt(n));
  const data = new Uint8Array(side * side * 3);
  const { runs } = spans;
  let o = 0;
  // The next pixel to take, counted along the spans; `seen` pixels lie in the spans before the current one.
  let nextAt = 0;
  let seen = 0;
  for (let s = 0; s < runs.length && o < data.length; s += 3) {
    const len = runs[s + 2]! - runs[s + 1]!;
    const base = runs[s]! * frame.width + runs[s + 1]!;
    for (; nextAt < seen + len && o < data.length; nextAt += step) {
      const p = (base + Math.floor(nextAt) - seen) * ch;
      data[o++] = frame.data[p]!;
      data[o++] = frame.data[p + 1]!;
      data[o++] = frame.data[p + 2]!;
    }
    seen += len;
  }
  // Unfilled cells repeat the first sampled pixel, which adds no colour of its own.
  for (; o < data.length; o += 3) data.copyWithin(o, 0, 3);
  return { data, width: side, height: side, channels: 3 };
}

/** Up to `max` distinct colours chosen by imagequant for the sample, as RGB triplets. */
async function choosePalette(sample: RawImage, max: number): Promise<Uint8Array> {
  const gif = await sharp(sample.data, { raw: { width: sample.width, height: sample.height, channels: 3 } })
    .gif({ colours: max, effort: 1, dither: 0 })
    .toBuffer();
  const table = parseFirstImage(gif).table;
  const seen = new Set<number>();
  const out: number[] = [];
  for (let i = 0; i + 2 < table.length && seen.size < max; i += 3) {
    const key = (table[i]! << 16) | (table[i + 1]! << 8) | table[i + 2]!;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(table[i]!, table[i + 1]!, table[i + 2]!);
  }
  return Uint8Array.from(out);
}

/**
 * The box of a frame as a GIF image with `palette` (as chosen for the pixels of `spans`). With `transparent`, only the
 * pixels of `spans` are drawn and the rest of the box is transparent; else `spans` covers the box.
 */
function quantiseRegion(frame: Rows, r: Box, spans: Spans, transparent: boolean, palette: Uint8Array, search: PaletteSearch): GifImage {
  search.reset(palette);
  const colours = palette.length / 3;
  const transparentIndex = transparent ? colours : null;
  const entries = colours + (transparent ? 1 : 0);
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(2, entries))));
  const table = Buffer.alloc(3 * (1 << bits));
  table.set(palette);
  const w = r.x1 - r.x0;
  const indices = new Uint8Array(w * (r.y1 - r.y0));
  if (transparentIndex !== null) indices.fill(transparentIndex);
  const ch = frame.channels;
  const px = frame.data;
  const { runs } = spans;
  for (let s = 0; s < runs.length; s += 3) {
    const y = runs[s]!;
    const x0 = runs[s + 1]!;
    let p = ((y - frame.top) * frame.width + x0) * ch;
    let o = (y - r.y0) * w + x0 - r.x0;
    for (let x = x0; x < runs[s + 2]!; x++, p += ch) indices[o++] = search.nearest(px[p]!, px[p + 1]!, px[p + 2]!);
  }
  return { left: r.x0, top: r.y0, width: w, height: r.y1 - r.y0, table, transparentIndex, data: lzwEncode(indices, bits) };
}
