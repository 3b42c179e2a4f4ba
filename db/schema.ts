import { CROP_FLAGS } from '../domain/crop-flags.js';

/** The age bin (0 for 0-9 ... 9 for 90+) of an age column, -1 for no age. */
function ageBinSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN -1 ELSE min(9, max(0, CAST(${column} / 10 AS INTEGER))) END`;
}

/** The crop flags as bits, bit i for CROP_FLAGS[i] (FLAG_BITS in db/review-sql.ts); never reorder: the bits are stored. */
function flagBitsSql(json: string): string {
  const cases = CROP_FLAGS.map((f, i) => `WHEN '${f}' THEN ${1 << i}`).join(' ');
  return `(SELECT coalesce(sum(DISTINCT CASE value ${cases} ELSE 0 END), 0) FROM json_each(${json}))`;
}

/** The filter columns every review index carries after its sort columns, so a filtered scan never reads the table. */
const REVIEW_FILTER_COLUMNS = 'status, image_gender, age_bin, image_split, image_dataset_id, edited, review_flags';
const CROP_COUNT_KEYS = ['image_dataset_id', 'status', 'image_gender', 'age_bin', 'image_split', 'edited', 'review_flags'].map((k) => [k, k] as const);
const imageCountKeys = (row: string): (readonly [string, string])[] => [
  ['dataset_id', 'dataset_id'],
  ['gender', 'gender'],
  ['age_bin', `(${ageBinSql(`${row}.age`)})`],
  ['split', `coalesce(${row}.split, 'none')`],
];

/** Adds `delta` to the count of the group of `row` (NEW or OLD); keys are [count column, row column or expression]. */
function countChange(table: string, keys: readonly (readonly [string, string])[], row: string, delta: 1 | -1): string {
  const value = (v: string): string => (/^[a-z_]+$/.test(v) ? `${row}.${v}` : v);
  if (delta < 0) return `UPDATE ${table} SET n = n - 1 WHERE ${keys.map(([k, v]) => `${k} = ${value(v)}`).join(' AND ')};`;
  return `INSERT INTO ${table} (${keys.map(([k]) => k).join(', ')}, n) SELECT ${keys.map(([, v]) => value(v)).join(', ')}, 1
      WHERE ${value(keys[0]![1])} IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;`;
}

/** Migrations, applied in order at open; PRAGMA user_version holds how many have run. Never edit a shipped one: append. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('morph2','utkface','fgnet','csv','photos')),
    root TEXT NOT NULL UNIQUE,
    options_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );

  CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    source_path TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT,
    age REAL,
    gender TEXT NOT NULL DEFAULT 'unknown' CHECK (gender IN ('male','female','unknown')),
    race INTEGER,
    subject TEXT,
    split TEXT CHECK (split IN ('train','val','test')),
    origin_file TEXT,
    origin_row INTEGER,
    prepare_status TEXT NOT NULL DEFAULT 'pending' CHECK (prepare_status IN ('pending','done','failed')),
    prepare_error TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE INDEX images_dataset ON images(dataset_id);
  CREATE INDEX images_subject ON images(dataset_id, subject);
  CREATE INDEX images_prepare ON images(prepare_status);

  CREATE TABLE import_errors (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (dataset_id, file)
  );

  CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    score REAL,
    box_json TEXT,
    keypoints_json TEXT,
    landmarks_json TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'detected' CHECK (source IN ('detected','ground-truth')),
    UNIQUE (image_id, source, idx)
  );
  CREATE INDEX faces_image ON faces(image_id);

  CREATE TABLE crops (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    face_id INTEGER REFERENCES faces(id) ON DELETE SET NULL,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    transform_json TEXT NOT NULL,
    inverse_json TEXT NOT NULL,
    keypoints_json TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','accepted','rejected','needs-fix')),
    quality REAL,
    signals_json TEXT NOT NULL DEFAULT '{}',
    flags_json TEXT NOT NULL DEFAULT '[]',
    phash TEXT,
    est_age REAL,
    est_gender TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    manual_points_json TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (image_id)
  );
  CREATE INDEX crops_status ON crops(status);
  CREATE INDEX crops_quality ON crops(quality);
  CREATE INDEX crops_phash ON crops(phash);

  CREATE TABLE crop_history (
    id INTEGER PRIMARY KEY,
    crop_id INTEGER NOT NULL REFERENCES crops(id) ON DELETE CASCADE,
    batch TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE INDEX crop_history_batch ON crop_history(batch);

  CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE image_tags (
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (image_id, tag_id)
  );

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','completed','cancelled','failed','interrupted')),
    config_json TEXT NOT NULL,
    backend TEXT,
    backend_reason TEXT,
    dataset_fingerprint TEXT,
    dir TEXT NOT NULL,
    epochs_done INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    finished_at TEXT
  );

  CREATE TABLE run_epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    recon_file TEXT,
    sweep_file TEXT,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (run_id, epoch)
  );

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    dir TEXT NOT NULL,
    image_size INTEGER NOT NULL,
    epoch INTEGER,
    metrics_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );

  CREATE TABLE aging_outputs (
    id INTEGER PRIMARY KEY,
    model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
    model_name TEXT,
    photo_path TEXT NOT NULL,
    face_index INTEGER NOT NULL,
    source_age REAL,
    source_age_estimated INTEGER NOT NULL DEFAULT 0,
    gender TEXT,
    ages_json TEXT NOT NULL,
    gif_file TEXT,
    strip_file TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  `,
  // 2 (studio): the review queue filters by status and sorts by quality; this keeps deep pages of 50,000 crops fast.
  `
  CREATE INDEX IF NOT EXISTS crops_status_quality ON crops(status, quality);
  `,
  // 3 (training): the process training a run, so a run whose trainer is gone can be told from one still running.
  `
  ALTER TABLE runs ADD COLUMN pid INTEGER;
  `,
  // 4 (IMDB-WIKI, CACD): two more dataset formats; images get the flags their dataset's metadata raises (prepare
  // carries them onto the crop) and the metadata's other facts (birth date, rank, ...) as JSON.
  // SQLite cannot change a CHECK in place and migrations run in a transaction (foreign keys stay on), so datasets is
  // rebuilt: its rows wait in a temporary copy, the temporary triggers keep DROP TABLE's implicit DELETE from
  // cascading to images and import_errors, and re-inserting the rows settles the deferred foreign-key checks.
  `
  PRAGMA defer_foreign_keys = ON;
  CREATE TEMP TABLE datasets_v2 AS SELECT * FROM datasets;
  CREATE TEMP TRIGGER keep_images BEFORE DELETE ON images BEGIN SELECT RAISE(IGNORE); END;
  CREATE TEMP TRIGGER keep_import_errors BEFORE DELETE ON import_errors BEGIN SELECT RAISE(IGNORE); END;
  DROP TABLE datasets;
  DROP TRIGGER keep_images;
  DROP TRIGGER keep_import_errors;
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('morph2','utkface','fgnet','csv','photos','imdb-wiki','cacd')),
    root TEXT NOT NULL UNIQUE,
    options_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  INSERT INTO datasets (id, name, format, root, options_json, created_at)
    SELECT id, name, format, root, options_json, created_at FROM datasets_v2;
  DROP TABLE datasets_v2;
  ALTER TABLE images ADD COLUMN flags_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE images ADD COLUMN meta_json TEXT;
  `,
  // 5 (500,000 crops): the Review screen filters and sorts crops without reading images. Each crop carries its
  // image's dataset, age, gender and split (copied by triggers, 'none' for no split), its flags as bits (bit 128,
  // 'mislabel', is also set when the estimates disagree with the labels). One covering index per sort order serves
  // pages of common filters; crops_review_groups (the filter columns first) finds the few crops of a rare one.
  // crop_counts and image_counts hold the counts by every filterable value, kept by triggers, so a total or the stats
  // read a few hundred rows instead of every crop or image.
  `
  ALTER TABLE crops ADD COLUMN image_dataset_id INTEGER;
  ALTER TABLE crops ADD COLUMN image_age REAL;
  ALTER TABLE crops ADD COLUMN image_gender TEXT;
  ALTER TABLE crops ADD COLUMN image_split TEXT;
  ALTER TABLE crops ADD COLUMN flag_bits INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE crops ADD COLUMN age_bin INTEGER GENERATED ALWAYS AS (${ageBinSql('image_age')}) VIRTUAL;
  ALTER TABLE crops ADD COLUMN review_flags INTEGER GENERATED ALWAYS AS (flag_bits | CASE WHEN
    (est_age IS NOT NULL AND image_age IS NOT NULL AND abs(est_age - image_age) >= 15)
    OR (est_gender IN ('male','female') AND image_gender IN ('male','female') AND est_gender <> image_gender) THEN 128 ELSE 0 END) VIRTUAL;

  UPDATE crops SET (image_dataset_id, image_age, image_gender, image_split, flag_bits) =
    (SELECT dataset_id, age, gender, coalesce(split, 'none'), ${flagBitsSql('crops.flags_json')} FROM images WHERE id = crops.image_id);

  CREATE TABLE crop_counts (
    image_dataset_id INTEGER NOT NULL, status TEXT NOT NULL, image_gender TEXT NOT NULL, age_bin INTEGER NOT NULL,
    image_split TEXT NOT NULL, edited INTEGER NOT NULL, review_flags INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (image_dataset_id, status, image_gender, age_bin, image_split, edited, review_flags)
  ) WITHOUT ROWID;
  INSERT INTO crop_counts SELECT image_dataset_id, status, image_gender, age_bin, image_split, edited, review_flags, COUNT(*)
    FROM crops GROUP BY 1, 2, 3, 4, 5, 6, 7;

  CREATE TABLE image_counts (
    dataset_id INTEGER NOT NULL, gender TEXT NOT NULL, age_bin INTEGER NOT NULL, split TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, gender, age_bin, split)
  ) WITHOUT ROWID;
  INSERT INTO image_counts SELECT dataset_id, gender, ${ageBinSql('age')}, coalesce(split, 'none'), COUNT(*) FROM images GROUP BY 1, 2, 3, 4;

  CREATE TRIGGER crops_copy_image AFTER INSERT ON crops BEGIN
    UPDATE crops SET (image_dataset_id, image_age, image_gender, image_split, flag_bits) =
      (SELECT dataset_id, age, gender, coalesce(split, 'none'), ${flagBitsSql('NEW.flags_json')} FROM images WHERE id = NEW.image_id)
    WHERE id = NEW.id;
  END;
  CREATE TRIGGER crops_flag_bits AFTER UPDATE OF flags_json ON crops BEGIN
    UPDATE crops SET flag_bits = ${flagBitsSql('NEW.flags_json')} WHERE id = NEW.id;
  END;
  CREATE TRIGGER crops_count_update AFTER UPDATE OF image_dataset_id, status, image_age, image_gender, image_split, edited, flag_bits, est_age, est_gender ON crops BEGIN
    ${countChange('crop_counts', CROP_COUNT_KEYS, 'OLD', -1)}
    ${countChange('crop_counts', CROP_COUNT_KEYS, 'NEW', 1)}
  END;
  CREATE TRIGGER crops_count_delete AFTER DELETE ON crops BEGIN
    ${countChange('crop_counts', CROP_COUNT_KEYS, 'OLD', -1)}
  END;
  CREATE TRIGGER images_copy_to_crops AFTER UPDATE OF dataset_id, age, gender, split ON images BEGIN
    UPDATE crops SET image_dataset_id = NEW.dataset_id, image_age = NEW.age, image_gender = NEW.gender, image_split = coalesce(NEW.split, 'none')
    WHERE image_id = NEW.id;
  END;
  CREATE TRIGGER images_count_insert AFTER INSERT ON images BEGIN
    ${countChange('image_counts', imageCountKeys('NEW'), 'NEW', 1)}
  END;
  CREATE TRIGGER images_count_update AFTER UPDATE OF dataset_id, age, gender, split ON images BEGIN
    ${countChange('image_counts', imageCountKeys('OLD'), 'OLD', -1)}
    ${countChange('image_counts', imageCountKeys('NEW'), 'NEW', 1)}
  END;
  CREATE TRIGGER images_count_delete AFTER DELETE ON images BEGIN
    ${countChange('image_counts', imageCountKeys('OLD'), 'OLD', -1)}
  END;

  DROP INDEX IF EXISTS crops_status;
  DROP INDEX IF EXISTS crops_quality;
  DROP INDEX IF EXISTS crops_status_quality;
  CREATE INDEX crops_review_quality ON crops(quality, id, ${REVIEW_FILTER_COLUMNS});
  CREATE INDEX crops_review_id ON crops(id, ${REVIEW_FILTER_COLUMNS});
  CREATE INDEX crops_review_disagreement ON crops((est_age IS NULL OR image_age IS NULL), abs(est_age - image_age) DESC, id, ${REVIEW_FILTER_COLUMNS}, est_age, image_age);
  CREATE INDEX crops_review_groups ON crops(${REVIEW_FILTER_COLUMNS}, quality, id, est_age, image_age);
  CREATE INDEX images_no_face ON images(prepare_status, prepare_error, id, dataset_id);
  `,
  // 6 (studio): a completed run's age prototypes (fitted, or the default model's with the warning why), for the run list.
  `
  ALTER TABLE runs ADD COLUMN prototypes_json TEXT;
  `,
  // 7 (500,000 crops): the foreign keys that point at a face or a crop get indexes, so replacing an image's faces
  // (prepare again, fix) and deleting crops (a dataset, a re-cut) no longer scan every crop or the whole history.
  `
  CREATE INDEX crops_face ON crops(face_id);
  CREATE INDEX crop_history_crop ON crop_history(crop_id);
  `,
];
