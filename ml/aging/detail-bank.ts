import fs from 'node:fs';
import path from 'node:path';
import type { Point } from '../prep/geometry.js';
import { BROW_POINTS, EYE_POINTS, LIP_POINTS } from '../shape/mesh.js';
import { PROTOTYPE_GENDERS, type PrototypeGender } from '../shape/prototypes.js';
import { fineBand } from './detail-change.js';
import { holdBlobs } from './line-filter.js';
import { NOSE_POINTS, pointZone } from './feature-zones.js';
import { lumaPlane } from './lab.js';
import { median } from '../stats.js';

/**
 * A bank of real faces' skin detail by region (an aging dictionary, after Shu et al., ICCV 2015): for each gender, age
 * bin and region of the aligned crop (forehead, crow's feet, under the eyes, cheeks and nasolabial folds, mouth
 * corners, chin), a fixed number of patches of real crops' fine lightness (their lines), each centred on the crop's own
 * mesh point for that region and with that crop's eyes, brows, nose and lips taken out, reservoir-sampled from the
 * catalogue: its memory does not grow with the catalogue. A face going older borrows, per region, the patch of the
 * target age whose broad shading is most like its own (of the few best, the one of median strength: no outlier, no
 * mush), placed on its own mesh point for that region and feathered into the others.
 */
export const DETAIL_BANK_FILE = 'detail-bank.bin';
const MAGIC = 'CFBANK01';

export interface BankRegion {
  readonly name: string;
  /** The MediaPipe mesh point the patch is centred on (plus the offset), in source and target alike. */
  readonly anchor: number;
  /** Offset of the patch centre from the anchor and the patch size, as shares of the crop side. */
  readonly dx: number;
  readonly dy: number;
  readonly w: number;
  readonly h: number;
}

/** The skin regions where age shows as lines (image left is the person's right). */
export const BANK_REGIONS: readonly BankRegion[] = [
  { name: 'forehead', anchor: 151, dx: 0, dy: 0, w: 0.36, h: 0.13 },
  { name: 'crow-right', anchor: 33, dx: -0.045, dy: 0, w: 0.08, h: 0.1 },
  { name: 'crow-left', anchor: 263, dx: 0.045, dy: 0, w: 0.08, h: 0.1 },
  { name: 'under-eye-right', anchor: 145, dx: 0, dy: 0.035, w: 0.13, h: 0.065 },
  { name: 'under-eye-left', anchor: 374, dx: 0, dy: 0.035, w: 0.13, h: 0.065 },
  { name: 'cheek-right', anchor: 205, dx: -0.025, dy: 0.02, w: 0.13, h: 0.15 },
  { name: 'cheek-left', anchor: 425, dx: 0.025, dy: 0.02, w: 0.13, h: 0.15 },
  { name: 'mouth-right', anchor: 61, dx: -0.035, dy: 0.01, w: 0.08, h: 0.11 },
  { name: 'mouth-left', anchor: 291, dx: 0.035, dy: 0.01, w: 0.08, h: 0.11 },
  { name: 'chin', anchor: 152, dx: 0, dy: -0.055, w: 0.22, h: 0.08 },
];

/** Age bins' lower edges (years): the last bin is open. */
export const BANK_BINS: readonly number[] = [0, 10, 20, 30, 40, 50, 60, 70, 80];
/** Cells per side of a region's shading descriptor. */
const DESC = 3;
/** int8 steps per lightness level. */
const QUANT = 4;

export function bankBin(age: number): number {
  let b = 0;
  while (b + 1 < BANK_BINS.length && age >= BANK_BINS[b + 1]!) b++;
  return b;
}

/** A region's patch side lengths in px at crop side `size`. */
export function regionBox(r: BankRegion, size: number): { w: number; h: number } {
  return { w: Math.max(3, Math.round(r.w * size)), h: Math.max(3, Math.round(r.h * size)) };
}

/** The top-left corner (px) of a region's patch in a crop with these mesh points. */
function regionCorner(r: BankRegion, landmarks: readonly Point[], size: number): [number, number] {
  const { w, h } = regionBox(r, size);
  const [ax, ay] = landmarks[r.anchor]!;
  return [Math.round(ax + r.dx * size - w / 2), Math.round(ay + r.dy * size - h / 2)];
}

const FEATURE_POINTS: readonly number[] = [...EYE_POINTS.flat(), ...BROW_POINTS.flat(), ...NOSE_POINTS, ...LIP_POINTS];

/** Per crop pixel, 0..1: off the eyes, brows, nose and lips (1 on plain skin), `spread` px round each of their points. */
export function skinOffFeatures(landmarks: readonly Point[], size: number, spread: number): Float32Array {
  const zone = pointZone(landmarks, FEATURE_POINTS, size, spread);
  for (let i = 0; i < zone.length; i++) zone[i] = 1 - zone[i]!;
  return zone;
}

/** The broad shading of a region (luma means over DESC x DESC cells, less their mean): what sources are matched on. */
function shading(luma: Float32Array, size: number, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(DESC * DESC);
  const count = new Float32Array(DESC * DESC);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.min(size - 1, Math.max(0, x0 + x));
      const sy = Math.min(size - 1, Math.max(0, y0 + y));
      const c = Math.min(DESC - 1, Math.floor((y * DESC) / h)) * DESC + Math.min(DESC - 1, Math.floor((x * DESC) / w));
      out[c] = out[c]! + luma[sy * size + sx]!;
      count[c] = count[c]! + 1;
    }
  }
  let mean = 0;
  for (let c = 0; c < out.length; c++) mean += (out[c] = out[c]! / count[c]!);
  mean /= out.length;
  for (let c = 0; c < out.length; c++) out[c] = out[c]! - mean;
  return out;
}

interface Slot {
  readonly patches: Int8Array[];
  readonly shades: Float32Array[];
  seen: number;
}

export interface BankStats {
  readonly crops: number;
  readonly patches: number;
  /** Patches left out for a hard edge (glasses rims, text, hair strands) or for lying outside the crop. */
  readonly rejectedEdge: number;
  readonly rejectedOutside: number;
}

/** What a crop must pass to be a source: no flags, a frontal pose, sharp, a fair quality score. */
export interface SourceSignals {
  readonly quality: number | null;
  readonly flags: readonly string[];
  readonly yaw?: number;
  readonly pitch?: number;
  readonly blur?: number;
}

export const SOURCE_LIMITS = { quality: 0.15, pose: 15, blur: 150 } as const;

/** Why a crop is not a clean source (glasses, text and hair strands are caught per patch by `edge`), or null. */
export function sourceRejection(s: SourceSignals): string | null {
  if (s.flags.length > 0) return `flagged ${s.flags.join(', ')}`;
  if (s.quality === null || s.quality < SOURCE_LIMITS.quality) return 'low quality';
  if (Math.abs(s.yaw ?? 0) > SOURCE_LIMITS.pose || Math.abs(s.pitch ?? 0) > SOURCE_LIMITS.pose) return 'turned';
  if (s.blur !== undefined && s.blur < SOURCE_LIMITS.blur) return 'blurry';
  return null;
}

/**
 * Builds a bank from crops one at a time: per gender, age bin and region a reservoir of `perSlot` patches (Vitter's
 * algorithm R, seeded), so memory is fixed by perSlot whatever the number of crops.
 */
export class DetailBankBuilder {
  private readonly slots: Slot[];
  private rng: number;
  private crops = 0;
  private rejectedEdge = 0;
  private rejectedOutside = 0;

  constructor(
    readonly size: number,
    /** The fine band's blur, px. */
    readonly sigma: number,
    readonly perSlot: number,
    /** Largest |detail| (levels) of a patch: beyond it the patch holds an edge, not a line. */
    readonly edge = 45,
    /** The line filter's finer scale, px. */
    readonly lineScale = 0.015 * 0.55 * size,
    seed = 1,
  ) {
    this.slots = Array.from({ length: PROTOTYPE_GENDERS.length * BANK_BINS.length * BANK_REGIONS.length }, () => ({ patches: [], shades: [], seen: 0 }));
    this.rng = seed >>> 0;
  }

  private random(): number {
    this.rng = (this.rng + 0x6d2b79f5) >>> 0;
    let t = this.rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Adds a clean crop (RGB, size x size) with its mesh points in crop px. */
  add(crop: ArrayLike<number>, landmarks: readonly Point[], age: number, gender: PrototypeGender): void {
    const { size } = this;
    const luma = lumaPlane(crop, size * size);
    // Only what is line-like (wrinkles, folds) goes in: blobs, spots and grain are held back (line-filter.ts).
    const raw = fineBand(luma, size, this.sigma);
    const band = holdBlobs(raw, size, [this.lineScale, 2 * this.lineScale], 1);
    const skin = skinOffFeatures(landmarks, size, 0.04 * size);
    const g = PROTOTYPE_GENDERS.indexOf(gender);
    const bin = bankBin(age);
    BANK_REGIONS.forEach((r, ri) => {
      const { w, h } = regionBox(r, size);
      const [x0, y0] = regionCorner(r, landmarks, size);
      if (x0 < 0 || y0 < 0 || x0 + w > size || y0 + h > size) {
        this.rejectedOutside++;
        return;
      }
      const patch = new Int8Array(w * h);
      let peak = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = (y0 + y) * size + x0 + x;
          const v = band[i]! * skin[i]!;
          // Hard edges (glasses rims, text, hair strands) are lines too: they are told by their height before the filter.
          peak = Math.max(peak, Math.abs(raw[i]! * skin[i]!));
          patch[y * w + x] = Math.max(-127, Math.min(127, Math.round(v * QUANT)));
        }
      }
      if (peak > this.edge) {
        this.rejectedEdge++;
        return;
      }
      const slot = this.slots[(g * BANK_BINS.length + bin) * BANK_REGIONS.length + ri]!;
      slot.seen++;
      const shade = shading(luma, size, x0, y0, w, h);
      if (slot.patches.length < this.perSlot) {
        slot.patches.push(patch);
        slot.shades.push(shade);
      } else {
        const j = Math.floor(this.random() * slot.seen);
        if (j < this.perSlot) {
          slot.patches[j] = patch;
          slot.shades[j] = shade;
        }
      }
    });
    this.crops++;
  }

  stats(): BankStats {
    return { crops: this.crops, patches: this.slots.reduce((n, s) => n + s.patches.length, 0), rejectedEdge: this.rejectedEdge, rejectedOutside: this.rejectedOutside };
  }

  /** The bank as one file's bytes: magic, a JSON header's length and the header, then per slot its shades and patches. */
  serialize(): Buffer {
    const counts = this.slots.map((s) => s.patches.length);
    const header = Buffer.from(JSON.stringify({ size: this.size, sigma: this.sigma, quant: QUANT, desc: DESC, genders: PROTOTYPE_GENDERS, bins: BANK_BINS, regions: BANK_REGIONS, counts, crops: this.crops }));
    const parts: Buffer[] = [Buffer.from(MAGIC, 'ascii'), Buffer.alloc(4), header];
    parts[1]!.writeUInt32LE(header.length, 0);
    for (const s of this.slots) {
      for (const d of s.shades) parts.push(Buffer.from(new Float32Array(d).buffer));
      for (const p of s.patches) parts.push(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    }
    return Buffer.concat(parts);
  }
}

export interface DetailBank {
  readonly size: number;
  readonly sigma: number;
  readonly crops: number;
  /** Per slot (gender, bin, region), its patches (levels), their shading descriptors and the median of their energies (mean square, levels²). */
  readonly slots: readonly { readonly patches: readonly Float32Array[]; readonly shades: readonly Float32Array[]; readonly energy: number }[];
}

/** A patch's energy: its mean square (levels²). */
function energyOf(p: Float32Array): number {
  let s = 0;
  for (const v of p) s += v * v;
  return s / p.length;
}

/** Ages the bins stand for: their middles (the last, open bin 5 years past its edge). */
const binAge = (b: number): number => (b + 1 < BANK_BINS.length ? (BANK_BINS[b]! + BANK_BINS[b + 1]!) / 2 : BANK_BINS[b]! + 5);

/**
 * The typical energy of real faces' lines in a region at an age (levels²): the slots' medians, linear between the
 * bins' middles, for the gender; an empty slot leans on the nearest bin that has patches.
 */
export function regionEnergy(bank: DetailBank, gender: PrototypeGender, region: number, age: number): number {
  const g = PROTOTYPE_GENDERS.indexOf(gender);
  const at = (b: number): number => {
    for (let reach = 0; reach < BANK_BINS.length; reach++) {
      for (const c of [b - reach, b + reach]) {
        const s = bank.slots[(g * BANK_BINS.length + c) * BANK_REGIONS.length + region];
        if (c >= 0 && c < BANK_BINS.length && s && s.patches.length > 0) return s.energy;
      }
    }
    return 0;
  };
  const last = BANK_BINS.length - 1;
  if (age <= binAge(0)) return at(0);
  if (age >= binAge(last)) return at(last);
  let b = 0;
  while (age > binAge(b + 1)) b++;
  const t = (age - binAge(b)) / (binAge(b + 1) - binAge(b));
  return at(b) + t * (at(b + 1) - at(b));
}

/** Reads a bank's bytes; an error names `file` and what is wrong. */
export function parseDetailBank(bytes: Buffer, file: string): DetailBank {
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (bytes.length < 12 || bytes.subarray(0, 8).toString('ascii') !== MAGIC) bad(`not a chronoface detail bank (no ${MAGIC} header)`);
  const len = bytes.readUInt32LE(8);
  if (12 + len > bytes.length) bad('truncated header');
  let h: { size: number; sigma: number; quant: number; desc: number; genders: string[]; bins: number[]; regions: BankRegion[]; counts: number[]; crops: number };
  try {
    h = JSON.parse(bytes.subarray(12, 12 + len).toString('utf8'));
  } catch {
    return bad('header is not JSON');
  }
  if (JSON.stringify(h.regions) !== JSON.stringify(BANK_REGIONS) || JSON.stringify(h.bins) !== JSON.stringify(BANK_BINS) || JSON.stringify(h.genders) !== JSON.stringify(PROTOTYPE_GENDERS)) bad('built for other regions, age bins or genders than this version reads');
  if (h.desc !== DESC || !(h.quant > 0) || !(h.size > 0) || !(h.sigma > 0)) bad('size, sigma, quant and desc must be given');
  const slotCount = PROTOTYPE_GENDERS.length * BANK_BINS.length * BANK_REGIONS.length;
  if (!Array.isArray(h.counts) || h.counts.length !== slotCount || h.counts.some((c) => !Number.isInteger(c) || c < 0)) bad(`counts must be ${slotCount} whole numbers`);
  let at = 12 + len;
  const slots = h.counts.map((count, s) => {
    const { w, h: ph } = regionBox(BANK_REGIONS[s % BANK_REGIONS.length]!, h.size);
    const need = count * (DESC * DESC * 4 + w * ph);
    if (at + need > bytes.length) bad(`truncated at slot ${s} (${bytes.length} bytes, needs ${at + need})`);
    const shades = Array.from({ length: count }, (_, k) => {
      const d = new Float32Array(DESC * DESC);
      for (let c = 0; c < d.length; c++) d[c] = bytes.readFloatLE(at + (k * DESC * DESC + c) * 4);
      return d;
    });
    at += count * DESC * DESC * 4;
    const patches = Array.from({ length: count }, (_, k) => {
      const p = new Float32Array(w * ph);
      const o = at + k * w * ph;
      for (let i = 0; i < p.length; i++) p[i] = bytes.readInt8(o + i) / h.quant;
      return p;
    });
    at += count * w * ph;
    return { patches, shades, energy: patches.length ? median(patches.map(energyOf)) : 0 };
  });
  if (at !== bytes.length) bad(`${bytes.length - at} bytes past the last patch`);
  return { size: h.size, sigma: h.sigma, crops: h.crops, slots };
}

/** A model folder's bank: null when it has none; an error naming the file when it does not load. */
export function loadDetailBank(dir: string): DetailBank | null {
  const file = path.join(dir, DETAIL_BANK_FILE);
  if (!fs.existsSync(file)) return null;
  return parseDetailBank(fs.readFileSync(file), file);
}

/** How many times its slot's median energy a patch may have to be a candidate. */
const OUTLIER = 2.5;
/** Fewest candidates a look-up wants from its age bin before it takes the two next bins' too (never further: other ages' lines). */
const ENOUGH = 8;

/**
 * The lines (size x size, levels) a face of `sourceAge` gains at `targetAge` from the bank: per region, of the
 * `candidates` patches (the target's age bin and gender, and the two next bins when that is thin) whose broad shading is
 * most like the face's own there, the one of median strength, scaled to the RMS real faces' lines gain there between
 * the two ages (sqrt of regionEnergy at the target less at the source, none where they lose), placed on the face's own
 * mesh point for the region with a raised-cosine feather, the regions' overlaps averaged. Zero off the regions.
 */
export function bankDetail(bank: DetailBank, crop: ArrayLike<number>, landmarks: readonly Point[], gender: PrototypeGender, sourceAge: number, targetAge: number, candidates: number): Float32Array {
  const size = bank.size;
  const luma = lumaPlane(crop, size * size);
  const sum = new Float32Array(size * size);
  const weight = new Float32Array(size * size);
  const g = PROTOTYPE_GENDERS.indexOf(gender);
  const bin = bankBin(targetAge);
  BANK_REGIONS.forEach((r, ri) => {
    const slotOf = (b: number): (typeof bank.slots)[number] => bank.slots[(g * BANK_BINS.length + b) * BANK_REGIONS.length + ri]!;
    const pool: { patch: Float32Array; shade: Float32Array }[] = [];
    for (let reach = 0; reach <= 1 && pool.length < ENOUGH; reach++) {
      for (const b of reach === 0 ? [bin] : [bin - reach, bin + reach]) {
        if (b < 0 || b >= BANK_BINS.length) continue;
        const s = slotOf(b);
        // A patch far stronger than its slot's typical one holds something else than lines (a scar, a shadow's edge).
        s.patches.forEach((patch, k) => {
          if (energyOf(patch) <= OUTLIER * s.energy) pool.push({ patch, shade: s.shades[k]! });
        });
      }
    }
    const gain = Math.sqrt(Math.max(0, regionEnergy(bank, gender, ri, targetAge) - regionEnergy(bank, gender, ri, sourceAge)));
    if (pool.length === 0 || gain === 0) return;
    const { w, h } = regionBox(r, size);
    const [x0, y0] = regionCorner(r, landmarks, size);
    const own = shading(luma, size, x0, y0, w, h);
    const dist = (d: Float32Array): number => d.reduce((acc, v, c) => acc + (v - own[c]!) ** 2, 0);
    const best = pool
      .map((p) => ({ ...p, d: dist(p.shade) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, Math.max(1, candidates))
      .map((p) => ({ patch: p.patch, rms: Math.sqrt(energyOf(p.patch)) }))
      .sort((a, b) => a.rms - b.rms);
    const pick = best[Math.floor((best.length - 1) / 2)]!;
    if (!(pick.rms > 0)) return;
    for (let y = 0; y < h; y++) {
      const sy = y0 + y;
      if (sy < 0 || sy >= size) continue;
      const fy = Math.sin((Math.PI * (y + 0.5)) / h);
      for (let x = 0; x < w; x++) {
        const sx = x0 + x;
        if (sx < 0 || sx >= size) continue;
        const f = fy * Math.sin((Math.PI * (x + 0.5)) / w);
        const i = sy * size + sx;
        sum[i] = sum[i]! + f * gain * (pick.patch[y * w + x]! / pick.rms);
        weight[i] = weight[i]! + f;
      }
    }
  });
  // Where regions overlap their patches are averaged; a lone region's feather fades it out.
  for (let i = 0; i < sum.length; i++) if (weight[i]! > 1) sum[i] = sum[i]! / weight[i]!;
  return sum;
}
