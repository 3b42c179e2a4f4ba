/**
 * Small catalogues for the export tests, without preparation: images with labels and accepted crops whose files are
 * real 64 px PNGs of UTKFace faces (hard links to a few, so thousands of crops cost no disk). Also the Python
 * read-back of an export (tests/helpers/read-export.py, standard library and Pillow).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalogue, type Db } from '../../db/catalogue.js';
import { upsertCrop } from '../../db/crops.js';
import { ensureDataset } from '../../db/datasets.js';
import { insertImages, type NewImage } from '../../db/images.js';
import type { Split } from '../../domain/split.js';
import { cropData } from './crop-data.js';
import { REPO_ROOT } from './env.js';
import { UTKFACE_DIR } from './shared-paths.js';

export interface SyntheticImage {
  relPath: string;
  age: number;
  gender: 'male' | 'female' | 'unknown';
  subject: string | null;
  split: Split;
}

/** `n` images of a 'csv' dataset rooted at `root`, each with an accepted crop whose file is one of `faces` PNGs. */
export async function syntheticCatalogue(dataDir: string, n: number, opts: { faces?: number; root?: string; image?: (i: number) => Partial<SyntheticImage> } = {}): Promise<Db> {
  const db = openCatalogue(dataDir);
  const ds = ensureDataset(db, { root: opts.root ?? path.join(dataDir, 'source'), format: 'csv', name: 'synthetic' });
  const names = fs.readdirSync(UTKFACE_DIR).filter((f) => f.endsWith('.jpg')).sort().slice(0, opts.faces ?? 8);
  const pngs = await Promise.all(names.map((f) => sharp(path.join(UTKFACE_DIR, f)).resize(64, 64).removeAlpha().png().toBuffer()));
  const sources = pngs.map((png, i) => {
    const f = path.join(dataDir, `face-${i}.png`);
    fs.writeFileSync(f, png);
    return f;
  });
  const splits: Split[] = ['train', 'train', 'train', 'val', 'test'];
  const images: NewImage[] = Array.from({ length: n }, (_, i) => {
    const more = opts.image?.(i) ?? {};
    return {
      datasetId: ds.id,
      relPath: more.relPath ?? `p/${i}.jpg`,
      contentHash: `${i.toString(16).padStart(40, '0')}`,
      width: 64,
      height: 64,
      format: 'jpeg',
      age: more.age ?? (i * 7) % 90,
      gender: more.gender ?? (i % 2 ? 'female' : 'male'),
      subject: more.subject === undefined ? `s${Math.floor(i / 3)}` : more.subject,
      split: more.split ?? splits[Math.floor(i / 3) % splits.length]!,
    };
  });
  const ids = insertImages(db, images);
  const accept = db.prepare("UPDATE crops SET status = 'accepted' WHERE id = ?");
  db.transaction(() => {
    ids.forEach((id, i) => {
      const file = `crops/${Math.floor(id! / 1000)}/${id}.png`;
      fs.mkdirSync(path.join(dataDir, path.dirname(file)), { recursive: true });
      fs.linkSync(sources[i % sources.length]!, path.join(dataDir, file));
      const cropId = upsertCrop(db, cropData(id!, { file, settings: { background: { enabled: true } } }));
      accept.run(cropId);
    });
  })();
  return db;
}

/** A python3 that has Pillow: the one on PATH, else the system's (where apt-get's python3-pil goes). */
export function pythonWithPillow(): string {
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import PIL'], { stdio: 'ignore' });
      return py;
    } catch {
      /* try the next */
    }
  }
  throw new Error('no python3 with Pillow: apt-get install -y python3-pil');
}

export interface ReadBackRow extends Record<string, unknown> {
  /** [width, height, mode] as Pillow opened it. */
  _image: [number, number, string];
  _transparent?: number;
}

/** The export read by Python's standard library and Pillow: every row, each with its image opened. */
export function readBack(outDir: string, format: string): ReadBackRow[] {
  const out = execFileSync(pythonWithPillow(), [path.join(REPO_ROOT, 'tests/helpers/read-export.py'), outDir, format], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out.toString()) as ReadBackRow[];
}
