import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync as writeFileAtomic } from '../io/write-file-atomic.js';
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

/** The model folder's prototypes, or null when it has none. */
export function readPrototypes(dir: string): AgePrototypes | null {
  const file = path.join(dir, PROTOTYPES_FILE);
  if (!fs.existsSync(file)) return null;
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredPrototypes;
  if (s.format !== 'chronoface-age-prototypes' || s.version !== 1) throw new Error(`${file}: not a Chronoface age-prototype file (format ${String(s.format)}, version ${String(s.version)})`);
  let textures: AgePrototypes['textures'] = null;
  if (s.textures) {
    const bin = fs.readFileSync(path.join(dir, s.textures.file));
    const px = s.size * s.size * 3;
    const expected = PROTOTYPE_GENDERS.length * s.knots.length * px;
    if (bin.length !== expected) throw new Error(`${s.textures.file}: ${bin.length} bytes, expected ${expected} (${s.knots.length} ages x 2 genders of ${s.size} px)`);
    const view = (g: number, k: number): Uint8Array => new Uint8Array(bin.buffer, bin.byteOffset + (g * s.knots.length + k) * px, px);
    textures = { male: s.knots.map((_, k) => view(0, k)), female: s.knots.map((_, k) => view(1, k)) };
  }
  return {
    version: 1,
    size: s.size,
    knots: s.knots,
    bandwidth: s.bandwidth,
    shapes: { male: s.shapes.male.map((r) => Float32Array.from(r)), female: s.shapes.female.map((r) => Float32Array.from(r)) },
    weights: s.weights,
    meanShape: Float32Array.from(s.meanShape),
    textures,
    crops: s.crops,
    builtAt: s.builtAt,
  };
}
