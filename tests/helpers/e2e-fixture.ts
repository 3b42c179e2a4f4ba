/**
 * Fixture data directories for the studio's end-to-end tests and the UI benchmark.
 * Images are imported with the real CLI (`import`); crops come from the real `prepare` when the CLI has it, otherwise
 * (and for the 50,000-crop benchmark) they are written here with sharp and registered with plain SQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { runCli } from './cli.js';
import { FGNET_DIR, tempDir, UTKFACE_DIR } from './env.js';

export interface Fixture {
  root: string;
  dataDir: string;
  utkDir: string;
  fgnetDir: string;
  /** How the crops were made: by the real `prepare`, or synthesised here. */
  crops: 'prepare' | 'synthetic';
  cleanup(): void;
}

/** `count` UTKFace files spread over the ages (the folder is sorted by age), never the malformed two. */
export function pickUtkface(count: number): string[] {
  const all = fs.readdirSync(UTKFACE_DIR).filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f));
  all.sort((a, b) => Number(a.split('_')[0]) - Number(b.split('_')[0]) || a.localeCompare(b));
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)]!);
}

export function pickFgnet(count: number): string[] {
  return fs.readdirSync(path.join(FGNET_DIR, 'images')).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, count);
}

/** Whether the built CLI lists a command (other parts of the CLI land over time). */
export async function cliHas(command: string): Promise<boolean> {
  const res = await runCli(['--help']);
  return new RegExp(`^\\s+${command}\\s`, 'm').test(res.stdout + res.stderr);
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const res = await runCli([...args, '--json']);
  if (res.code !== 0) throw new Error(`chronoface ${args.join(' ')} failed (${res.code}): ${res.stderr || res.stdout}`);
  return res.last;
}

/** Imports `utk` UTKFace crops (and copies `fgnet` FG-NET photos aside), prepares them, and optionally trains a tiny model. */
export async function buildFixture(opts: { utk?: number; fgnet?: number; prepare?: 'auto' | 'synthetic'; model?: boolean } = {}): Promise<Fixture> {
  const root = tempDir('e2e');
  const dataDir = path.join(root, 'data');
  const utkDir = path.join(root, 'utkface');
  const fgnetDir = path.join(root, 'fgnet');
  fs.mkdirSync(utkDir, { recursive: true });
  fs.mkdirSync(path.join(fgnetDir, 'images'), { recursive: true });
  for (const f of pickUtkface(opts.utk ?? 40)) fs.copyFileSync(path.join(UTKFACE_DIR, f), path.join(utkDir, f));
  for (const f of pickFgnet(opts.fgnet ?? 3)) fs.copyFileSync(path.join(FGNET_DIR, 'images', f), path.join(fgnetDir, 'images', f));

  await cli(['import', utkDir, '--data-dir', dataDir]);
  let crops: Fixture['crops'] = 'synthetic';
  if (opts.prepare !== 'synthetic' && (await cliHas('prepare'))) {
    await cli(['prepare', '--data-dir', dataDir, '--size', '128']);
    crops = 'prepare';
  } else {
    await synthesiseCrops(dataDir);
  }
  // A tiny model of the data directory's own, so aging does not depend on the shipped default model.
  if (opts.model) await cli(['train', '--data-dir', dataDir, '--size', '64', '--epochs', '1', '--batch', '16', '--include-pending', '--workers', '1', '--name', 'e2e']);
  return { root, dataDir, utkDir, fgnetDir, crops, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** UTKFace crops are already aligned (200x200); the canonical points of that alignment, in source pixels. */
const UTK_POINTS = { leftEye: [70, 92], rightEye: [130, 92], nose: [100, 122], mouthLeft: [76, 150], mouthRight: [124, 150] } as const;

/**
 * Stands in for `prepare` on UTKFace images: one detected face and one 128 px crop (a resize of the aligned chip) per
 * image, with the transform, status pending and a quality score, as the preparation writes them.
 */
export async function synthesiseCrops(dataDir: string): Promise<number> {
  const db = new Database(path.join(dataDir, 'catalogue.sqlite'));
  try {
    const images = db.prepare(`SELECT i.id, i.source_path AS rel, d.root FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id NOT IN (SELECT image_id FROM crops)`).all() as { id: number; rel: string; root: string }[];
    const size = 128;
    const s = size / 200;
    const rows: unknown[][] = [];
    for (const img of images) {
      const rel = `crops/${String(img.id % 1000).padStart(3, '0')}/${img.id}.png`;
      fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
      const src = path.join(img.root, img.rel);
      const stats = await sharp(src).resize(size, size).png().toFile(path.join(dataDir, rel)).then(async () => sharp(src).stats());
      const brightness = stats.channels.slice(0, 3).reduce((n, c) => n + c.mean, 0) / 3;
      const quality = Math.round(Math.min(1, Math.max(0, stats.entropy / 8)) * 1000) / 1000;
      const landmarks = Object.values(UTK_POINTS);
      rows.push([img.id, rel, size, JSON.stringify([s, 0, 0, 0, s, 0]), JSON.stringify([1 / s, 0, 0, 0, 1 / s, 0]), JSON.stringify(UTK_POINTS), quality, JSON.stringify({ brightness, synthetic: true }), JSON.stringify(brightness < 60 ? ['dark'] : []), JSON.stringify(landmarks)]);
    }
    const insertFace = db.prepare(`INSERT INTO faces (image_id, idx, score, box_json, keypoints_json, landmarks_json, is_primary, source) VALUES (?, 0, 0.99, '[20,20,160,170]', ?, ?, 1, 'detected')`);
    const insertCrop = db.prepare(`INSERT INTO crops (image_id, face_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, quality, signals_json, flags_json) VALUES (?, ?, ?, ?, ?, ?, ?, '{"version":1,"size":128}', ?, ?, ?)`);
    const markDone = db.prepare(`UPDATE images SET prepare_status = 'done' WHERE id = ?`);
    db.transaction(() => {
      for (const [id, rel, sz, t, inv, kp, q, sig, flags, lm] of rows) {
        const face = insertFace.run(id, kp, lm).lastInsertRowid;
        insertCrop.run(id, face, rel, sz, t, inv, kp, q, sig, flags);
        markDone.run(id);
      }
    })();
    return rows.length;
  } finally {
    db.close();
  }
}

/**
 * Grows a catalogue to `total` crops for the scrolling benchmark: extra image rows (distinct hashes) and crop rows that
 * point at the crop files already there, so the grid has 50,000 real rows to page through.
 */
export function inflateCrops(dataDir: string, total: number): number {
  const db = new Database(path.join(dataDir, 'catalogue.sqlite'));
  try {
    const have = db.prepare('SELECT count(*) FROM crops').pluck().get() as number;
    const templates = db.prepare(`SELECT c.*, i.dataset_id, i.source_path, i.width, i.height, i.age, i.gender FROM crops c JOIN images i ON i.id = c.image_id`).all() as Record<string, unknown>[];
    if (templates.length === 0) throw new Error('inflateCrops needs at least one crop to copy');
    const insImage = db.prepare(`INSERT INTO images (dataset_id, source_path, content_hash, width, height, format, age, gender, split, prepare_status) VALUES (?, ?, ?, ?, ?, 'jpeg', ?, ?, ?, 'done')`);
    const insCrop = db.prepare(`INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, quality, signals_json, flags_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const splits = ['train', 'train', 'train', 'val', 'test'];
    db.transaction(() => {
      for (let n = have; n < total; n++) {
        const t = templates[n % templates.length]!;
        const imageId = insImage.run(t.dataset_id, t.source_path, `bench-${n}`, t.width, t.height, ((n * 7) % 95) + 1, t.gender, splits[n % 5]).lastInsertRowid;
        insCrop.run(imageId, t.file, t.size, t.transform_json, t.inverse_json, t.keypoints_json, t.settings_json, ((n * 7919) % 1000) / 1000, t.signals_json, t.flags_json);
      }
    })();
    return total - have;
  } finally {
    db.close();
  }
}
