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
  try {
    if (!options.readonly) {
      whenNotBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) whenNotBusy(() => migrate(db));
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

const BUSY_RETRY_MS = 10_000;

/**
 * Runs `fn` again while SQLite answers SQLITE_BUSY, for up to 10 s. When two processes open the same new catalogue,
 * some locks (switching it to WAL, a reader meeting the other's WAL recovery) can answer busy at once instead of going
 * through busy_timeout: "database is locked" came out of the migration race test once, in CI on a loaded machine.
 */
function whenNotBusy<T>(fn: () => T): T {
  const until = Date.now() + BUSY_RETRY_MS;
  for (let wait = 5; ; wait = Math.min(100, wait * 2)) {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() + wait > until) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
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

/** What an upgrade of an existing catalogue will do, told before it starts: at 500,000 crops it takes seconds. */
export interface CatalogueUpgrade {
  dataDir: string;
  from: number;
  to: number;
  crops: number;
}

/**
 * Brings the data directory's existing catalogue up to this version's schema, calling `notice` first when there is
 * anything to do; a data directory without a catalogue is left as it is. Returns the upgrade it made, or null.
 */
export function upgradeCatalogue(dataDir: string, notice: (u: CatalogueUpgrade) => void): CatalogueUpgrade | null {
  if (!fs.existsSync(path.join(dataDir, CATALOGUE_FILE))) return null;
  const db = openCatalogue(dataDir, { readonly: true });
  let upgrade: CatalogueUpgrade;
  try {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from >= MIGRATIONS.length) return null;
    const hasCrops = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'crops'`).get() !== undefined;
    const crops = hasCrops ? (db.prepare('SELECT count(*) AS n FROM crops').get() as { n: number }).n : 0;
    upgrade = { dataDir, from, to: MIGRATIONS.length, crops };
  } finally {
    db.close();
  }
  notice(upgrade);
  openCatalogue(dataDir).close();
  return upgrade;
}

export function describeCatalogueUpgrade(u: CatalogueUpgrade): string {
  return `upgrading the catalogue in ${u.dataDir} for this version of Chronoface (schema ${u.from} to ${u.to}, ${u.crops.toLocaleString('en-US')} crops); this happens once${u.crops >= 100_000 ? ' and takes a few seconds per 100,000 crops' : ''}`;
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}
