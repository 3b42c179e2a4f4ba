/**
 * Composing a team photo's frames: every aged face carried onto one frame per target age. Each face is pasted onto its
 * own region of the photo (photoFrames, the single-face paste); the frame is the photo plus every face's change. Where
 * faces overlap (a child on a lap) and their masks sum above 1, every change there is divided by that sum: a blend of
 * the changes instead of both added (each face is aged once), continuous with the feathered masks, so no seam shows.
 */
import type { Affine } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';
import type { WarpField } from '../shape/warp-field.js';
import { pasteMask, photoFrames, type AgedFaceResult, type AgeFaceOptions, type AlignedFace } from './age-face.js';
import type { AgingModel } from './model.js';
import { maskInPhoto } from './paste-back.js';
import { detailReach, type DetailBand } from './detail-paste.js';
import { invertAffine } from '../prep/geometry.js';
import { forgetHairPixels, greyHair, hairCropBox, type HairPlan } from './hair-grey.js';

/** What compose needs of one aged face: its alignment, paste mask and the change per target age (crop space). */
export interface ComposeFaceInput {
  /** The aligned crop, size * size * 3. */
  readonly crop: Uint8Array;
  readonly size: number;
  /** Source px -> crop px. */
  readonly transform: Affine;
  /** size * size, 0..255: the paste mask. */
  readonly mask: Uint8Array;
  readonly deltas: readonly Float32Array[];
  readonly fields: readonly (WarpField | null)[];
  /** Per target age, the gain on the face's own fine detail (ageAlignedFace's detailGains), and the blur it is measured against. */
  readonly detailGains?: readonly (Float32Array | null)[];
  readonly detailSigmas?: readonly number[];
  readonly detailBands?: readonly (DetailBand | undefined)[];
  /** The hair round the head and its share per target age (hair-grey.ts), when the aging greys it. */
  readonly hair?: HairPlan | null;
  readonly hairShares?: readonly number[];
}

/** What compose needs of a face that ageAlignedFace aged: its alignment, its paste mask (pasteMask) and its changes. */
export function composeInput(model: AgingModel, face: AlignedFace, aged: AgedFaceResult & { deltas: Float32Array[] }, options: Pick<AgeFaceOptions, 'maskGrow'>): ComposeFaceInput {
  return {
    crop: face.crop,
    size: face.size,
    transform: face.transform,
    mask: pasteMask(model, face, options),
    deltas: aged.deltas,
    fields: aged.fields,
    detailGains: aged.detailGains,
    detailSigmas: aged.detailSigmas,
    detailBands: aged.detailBands,
    hair: face.hair ?? null,
    hairShares: aged.hairShares,
  };
}

export interface Region {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** A face ready to compose: its input, the photo region it may touch, and its mask over that region. */
export interface ComposeFace extends ComposeFaceInput {
  readonly region: Region;
  /** Region-sized, 0..255. */
  readonly regionMask: Uint8Array;
  /** Faces (indices into the list) whose regions overlap this one's. */
  neighbours: number[];
  /**
   * Within the region, a box holding every pixel where two masks of this face and its neighbours are both above 0:
   * only there can they sum above 1 (null: nowhere).
   */
  shared: Region | null;
}

function shifted(t: Affine, x0: number, y0: number): Affine {
  return [t[0], t[1], t[0] * x0 + t[1] * y0 + t[2], t[3], t[4], t[3] * x0 + t[4] * y0 + t[5]];
}

/** The region of a photo as an image of its own (RGB bytes). */
export function cutRegion(photo: RawImage, r: Region): RawImage {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const ch = photo.channels;
  const data = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) data.set(photo.data.subarray(((y + r.y0) * photo.width + r.x0) * ch, ((y + r.y0) * photo.width + r.x1) * ch), y * w * ch);
  return { data, width: w, height: h, channels: ch };
}

/**
 * The photo region a face may change: where its paste mask is above 0 or a warp field moves pixels (crop space),
 * grown by the largest move (the warp samples the photo that far away), by the reach of the detail blur (detail-paste.ts
 * reads that far around the pixels whose detail it scales) and a margin, mapped to the photo and clipped.
 */
export function faceRegion(face: ComposeFaceInput, width: number, height: number): Region {
  const { size, mask } = face;
  let u0 = size, v0 = size, u1 = 0, v1 = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      if (mask[v * size + u] === 0) continue;
      if (u < u0) u0 = u;
      if (u + 1 > u1) u1 = u + 1;
      if (v < v0) v0 = v;
      if (v + 1 > v1) v1 = v + 1;
    }
  }
  let reach = 0;
  for (const f of face.fields) {
    if (!f || f.box[2] <= f.box[0] || f.box[3] <= f.box[1]) continue;
    u0 = Math.min(u0, f.origin + f.box[0]);
    v0 = Math.min(v0, f.origin + f.box[1]);
    u1 = Math.max(u1, f.origin + f.box[2]);
    v1 = Math.max(v1, f.origin + f.box[3]);
    for (let i = 0; i < f.dx.length; i++) reach = Math.max(reach, Math.abs(f.dx[i]!), Math.abs(f.dy[i]!));
  }
  if (face.hair && face.hairShares?.some((s) => s !== 0)) {
    const [h0, g0, h1, g1] = hairCropBox(face.hair);
    u0 = Math.min(u0, h0);
    v0 = Math.min(v0, g0);
    u1 = Math.max(u1, h1);
    v1 = Math.max(v1, g1);
  }
  if (u1 <= u0 || v1 <= v0) return { x0: 0, y0: 0, x1: 0, y1: 0 };
  if (face.detailGains?.some(Boolean)) {
    // detail-paste.ts blurs with sigma in photo px; its three box passes reach at most 3 sigma + 1.5 photo px.
    const t = face.transform;
    const scale = Math.sqrt(Math.abs(t[0] * t[4] - t[1] * t[3]));
    const sigma = Math.max(0.5, Math.max(1, ...(face.detailSigmas ?? [])) / scale);
    reach += (Math.ceil(Math.max(...(face.detailBands ?? [undefined]).map(detailReach)) * sigma) + 2) * scale;
  }
  const grow = Math.ceil(reach) + 2;
  const inv = invertAffine(face.transform);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [[u0 - grow, v0 - grow], [u1 + grow, v0 - grow], [u0 - grow, v1 + grow], [u1 + grow, v1 + grow]] as const) {
    xs.push(inv[0] * u + inv[1] * v + inv[2]);
    ys.push(inv[3] * u + inv[4] * v + inv[5]);
  }
  const margin = 2;
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs)) - margin),
    y0: Math.max(0, Math.floor(Math.min(...ys)) - margin),
    x1: Math.min(width, Math.ceil(Math.max(...xs)) + margin),
    y1: Math.min(height, Math.ceil(Math.max(...ys)) + margin),
  };
}

const overlaps = (a: Region, b: Region): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Regions, region masks and neighbours of the faces of one photo. */
export function composeFaces(faces: readonly ComposeFaceInput[], width: number, height: number): ComposeFace[] {
  const out: ComposeFace[] = faces.map((f) => {
    const region = faceRegion(f, width, height);
    const t = shifted(f.transform, region.x0, region.y0);
    return { ...f, region, regionMask: maskInPhoto(f.mask, f.size, t, region.x1 - region.x0, region.y1 - region.y0), neighbours: [], shared: null };
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (!overlaps(out[i]!.region, out[j]!.region)) continue;
      out[i]!.neighbours.push(j);
      out[j]!.neighbours.push(i);
    }
  }
  const masked = out.map((f) => maskedBox(f.regionMask, f.region));
  for (const [i, face] of out.entries()) {
    const group = [i, ...face.neighbours].map((j) => masked[j]).filter((b): b is Region => b !== null);
    let shared: Region | null = null;
    for (let a = 0; a < group.length; a++) {
      for (let b = a + 1; b < group.length; b++) {
        const both = intersect(intersect(group[a]!, group[b]!), face.region);
        if (both) shared = shared ? hull(shared, both) : both;
      }
    }
    face.shared = shared;
  }
  return out;
}

/** The box (photo px) of a region mask's pixels above 0, or null. */
function maskedBox(mask: Uint8Array, r: Region): Region | null {
  const w = r.x1 - r.x0;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let y = 0; y < r.y1 - r.y0; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 < 0 ? null : { x0: r.x0 + x0, y0: r.y0 + y0, x1: r.x0 + x1, y1: r.y0 + y1 };
}

function intersect(a: Region | null, b: Region): Region | null {
  if (!a) return null;
  const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return r.x0 < r.x1 && r.y0 < r.y1 ? r : null;
}

const hull = (a: Region, b: Region): Region => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) });

/**
 * The face alone pasted at target age k onto `before`, the photo's pixels over `region`, as photoFrames draws it. When
 * the hair greys, the region is the hair's window and the face's own paste runs on `own` (ownRegion: the same pixels,
 * less to copy and scan), the hair's over the whole.
 */
function pasteOnRegion(before: RawImage, face: ComposeFaceInput, region: Region, k: number, own: Region | null): RawImage {
  const transform = shifted(face.transform, region.x0, region.y0);
  const share = face.hairShares?.[k] ?? 0;
  const frame = { deltas: [face.deltas[k]!], fields: [face.fields[k] ?? null], detailGains: [face.detailGains?.[k] ?? null], detailSigmas: [face.detailSigmas?.[k] ?? 1], detailBands: [face.detailBands?.[k] ?? {}], hairShares: [share] };
  if (!face.hair || !own) return photoFrames(before, { crop: face.crop, size: face.size, transform, faceMask: face.mask, hair: face.hair ?? null }, frame, face.mask)[0]!;
  const pasted = photoFrames(cutRegion(before, own), { crop: face.crop, size: face.size, transform: shifted(transform, own.x0, own.y0), faceMask: face.mask, hair: null }, frame, face.mask)[0]!;
  const out: RawImage = { ...before, data: new Uint8Array(before.data) };
  const ch = before.channels;
  const rowBytes = (own.x1 - own.x0) * ch;
  for (let y = own.y0, p = 0; y < own.y1; y++, p += rowBytes) out.data.set(pasted.data.subarray(p, p + rowBytes), (y * before.width + own.x0) * ch);
  if (share !== 0) greyHair(out, face.hair, transform, share, before);
  return out;
}

/** Within `before` (the photo over `region`), the region of the face's own paste when the hair's window grew it; else null. */
function ownRegion(before: RawImage, face: ComposeFaceInput, region: Region): Region | null {
  if (!face.hair) return null;
  const own = faceRegion({ ...face, transform: shifted(face.transform, region.x0, region.y0), hair: null }, before.width, before.height);
  return own.x1 > own.x0 && own.y1 > own.y0 ? own : null;
}

function pastedRegion(photo: RawImage, face: ComposeFace, k: number): RawImage {
  const before = cutRegion(photo, face.region);
  return pasteOnRegion(before, face, face.region, k, ownRegion(before, face, face.region));
}

/** One face pasted at every target age onto its region: which region pixels some age changes (1), and the pastes if kept. */
export interface FacePastes {
  readonly changed: Uint8Array;
  readonly pasted: RawImage[] | null;
}

/** The face pasted at every target age onto `before` (the photo over `region`); the pastes are returned when `keep`. */
export function pasteFace(before: RawImage, face: ComposeFaceInput, region: Region, keep: boolean): FacePastes {
  const ch = before.channels;
  const src = before.data;
  const changed = new Uint8Array(before.width * before.height);
  const pasted: RawImage[] = [];
  const own = ownRegion(before, face, region);
  for (let k = 0; k < face.deltas.length; k++) {
    const after = pasteOnRegion(before, face, region, k, own);
    const a = after.data;
    for (let i = 0, p = 0; i < changed.length; i++, p += ch) {
      if (src[p] !== a[p] || src[p + 1] !== a[p + 1] || src[p + 2] !== a[p + 2]) changed[i] = 1;
    }
    if (keep) pasted.push(after);
  }
  // Its pastes kept, composeAge will not paste this face again: its weighed hair makes room for the next faces'.
  if (keep && face.hair) forgetHairPixels(face.hair);
  return { changed, pasted: keep ? pasted : null };
}

/** Bytes of a face's pastes at every target age. */
export const pastesBytes = (face: ComposeFaceInput, region: Region, channels: number): number => (region.x1 - region.x0) * (region.y1 - region.y0) * channels * face.deltas.length;

/** Marks in `changing` (the photo's width) the pixels a face's `changed` map (its region's size) holds. */
export function markRegion(changing: Uint8Array, width: number, region: Region, changed: Uint8Array): void {
  const w = region.x1 - region.x0;
  for (let y = region.y0, i = 0; y < region.y1; y++) {
    for (let x = y * width + region.x0, end = x + w; x < end; x++, i++) changing[x] = changing[x]! | changed[i]!;
  }
}

/** Sum of the masks (0..255 each) of the face and its neighbours at photo pixel (x, y). */
function maskSum(faces: readonly ComposeFace[], i: number, x: number, y: number): number {
  const own = faces[i]!;
  let s = own.regionMask[(y - own.region.y0) * (own.region.x1 - own.region.x0) + x - own.region.x0]!;
  for (const j of own.neighbours) {
    const r = faces[j]!.region;
    if (x < r.x0 || x >= r.x1 || y < r.y0 || y >= r.y1) continue;
    s += faces[j]!.regionMask[(y - r.y0) * (r.x1 - r.x0) + x - r.x0]!;
  }
  return s;
}

/** Pasted regions kept from markChanging for composeAge, per face and target age, while they fit a byte budget. */
export type PastedCache = (RawImage | undefined)[][];

/** Bytes of pasted regions markChanging keeps for composeAge (beyond it they are pasted again). */
export const PASTED_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Marks (1) in `changing` (width * height) every pixel that any face changes at any target age: the pixels a GIF's
 * later frames must carry. Everything else is the photo in every frame. Returns the pastes of the faces whose pastes
 * fit `budget` bytes (in order), for composeAge.
 */
export function markChanging(photo: RawImage, faces: readonly ComposeFace[], changing: Uint8Array, budget = PASTED_CACHE_BYTES): PastedCache {
  let kept = 0;
  return faces.map((face) => {
    const bytes = pastesBytes(face, face.region, photo.channels);
    const keep = kept + bytes <= budget;
    if (keep) kept += bytes;
    const { changed, pasted } = pasteFace(cutRegion(photo, face.region), face, face.region, keep);
    markRegion(changing, photo.width, face.region, changed);
    return pasted ?? [];
  });
}

/** Puts the photo back over every face's region of `frame` (a copy of the photo that an earlier age changed). */
export function restoreRegions(photo: RawImage, frame: RawImage, faces: readonly ComposeFace[]): void {
  const ch = photo.channels;
  for (const { region: r } of faces) {
    for (let y = r.y0; y < r.y1; y++) {
      const a = (y * photo.width + r.x0) * ch;
      frame.data.set(photo.data.subarray(a, (y * photo.width + r.x1) * ch), a);
    }
  }
}

/**
 * Adds every face's change at target age k to `frame`, which holds the photo over every face's region (a fresh copy,
 * or after restoreRegions). A face alone gives exactly its single-face paste; where masks sum above 1, each change is
 * divided by the sum.
 */
export function composeAge(photo: RawImage, frame: RawImage, faces: readonly ComposeFace[], k: number, cache?: PastedCache): void {
  const ch = photo.channels;
  const src = photo.data;
  const out = frame.data;
  faces.forEach((face, i) => {
    const after = (cache?.[i]?.[k] ?? pastedRegion(photo, face, k)).data;
    const r = face.region;
    const rowBytes = (r.x1 - r.x0) * ch;
    const sh = face.shared;
    if (face.neighbours.length === 0) {
      // Alone on its region, the frame there is the photo, and the photo plus the face's change is its paste.
      for (let y = r.y0, p = 0; y < r.y1; y++, p += rowBytes) out.set(after.subarray(p, p + rowBytes), (y * photo.width + r.x0) * ch);
      return;
    }
    for (let y = r.y0, p = 0; y < r.y1; y++) {
      for (let x = r.x0, o = (y * photo.width + r.x0) * ch; x < r.x1; x++, o += ch, p += ch) {
        if (src[o] === after[p] && src[o + 1] === after[p + 1] && src[o + 2] === after[p + 2]) continue;
        const sum = sh && x >= sh.x0 && x < sh.x1 && y >= sh.y0 && y < sh.y1 ? maskSum(faces, i, x, y) : 0;
        if (sum <= 255) {
          // The whole change, in whole numbers.
          for (let c = 0; c < 3; c++) {
            const v = out[o + c]! + after[p + c]! - src[o + c]!;
            out[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : v;
          }
          continue;
        }
        const share = 255 / sum;
        for (let c = 0; c < 3; c++) {
          const v = out[o + c]! + share * (after[p + c]! - src[o + c]!);
          out[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
        }
      }
    }
  });
}

/** Where composed frames go: told the faces' regions and which pixels change before the first frame, then each frame. */
export interface ComposedFrameSink {
  start(info: { width: number; height: number; regions: readonly Region[]; changing: Uint8Array; frames: number }): void | Promise<void>;
  /** The frame at target age k; valid only during the call (the next age reuses the buffer). */
  frame(k: number, frame: RawImage): Promise<void>;
}

/** Which pixels change (markChanging's map) and the pastes kept for composeAge, when the caller made them already. */
export interface ChangeMarks {
  readonly changing: Uint8Array;
  readonly pasted: PastedCache;
}

/**
 * Composes the faces (composeFaces) onto the photo one target age at a time and hands each frame to the sink as it is
 * made: the photo-sized buffers are the photo, one frame and the map of the pixels that change. Without `marks` the
 * changing pixels are marked here. Returns the ms spent composing and in the sink.
 */
export async function streamFrames(photo: RawImage, composed: readonly ComposeFace[], frames: number, sink: ComposedFrameSink, marks?: ChangeMarks): Promise<{ composeMs: number; writeMs: number }> {
  const t0 = performance.now();
  let changing = marks?.changing;
  let pasted = marks?.pasted;
  if (!changing || !pasted) {
    changing = new Uint8Array(photo.width * photo.height);
    // The kept pasted regions trade memory for time: none on a photo of 85 MP and more, where memory is what is short.
    pasted = markChanging(photo, composed, changing, Math.max(0, PASTED_CACHE_BYTES - photo.data.length));
  }
  await sink.start({ width: photo.width, height: photo.height, regions: composed.map((c) => c.region), changing, frames });
  const frame: RawImage = { data: new Uint8Array(photo.data), width: photo.width, height: photo.height, channels: photo.channels };
  let composeMs = performance.now() - t0;
  let writeMs = 0;
  for (let k = 0; k < frames; k++) {
    const ta = performance.now();
    if (k > 0) restoreRegions(photo, frame, composed);
    composeAge(photo, frame, composed, k, pasted);
    const tb = performance.now();
    await sink.frame(k, frame);
    composeMs += tb - ta;
    writeMs += performance.now() - tb;
  }
  return { composeMs, writeMs };
}
