import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_FILE, openCatalogue } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { MIGRATIONS } from '../db/schema.js';
import { tempDir } from './helpers/env.js';

describe('migration 3 (IMDB-WIKI and CACD formats, image flags and metadata)', () => {
  it('keeps every dataset, image, crop and import error of an existing catalogue, and the cascades', () => {
    const dataDir = tempDir('migrate3');
    const old = new Database(path.join(dataDir, CATALOGUE_FILE));
    old.pragma('foreign_keys = ON');
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.exec(`
      INSERT INTO datasets (id, name, format, root, options_json) VALUES (1, 'utk', 'utkface', '/data/utk', '{}'), (2, 'mine', 'csv', '/data/mine', '{"csv":"labels.csv"}');
      INSERT INTO images (id, dataset_id, source_path, content_hash, width, height, age, gender) VALUES
        (1, 1, 'a.jpg', 'h1', 200, 200, 25, 'male'), (2, 1, 'b.jpg', 'h2', 200, 200, 40, 'female'), (3, 2, 'c.jpg', 'h3', 90, 90, NULL, 'unknown');
      INSERT INTO faces (id, image_id, idx) VALUES (1, 1, 0);
      INSERT INTO crops (id, image_id, face_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status)
        VALUES (1, 1, 1, 'crops/1.png', 128, '[]', '[]', '{}', '{}', 'accepted'), (2, 3, NULL, 'crops/3.png', 128, '[]', '[]', '{}', '{}', 'pending');
      INSERT INTO import_errors (dataset_id, file, reason) VALUES (2, 'd.jpg', 'zero bytes: the file is empty');
    `);
    old.close();

    const db = openCatalogue(dataDir);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare('SELECT id, name, format, root, options_json FROM datasets ORDER BY id').all()).toEqual([
        { id: 1, name: 'utk', format: 'utkface', root: '/data/utk', options_json: '{}' },
        { id: 2, name: 'mine', format: 'csv', root: '/data/mine', options_json: '{"csv":"labels.csv"}' },
      ]);
      expect(listImages(db).map((im) => [im.id, im.datasetId, im.age, im.flags, im.meta])).toEqual([
        [1, 1, 25, [], null],
        [2, 1, 40, [], null],
        [3, 2, null, [], null],
      ]);
      expect(db.prepare('SELECT id, image_id, status FROM crops ORDER BY id').all()).toEqual([
        { id: 1, image_id: 1, status: 'accepted' },
        { id: 2, image_id: 3, status: 'pending' },
      ]);
      expect(db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM import_errors').pluck().get()).toBe(1);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

      db.prepare(`INSERT INTO datasets (name, format, root) VALUES ('imdb', 'imdb-wiki', '/data/imdb'), ('cacd', 'cacd', '/data/cacd')`).run();
      expect(() => db.prepare(`INSERT INTO datasets (name, format, root) VALUES ('x', 'bogus', '/data/x')`).run()).toThrow(/CHECK constraint failed/);
      db.prepare('DELETE FROM datasets WHERE id = 2').run();
      expect(db.prepare('SELECT id FROM images ORDER BY id').pluck().all()).toEqual([1, 2]);
      expect(db.prepare('SELECT id FROM crops').pluck().all()).toEqual([1]);
      expect(db.prepare('SELECT COUNT(*) FROM import_errors').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});
