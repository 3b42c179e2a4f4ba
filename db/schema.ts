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
  // 3 (IMDB-WIKI, CACD): two more dataset formats; images get the flags their dataset's metadata raises (prepare
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
];
