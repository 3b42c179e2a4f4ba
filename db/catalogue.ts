import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './schema.js';

export const CATALOGUE_FILE = 'catalogue.sqlite';

export type Db = Database.Database;

/** Opens (creating if needed) the data directory's catalogue: WAL, foreign keys on, migrations applied. */
export function openCatalogue(dataDir: string, options: { readonly?: boolean } = {}): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, CATALOGUE_FILE), { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 10000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!options.readonly) migrate(db);
  return db;
}

/**
 * Applies the missing migrations. Another process (the app and the CLI) may open the same new catalogue at the same
 * moment, so the version is read again under BEGIN IMMEDIATE: one process migrates, the other waits for its lock
 * (busy_timeout) and then finds nothing left to do.
 */
export function migrate(db: Db): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() === MIGRATIONS.length) return;
  db.transaction(() => {
    const current = version();
    if (current > MIGRATIONS.length) {
      throw new Error(`catalogue schema version ${current} is newer than this Chronoface (${MIGRATIONS.length}); update the app`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}
