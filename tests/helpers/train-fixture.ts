import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalogue } from '../../db/catalogue.js';
import { tempDir } from './env.js';
import { UTKFACE_DIR } from './shared-data.js';

export interface TrainFixture {
  dataDir: string;
  /** crops inserted per split */
  counts: { train: number; val: number; test: number };
}

/**
 * A data directory with prepared-looking crops for training tests: UTKFace images resized with sharp to size x size
 * PNGs, with datasets/images/crops rows inserted directly (status 'accepted'). Every 10th image is val, every 10th+1 test.
 */
export async function makeTrainFixture(
  opts: { count: number; size?: number; status?: 'accepted' | 'pending'; splitOf?: (i: number) => 'train' | 'val' | 'test' | null } = { count: 200 },
): Promise<TrainFixture> {
  const size = opts.size ?? 64;
  const dataDir = tempDir('train');
  const db = openCatalogue(dataDir);
  const files = fs
    .readdirSync(UTKFACE_DIR)
    .filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f))
    .sort()
    .slice(0, opts.count);
  const ds = db.prepare("INSERT INTO datasets (name, format, root) VALUES ('utk', 'utkface', ?)").run(UTKFACE_DIR);
  const dsId = Number(ds.lastInsertRowid);
  fs.mkdirSync(path.join(dataDir, 'crops'), { recursive: true });
  const counts = { train: 0, val: 0, test: 0 };
  const insImage = db.prepare(
    'INSERT INTO images (dataset_id, source_path, content_hash, width, height, format, age, gender, split, prepare_status) VALUES (?, ?, ?, 200, 200, ?, ?, ?, ?, ?)',
  );
  const insCrop = db.prepare(
    "INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status) VALUES (?, ?, ?, '[1,0,0,0,1,0]', '[1,0,0,0,1,0]', '[]', ?, ?)",
  );
  await Promise.all(
    files.map(async (f, i) => {
      const rel = `crops/${String(i).padStart(5, '0')}.png`;
      await sharp(path.join(UTKFACE_DIR, f)).resize(size, size).png().toFile(path.join(dataDir, rel));
    }),
  );
  db.transaction(() => {
    files.forEach((f, i) => {
      const [age, g] = f.split('_');
      const split = opts.splitOf ? opts.splitOf(i) : i % 10 === 0 ? 'val' : i % 10 === 1 ? 'test' : 'train';
      if (split) counts[split]++;
      const hash = crypto.createHash('sha1').update(f).digest('hex');
      const img = insImage.run(dsId, f, hash, 'jpeg', Number(age), g === '0' ? 'male' : 'female', split, 'done');
      insCrop.run(Number(img.lastInsertRowid), `crops/${String(i).padStart(5, '0')}.png`, size, JSON.stringify({ size, fixture: true }), opts.status ?? 'accepted');
    });
  })();
  db.close();
  return { dataDir, counts };
}
