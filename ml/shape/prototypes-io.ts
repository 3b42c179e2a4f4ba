import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync as writeFileAtomic } from '../io/write-file-atomic.js';
import { FileCheck, readJsonFile } from '../io/model-file.js';
import { MESH_POINTS } from './mesh.js';
import { PROTOTYPE_GENDERS, type AgePrototypes, type PrototypeGender } from './prototypes.js';

/** Beside a model's sidecar.json: the shapes and their metadata, and the textures as raw bytes. */
export const PROTOTYPES_FILE = 'prototypes.json';
export const PROTOTYPE_TEXTURES_FILE = 'prototypes.bin';

interface StoredPrototypes {
  format: 'chronoface-age-prototypes';
  version: 1;
  size: number;
  knots: number[];
  bandwidth: { min: number; perYear: number };
  shapes: Record<PrototypeGender, number[][]>;
  weights: Record<PrototypeGender, number[]>;
  meanShape: number[];
  /** Genders in PROTOTYPE_GENDERS order, then knots, then size * size * 3 RGB bytes. */
  textures: { file: string; bytes: number } | null;
  crops: number;
  builtAt: string;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

export function writePrototypes(dir: string, p: AgePrototypes): void {
  let textures: StoredPrototypes['textures'] = null;
  if (p.textures) {
    const parts = PROTOTYPE_GENDERS.flatMap((g) => p.textures![g].map((t) => Buffer.from(t.buffer, t.byteOffset, t.length)));
    const bin = Buffer.concat(parts);
    writeFileAtomic(path.join(dir, PROTOTYPE_TEXTURES_FILE), bin);
    textures = { file: PROTOTYPE_TEXTURES_FILE, bytes: bin.length };
  } else {
    fs.rmSync(path.join(dir, PROTOTYPE_TEXTURES_FILE), { force: true });
  }
  const stored: StoredPrototypes = {
    format: 'chronoface-age-prototypes',
    version: 1,
    size: p.size,
    knots: [...p.knots],
    bandwidth: { ...p.bandwidth },
    shapes: { male: p.shapes.male.map((s) => Array.from(s, round2)), female: p.shapes.female.map((s) => Array.from(s, round2)) },
    weights: { male: p.weights.male.map(round2), female: p.weights.female.map(round2) },
    meanShape: Array.from(p.meanShape, round2),
    textures,
    crops: p.crops,
    builtAt: p.builtAt,
  };
  writeFileAtomic(path.join(dir, PROTOTYPES_FILE), JSON.stringify(stored));
}

/** The model folder's prototypes, or null when it has none. A file cut short or inconsistent fails with a ModelFileError naming it. */
export function readPrototypes(dir: string): AgePrototypes | null {
  const file = path.join(dir, PROTOTYPES_FILE);
  if (!fs.existsSync(file)) return null;
  const c = new FileCheck(file);
  const s = c.object(readJsonFile(file), 'the file');
  if (s.format !== 'chronoface-age-prototypes' || s.version !== 1) c.fail(`not a Chronoface age-prototype file (format ${String(s.format)}, version ${String(s.version)})`);
  const size = c.number(s.size, 'size', { min: 8, max: 1024, integer: true });
  const knots = c.numbers(s.knots, 'knots');
  if (knots.length < 2) c.fail(`knots has ${knots.length} ages, at least 2 are needed`);
  c.increasing(knots, 'knots');
  const bw = c.object(s.bandwidth, 'bandwidth');
  const bandwidth = { min: c.number(bw.min, 'bandwidth.min', { min: 1e-6 }), perYear: c.number(bw.perYear, 'bandwidth.perYear', { min: 0 }) };
  const perGender = <T>(v: unknown, where: string, row: (r: unknown, w: string) => T): Record<PrototypeGender, T[]> => {
    const o = c.object(v, where);
    const out = {} as Record<PrototypeGender, T[]>;
    for (const g of PROTOTYPE_GENDERS) {
      const rows = o[g];
      if (!Array.isArray(rows) || rows.length !== knots.length) c.fail(`${where}.${g} should hold one entry per knot (${knots.length}), found ${Array.isArray(rows) ? rows.length : typeof rows}`);
      out[g] = (rows as unknown[]).map((r, k) => row(r, `${where}.${g}[${k}]`));
    }
    return out;
  };
  const L = MESH_POINTS * 2;
  const shapes = perGender(s.shapes, 'shapes', (r, w) => Float32Array.from(c.numbers(r, w, L)));
  const weights = perGender(s.weights, 'weights', (r, w) => c.number(r, w, { min: 0 }));
  const meanShape = Float32Array.from(c.numbers(s.meanShape, 'meanShape', L));
  const crops = c.number(s.crops, 'crops', { min: 0, integer: true });
  let textures: AgePrototypes['textures'] = null;
  if (s.textures !== null && s.textures !== undefined) {
    const t = c.object(s.textures, 'textures');
    if (typeof t.file !== 'string' || path.basename(t.file) !== t.file) c.fail(`textures.file should be a file name beside it, found ${JSON.stringify(t.file)}`);
    const binFile = path.join(dir, t.file as string);
    const px = size * size * 3;
    const expected = PROTOTYPE_GENDERS.length * knots.length * px;
    if (!fs.existsSync(binFile)) c.fail(`its textures file ${t.file} is missing`);
    if (fs.statSync(binFile).size !== expected) new FileCheck(binFile).fail(`${fs.statSync(binFile).size} bytes, expected ${expected} (${knots.length} ages x 2 genders of ${size} px)`);
    const bin = fs.readFileSync(binFile);
    const view = (g: number, k: number): Uint8Array => new Uint8Array(bin.buffer, bin.byteOffset + (g * knots.length + k) * px, px);
    textures = { male: knots.map((_, k) => view(0, k)), female: knots.map((_, k) => view(1, k)) };
  }
  return {
    version: 1,
    size,
    knots,
    bandwidth,
    shapes,
    weights,
    meanShape,
    textures,
    crops,
    builtAt: typeof s.builtAt === 'string' ? s.builtAt : '',
  };
}
