import sharp from 'sharp';
import type { RawImage } from '../estimators/image.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { assembleAnimatedGif, parseFirstImage, type GifImage } from './gif-blocks.js';
import { lzwEncode } from './gif-lzw.js';
import { maskBoundingBox } from './mask-box.js';
import { gifSequence, type GifOptions } from './writers.js';

/** Pixels a palette is chosen from: enough for imagequant to see every colour that covers a visible area. */
const PALETTE_SAMPLE = 1 << 16;

/**
 * An animated GIF written one frame at a time, so a 100-MP photo never needs more than the frame in hand: each frame
 * is quantised and LZW-compressed as it arrives and only its compressed image is kept. The first frame is stored
 * whole; every later one only over the bounding box of `changing` (1 = the pixel may differ between frames),
 * transparent elsewhere, so the pixels that never change show the first frame's colours in every frame. Colours: a
 * palette per frame chosen by imagequant (sharp) from a sample of the frame, then each pixel is the nearest palette
 * colour (squared RGB distance), no dithering.
 */
export class GifStream {
  private readonly images: GifImage[] = [];
  private readonly box: { x0: number; y0: number; x1: number; y1: number } | null;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly changing: Uint8Array,
    private readonly options: GifOptions = {},
  ) {
    if (changing.length !== width * height) throw new Error(`the change map has ${changing.length} pixels, expected ${width * height}`);
    this.box = maskBoundingBox(changing, width, height);
  }

  get frames(): number {
    return this.images.length;
  }

  async add(frame: RawImage): Promise<void> {
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new Error(`frames differ in size: ${this.width}x${this.height} vs ${frame.width}x${frame.height}`);
    }
    if (this.images.length === 0 || !this.box) {
      // The first frame's palette is drawn half from the changing pixels (the faces), which the later frames show
      // with palettes of their own: so the faces do not lose colours to the background in the first frame only.
      this.images.push(await quantiseRegion(frame, { x0: 0, y0: 0, x1: this.width, y1: this.height }, null, this.box ? this.changing : null));
    } else {
      this.images.push(await quantiseRegion(frame, this.box, this.changing));
    }
  }

  /** The GIF: the frames in order (forward then back with pingPong), looping forever. */
  finish(): Buffer {
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
    await writeFileAtomic(file, this.finish());
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

/** Evenly spread pixels of the region (only where `keep` is 1, when given) as one RGB image for imagequant. */
function paletteSample(frame: RawImage, r: { x0: number; y0: number; x1: number; y1: number }, keep: Uint8Array | null, size = PALETTE_SAMPLE): RawImage {
  const ch = frame.channels;
  let count = 0;
  const w = r.x1 - r.x0;
  for (let y = r.y0; y < r.y1; y++) {
    if (!keep) {
      count += w;
      continue;
    }
    for (let x = r.x0; x < r.x1; x++) count += keep[y * frame.width + x]!;
  }
  const step = Math.max(1, count / size);
  const n = Math.max(1, Math.min(count, Math.floor(count / step)));
  const side = Math.ceil(Math.sqrt(n));
  const data = new Uint8Array(side * side * 3);
  let seen = 0;
  let nextAt = 0;
  let o = 0;
  for (let y = r.y0; y < r.y1 && o < data.length; y++) {
    for (let x = r.x0; x < r.x1 && o < data.length; x++) {
      const i = y * frame.width + x;
      if (keep && !keep[i]) continue;
      if (seen++ < nextAt) continue;
      nextAt += step;
      const p = i * ch;
      data[o++] = frame.data[p]!;
      data[o++] = frame.data[p + 1]!;
      data[o++] = frame.data[p + 2]!;
    }
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

/** Bits of each channel that pick a cell of the colour cube; each cell keeps the palette colours that can be nearest in it. */
const CELL_BITS = 5;
const CELL_SIDE = 1 << (8 - CELL_BITS);

/**
 * Exact nearest-colour search: the colour cube is cut into cells, and for each cell (on first use) only the palette
 * colours whose nearest possible distance to the cell beats every colour's farthest are kept, usually a handful.
 */
export class PaletteSearch {
  private readonly cells = new Int32Array(1 << (3 * CELL_BITS)).fill(-1);
  private readonly lists: Int16Array[] = [];

  constructor(private readonly palette: Uint8Array) {}

  private candidates(cell: number): Int16Array {
    const at = this.cells[cell]!;
    if (at >= 0) return this.lists[at]!;
    const { palette } = this;
    const lo = [(cell >> (2 * CELL_BITS)) * CELL_SIDE, ((cell >> CELL_BITS) & ((1 << CELL_BITS) - 1)) * CELL_SIDE, (cell & ((1 << CELL_BITS) - 1)) * CELL_SIDE];
    const n = palette.length / 3;
    const near = new Float64Array(n);
    let bound = Infinity;
    for (let i = 0; i < n; i++) {
      let dMin = 0;
      let dMax = 0;
      for (let c = 0; c < 3; c++) {
        const v = palette[i * 3 + c]!;
        const a = lo[c]!;
        const z = a + CELL_SIDE - 1;
        const below = v < a ? a - v : v > z ? v - z : 0;
        dMin += below * below;
        dMax += Math.max((v - a) ** 2, (v - z) ** 2);
      }
      near[i] = dMin;
      if (dMax < bound) bound = dMax;
    }
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (near[i]! <= bound) keep.push(i);
    const list = Int16Array.from(keep);
    this.cells[cell] = this.lists.length;
    this.lists.push(list);
    return list;
  }

  /** The index of the nearest colour (squared RGB distance; of equals, the lowest index). */
  nearest(r: number, g: number, b: number): number {
    const list = this.candidates(((r >> (8 - CELL_BITS)) << (2 * CELL_BITS)) | ((g >> (8 - CELL_BITS)) << CELL_BITS) | (b >> (8 - CELL_BITS)));
    const { palette } = this;
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      const dr = palette[i * 3]! - r, dg = palette[i * 3 + 1]! - g, db = palette[i * 3 + 2]! - b;
      const d = dr * dr + dg * dg + db * db;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}

/** The region of a frame as a GIF image: its own palette, pixels outside `keep` (when given) transparent. */
async function quantiseRegion(frame: RawImage, r: { x0: number; y0: number; x1: number; y1: number }, keep: Uint8Array | null, favour: Uint8Array | null = null): Promise<GifImage> {
  const sample = favour ? joinSamples(paletteSample(frame, r, null, PALETTE_SAMPLE / 2), paletteSample(frame, r, favour, PALETTE_SAMPLE / 2)) : paletteSample(frame, r, keep);
  const palette = await choosePalette(sample, keep ? 255 : 256);
  const colours = palette.length / 3;
  const transparentIndex = keep ? colours : null;
  const entries = colours + (keep ? 1 : 0);
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(2, entries))));
  const table = Buffer.alloc(3 * (1 << bits));
  table.set(palette);
  const search = new PaletteSearch(palette);
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const indices = new Uint8Array(w * h);
  const ch = frame.channels;
  const px = frame.data;
  // Neighbouring pixels often share a colour: the last lookup is reused.
  let lastKey = -1;
  let lastIndex = 0;
  for (let y = 0; y < h; y++) {
    let i = (y + r.y0) * frame.width + r.x0;
    let o = y * w;
    for (let x = 0; x < w; x++, i++, o++) {
      if (keep && !keep[i]) {
        indices[o] = transparentIndex!;
        continue;
      }
      const p = i * ch;
      const key = (px[p]! << 16) | (px[p + 1]! << 8) | px[p + 2]!;
      if (key !== lastKey) {
        lastKey = key;
        lastIndex = search.nearest(px[p]!, px[p + 1]!, px[p + 2]!);
      }
      indices[o] = lastIndex;
    }
  }
  return { left: r.x0, top: r.y0, width: w, height: h, table, transparentIndex, data: lzwEncode(indices, bits) };
}
