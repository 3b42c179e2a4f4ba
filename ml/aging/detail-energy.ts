import fs from 'node:fs';
import path from 'node:path';
import { bandwidthAt, knotPosition, PROTOTYPE_GENDERS, PROTOTYPE_KNOTS, type PrototypeGender } from '../shape/prototypes.js';
import { bilinear } from '../shape/warp-field.js';
import { fineBand } from './detail-change.js';
import { lumaPlane } from './lab.js';

/**
 * How much fine detail (lines, pores, beard shadow) real faces have at each age, region by region of the aligned crop:
 * the mean over the catalogue's crops of their lightness fine band squared, on a GRID x GRID grid, per gender, at the
 * prototypes' knot ages. Mean faces (the prototypes) average lines away, so their own detail says little about age;
 * this table keeps each crop's detail before averaging. Fitted with running sums: memory does not grow with the crops.
 */
export const DETAIL_ENERGY_FILE = 'detail-energy.json';
export const DETAIL_GRID = 8;

export interface DetailEnergy {
  readonly format: 'chronoface-detail-energy';
  readonly version: 1;
  /** Crop side it was measured at, and the fine band's blur there (px). */
  readonly size: number;
  readonly sigma: number;
  readonly grid: number;
  readonly knots: readonly number[];
  /** Per gender, per knot, GRID * GRID mean energies (row-major). */
  readonly energy: Readonly<Record<PrototypeGender, readonly (readonly number[])[]>>;
  readonly weights: Readonly<Record<PrototypeGender, readonly number[]>>;
  readonly crops: number;
}

/** A crop's fine-band energy per grid cell. */
export function cropDetailGrid(crop: ArrayLike<number>, size: number, sigma: number, grid = DETAIL_GRID): Float32Array {
  const band = fineBand(lumaPlane(crop, size * size), size, sigma);
  const out = new Float32Array(grid * grid);
  const count = new Float32Array(grid * grid);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cell = Math.min(grid - 1, Math.floor((y * grid) / size)) * grid + Math.min(grid - 1, Math.floor((x * grid) / size));
      out[cell] = out[cell]! + band[y * size + x]! ** 2;
      count[cell] = count[cell]! + 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / count[i]!;
  return out;
}

/** Running sums over crops; `result()` gives the table. Genders not known count for both, at half weight. */
export class DetailEnergyFit {
  private readonly sums = new Map<PrototypeGender, Float64Array[]>();
  private readonly weights = new Map<PrototypeGender, Float64Array>();
  private crops = 0;

  constructor(
    readonly size: number,
    readonly sigma: number,
  ) {
    for (const g of PROTOTYPE_GENDERS) {
      this.sums.set(g, PROTOTYPE_KNOTS.map(() => new Float64Array(DETAIL_GRID * DETAIL_GRID)));
      this.weights.set(g, new Float64Array(PROTOTYPE_KNOTS.length));
    }
  }

  add(crop: ArrayLike<number>, age: number, gender: PrototypeGender | 'unknown'): void {
    const cells = cropDetailGrid(crop, this.size, this.sigma);
    const genders = gender === 'unknown' ? PROTOTYPE_GENDERS : [gender];
    const share = gender === 'unknown' ? 0.5 : 1;
    PROTOTYPE_KNOTS.forEach((knot, k) => {
      const bw = bandwidthAt(knot);
      const w = share * Math.exp(-((age - knot) ** 2) / (2 * bw * bw));
      if (w < 1e-4) return;
      for (const g of genders) {
        const sum = this.sums.get(g)![k]!;
        for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + w * cells[i]!;
        this.weights.get(g)![k] = this.weights.get(g)![k]! + w;
      }
    });
    this.crops++;
  }

  result(): DetailEnergy {
    const energy = {} as Record<PrototypeGender, number[][]>;
    const weights = {} as Record<PrototypeGender, number[]>;
    for (const g of PROTOTYPE_GENDERS) {
      const other = PROTOTYPE_GENDERS.find((o) => o !== g)!;
      weights[g] = Array.from(this.weights.get(g)!);
      energy[g] = PROTOTYPE_KNOTS.map((_, k) => {
        // Thin knots lean on both genders pooled, as the prototypes do.
        const own = this.weights.get(g)![k]!;
        const pooled = own + this.weights.get(other)![k]!;
        const sum = own >= 5 ? this.sums.get(g)![k]! : this.sums.get(g)![k]!.map((v, i) => v + this.sums.get(other)![k]![i]!);
        const w = own >= 5 ? own : pooled;
        return Array.from(sum, (v) => (w > 0 ? Math.round((v / w) * 1000) / 1000 : 0));
      });
    }
    return { format: 'chronoface-detail-energy', version: 1, size: this.size, sigma: this.sigma, grid: DETAIL_GRID, knots: [...PROTOTYPE_KNOTS], energy, weights, crops: this.crops };
  }
}

/** Reads and checks a model folder's table: null when the folder has none; an error naming the file when it is bad. */
export function loadDetailEnergy(dir: string): DetailEnergy | null {
  const file = path.join(dir, DETAIL_ENERGY_FILE);
  if (!fs.existsSync(file)) return null;
  let v: DetailEnergy;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8')) as DetailEnergy;
  } catch (err) {
    throw new Error(`${file}: not readable as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (v.format !== 'chronoface-detail-energy' || v.version !== 1) bad('not a chronoface-detail-energy version 1 file');
  if (!(v.size > 0) || !(v.sigma > 0) || v.grid !== DETAIL_GRID) bad(`size, sigma and grid (${DETAIL_GRID}) must be given`);
  if (!Array.isArray(v.knots) || v.knots.length < 2 || v.knots.some((k, i) => !Number.isFinite(k) || (i > 0 && k <= v.knots[i - 1]!))) bad('knots must be increasing numbers');
  for (const g of PROTOTYPE_GENDERS) {
    const rows = v.energy?.[g];
    if (!Array.isArray(rows) || rows.length !== v.knots.length) bad(`energy.${g} must have one row per knot (${v.knots.length})`);
    rows.forEach((r, k) => {
      if (!Array.isArray(r) || r.length !== DETAIL_GRID * DETAIL_GRID || r.some((x) => !Number.isFinite(x) || x < 0)) bad(`energy.${g}[${k}] must be ${DETAIL_GRID * DETAIL_GRID} finite values >= 0`);
    });
  }
  return v;
}

/** The table's energies at an age (per cell), interpolated between knots. */
export function energyAt(d: DetailEnergy, gender: PrototypeGender, age: number): Float32Array {
  const { lo, hi, t } = knotPosition(d.knots, age);
  const a = d.energy[gender][lo]!;
  const b = d.energy[gender][hi]!;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + t * (b[i]! - a[i]!);
  return out;
}

/** Energy floor of the ratio (luma units squared): flat cells give a ratio near 1. */
const FLOOR = 1;

/**
 * Per crop pixel (size x size, the aligned frame), sqrt(energy at the target / energy at the source): how much the
 * face's own detail should scale, cell by cell, bilinear between cell centres.
 */
export function detailRatioMap(d: DetailEnergy, gender: PrototypeGender, sourceAge: number, targetAge: number, size: number): Float32Array {
  const from = energyAt(d, gender, sourceAge);
  const to = energyAt(d, gender, targetAge);
  const cells = new Float32Array(from.length);
  for (let i = 0; i < from.length; i++) cells[i] = Math.sqrt((to[i]! + FLOOR) / (from[i]! + FLOOR));
  return cellsToCrop(cells, d.grid, size);
}

/**
 * Per crop pixel, sqrt(max(0, energy at the target - energy at the source)): the RMS (levels) of the fine detail a face
 * of the source age lacks at the target age, cell by cell, bilinear between cell centres (0 going younger).
 */
export function detailGainedMap(d: DetailEnergy, gender: PrototypeGender, sourceAge: number, targetAge: number, size: number): Float32Array {
  const from = energyAt(d, gender, sourceAge);
  const to = energyAt(d, gender, targetAge);
  return cellsToCrop(Float32Array.from(from, (f, i) => Math.sqrt(Math.max(0, to[i]! - f))), d.grid, size);
}

/** A grid x grid plane of cell values upsampled to size x size, bilinear between cell centres. */
function cellsToCrop(cells: Float32Array, g: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = bilinear(cells, g, 1, ((x + 0.5) * g) / size - 0.5, ((y + 0.5) * g) / size - 0.5, 0);
  }
  return out;
}

/** Blur used when fitting, in px at `size`: the lines' own scale (DEFAULT linesBlur of a face about 0.55 crop wide). */
export function fitSigma(size: number, linesBlur: number): number {
  return linesBlur * 0.55 * size;
}
