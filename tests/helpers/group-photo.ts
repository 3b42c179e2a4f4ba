/**
 * Deterministic group-photo composites for tests and benches: faces from the TEST split of ../shared/datasets/utkface
 * (as the catalogue assigns it on import), scaled to chosen face widths and placed without overlap on a photo-like
 * background, with the ground-truth face boxes.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalogue } from '../../db/catalogue.js';
import { listImages } from '../../db/images.js';
import { importDataset } from '../../db/importers/run.js';
import type { Box } from '../../domain/face.js';
import { mixSeed, mulberry32 } from '../../ml/cvae/rng.js';
import { tempDir } from './env.js';
import { UTKFACE_DIR } from './shared-paths.js';

/** Where the face lies in a UTKFace chip (fractions of its side): what a face detector boxes. */
export const CHIP_FACE = { left: 0.13, top: 0.16, width: 0.74, height: 0.78 } as const;

export interface GroupPhotoOptions {
  faces: number;
  /** Face widths in px, drawn uniformly from [min, max]. */
  widths: readonly [number, number];
  canvas: readonly [number, number];
  seed: number;
  /** JPEG quality; 90 by default. */
  quality?: number;
}

export interface GroupPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Ground-truth face boxes [x, y, w, h] in photo pixels, one per face. */
  boxes: Box[];
  /** The pasted square of each face's chip (the box lies inside it). */
  chips: Box[];
  /** The UTKFace file of each face. */
  sources: string[];
}

interface SplitFiles {
  test: string[];
  train: string[];
}

let splits: Promise<SplitFiles> | null = null;

/** UTKFace's files by split, as a fresh catalogue assigns them (fixed seed), imported once per process. */
export function utkfaceSplits(): Promise<SplitFiles> {
  splits ??= (async () => {
    const dir = tempDir('group-photo');
    const db = openCatalogue(dir);
    try {
      await importDataset(db, { path: UTKFACE_DIR });
      const rows = listImages(db);
      const of = (s: string): string[] => rows.filter((r) => r.split === s).map((r) => r.sourcePath).sort();
      return { test: of('test'), train: of('train') };
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })();
  return splits;
}

async function rawRgb(file: string, side?: number): Promise<{ data: Buffer; width: number; height: number }> {
  let s = sharp(file).removeAlpha();
  if (side) s = s.resize(side, side, { fit: 'fill', kernel: 'lanczos3' });
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Background at 1/8 scale: a mosaic of small patches from training-split photos (skin, hair and backdrop colours with
 * no face structure left), mixed with a smooth two-colour gradient, then enlarged with a blur, a few shapes on top
 * and sensor-like noise over all.
 */
async function background(w: number, h: number, train: readonly string[], rand: () => number): Promise<Buffer> {
  const sw = Math.max(8, Math.ceil(w / 8));
  const sh = Math.max(8, Math.ceil(h / 8));
  const patch = 12;
  const pool = await Promise.all(Array.from({ length: 12 }, () => rawRgb(train[Math.floor(rand() * train.length)]!, 96)));
  const small = Buffer.alloc(sw * sh * 3);
  const c0 = [rand() * 255, rand() * 255, rand() * 255];
  const c1 = [rand() * 255, rand() * 255, rand() * 255];
  const angle = rand() * Math.PI * 2;
  const [ax, ay] = [Math.cos(angle), Math.sin(angle)];
  const mix = 0.35 + rand() * 0.3;
  for (let by = 0; by < sh; by += patch) {
    for (let bx = 0; bx < sw; bx += patch) {
      const src = pool[Math.floor(rand() * pool.length)]!;
      const ox = Math.floor(rand() * (src.width - patch));
      const oy = Math.floor(rand() * (src.height - patch));
      for (let y = by; y < Math.min(sh, by + patch); y++) {
        for (let x = bx; x < Math.min(sw, bx + patch); x++) {
          const t = Math.min(1, Math.max(0, 0.5 + ((x / sw - 0.5) * ax + (y / sh - 0.5) * ay)));
          const si = ((oy + y - by) * src.width + (ox + x - bx)) * 3;
          const di = (y * sw + x) * 3;
          for (let c = 0; c < 3; c++) small[di + c] = Math.round(mix * src.data[si + c]! + (1 - mix) * (c0[c]! * (1 - t) + c1[c]! * t));
        }
      }
    }
  }
  const shapes: string[] = [];
  const count = 4 + Math.floor(rand() * 5);
  for (let i = 0; i < count; i++) {
    const fill = `rgb(${Math.floor(rand() * 255)},${Math.floor(rand() * 255)},${Math.floor(rand() * 255)})`;
    const op = (0.25 + rand() * 0.5).toFixed(2);
    const x = Math.round(rand() * w), y = Math.round(rand() * h);
    const s = Math.round((0.05 + rand() * 0.25) * Math.min(w, h));
    if (rand() < 0.5) shapes.push(`<rect x="${x - s}" y="${y - s / 2}" width="${2 * s}" height="${s}" fill="${fill}" fill-opacity="${op}" transform="rotate(${Math.round(rand() * 90)} ${x} ${y})"/>`);
    else shapes.push(`<circle cx="${x}" cy="${y}" r="${s}" fill="${fill}" fill-opacity="${op}"/>`);
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${shapes.join('')}</svg>`);
  const big = await sharp(small, { raw: { width: sw, height: sh, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'cubic' })
    .blur(3)
    .composite([{ input: svg }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const noise = mulberry32(mixSeed(Math.floor(rand() * 2 ** 32), 0x9015e));
  for (let i = 0; i < big.length; i++) {
    const v = big[i]! + (noise() - 0.5) * 14;
    big[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return big;
}

/** Non-overlapping squares of the given sides (with a gap) inside w x h, by seeded rejection sampling. */
function place(sides: readonly number[], w: number, h: number, rand: () => number): [number, number][] {
  const placed: Box[] = [];
  const gap = 6;
  return sides.map((s) => {
    for (let attempt = 0; attempt < 5000; attempt++) {
      const x = Math.floor(rand() * (w - s));
      const y = Math.floor(rand() * (h - s));
      const clear = placed.every(([px, py, pw, ph]) => x + s + gap <= px || px + pw + gap <= x || y + s + gap <= py || py + ph + gap <= y);
      if (clear) {
        placed.push([x, y, s, s]);
        return [x, y];
      }
    }
    throw new Error(`cannot place ${sides.length} faces of up to ${Math.max(...sides)} px on ${w}x${h} without overlap`);
  });
}

/** A composite group photo: `faces` test-split faces, each `widths` px wide, on a `canvas` px background. */
export async function makeGroupPhoto(opts: GroupPhotoOptions): Promise<GroupPhoto> {
  const [w, h] = opts.canvas;
  const { test, train } = await utkfaceSplits();
  if (opts.faces > test.length) throw new Error(`only ${test.length} test-split faces, ${opts.faces} asked`);
  const rand = mulberry32(mixSeed(opts.seed, 0x6209));
  const order = test.map((f) => ({ f, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.f);
  const sources = order.slice(0, opts.faces);
  const [lo, hi] = opts.widths;
  const faceWidths = sources.map(() => Math.round(lo + rand() * (hi - lo)));
  const sides = faceWidths.map((fw) => Math.round(fw / CHIP_FACE.width));
  const spots = place(sides, w, h, rand);
  const canvas = await background(w, h, train, rand);
  const boxes: Box[] = [];
  const chips: Box[] = [];
  for (let i = 0; i < sources.length; i++) {
    const s = sides[i]!;
    const [x0, y0] = spots[i]!;
    const chip = await rawRgb(sources[i]!, s);
    // An elliptical, feathered cut-out: the head blends into the background instead of a pasted square.
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const r = Math.hypot((x + 0.5) / s - 0.5, (y + 0.5) / s - 0.5) / 0.5;
        const a = r <= 0.92 ? 1 : r >= 1.12 ? 0 : (1.12 - r) / 0.2;
        if (a === 0) continue;
        const si = (y * s + x) * 3;
        const di = ((y0 + y) * w + (x0 + x)) * 3;
        for (let c = 0; c < 3; c++) canvas[di + c] = Math.round(a * chip.data[si + c]! + (1 - a) * canvas[di + c]!);
      }
    }
    chips.push([x0, y0, s, s]);
    boxes.push([x0 + CHIP_FACE.left * s, y0 + CHIP_FACE.top * s, CHIP_FACE.width * s, CHIP_FACE.height * s]);
  }
  const jpeg = await sharp(canvas, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: opts.quality ?? 90 }).toBuffer();
  return { jpeg, width: w, height: h, boxes, chips, sources: sources.map((f) => path.basename(f)) };
}
