import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_FILE, describeCatalogueUpgrade, upgradeCatalogue, type CatalogueUpgrade } from '../db/catalogue.js';
import { MIGRATIONS } from '../db/schema.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';

/** A catalogue as Chronoface left it before the review columns (schema 4), with three prepared crops. */
function schema4Catalogue(): string {
  const dataDir = tempDir('upgrade');
  const old = new Database(path.join(dataDir, CATALOGUE_FILE));
  for (let v = 0; v < 4; v++) old.exec(MIGRATIONS[v]!);
  old.pragma('user_version = 4');
  old.exec(`
    INSERT INTO datasets (id, name, format, root) VALUES (1, 'utk', 'utkface', '/data/utk');
    INSERT INTO images (id, dataset_id, source_path, content_hash, width, height, age, gender, split, prepare_status) VALUES
      (1, 1, 'a.jpg', 'h1', 200, 200, 25, 'male', 'train', 'done'), (2, 1, 'b.jpg', 'h2', 200, 200, 41, 'female', 'val', 'done'),
      (3, 1, 'c.jpg', 'h3', 200, 200, 7, 'female', 'test', 'done');
    INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status) VALUES
      (1, 'crops/1.png', 128, '[]', '[]', '{}', '{}', 'accepted'), (2, 'crops/2.png', 128, '[]', '[]', '{}', '{}', 'pending'),
      (3, 'crops/3.png', 128, '[]', '[]', '{}', '{}', 'rejected');
  `);
  old.close();
  return dataDir;
}

describe('upgrading an older catalogue', () => {
  it('says what it will do before migrating, once, and leaves a data directory without a catalogue alone', () => {
    const dataDir = schema4Catalogue();
    const told: CatalogueUpgrade[] = [];
    const done = upgradeCatalogue(dataDir, (u) => told.push(u));
    expect(told).toEqual([{ dataDir, from: 4, to: MIGRATIONS.length, crops: 3 }]);
    expect(done).toEqual(told[0]);
    const db = new Database(path.join(dataDir, CATALOGUE_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT status, n FROM crop_counts WHERE n > 0 ORDER BY status').all().map((r) => (r as { status: string }).status)).toEqual([
      'accepted',
      'pending',
      'rejected',
    ]);
    db.close();
    expect(upgradeCatalogue(dataDir, (u) => told.push(u))).toBeNull();
    expect(told).toHaveLength(1);
    expect(describeCatalogueUpgrade({ dataDir: '/d', from: 4, to: 6, crops: 500_000 })).toBe(
      'upgrading the catalogue in /d for this version of Chronoface (schema 4 to 6, 500,000 crops); this happens once and takes a few seconds per 100,000 crops',
    );

    const empty = tempDir('upgrade-none');
    expect(upgradeCatalogue(empty, (u) => told.push(u))).toBeNull();
    expect(fs.existsSync(path.join(empty, CATALOGUE_FILE))).toBe(false);
    expect(told).toHaveLength(1);
  });

  it('the CLI prints the notice on stderr before the command runs, and only the first time', async () => {
    const dataDir = schema4Catalogue();
    const first = await runCli(['stats', '--data-dir', dataDir, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`chronoface: upgrading the catalogue in ${dataDir} for this version of Chronoface (schema 4 to ${MIGRATIONS.length}, 3 crops)`);
    expect(first.stderr).toMatch(/chronoface: catalogue upgraded in \d+\.\d s/);
    expect(first.last).toMatchObject({ images: 3, byStatus: { accepted: 1, pending: 1, rejected: 1 } });
    const second = await runCli(['stats', '--data-dir', dataDir, '--json']);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('upgrading');
  });
});
