import type { Statement } from 'better-sqlite3';
import type { Db } from './catalogue.js';

const caches = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, compiled once per connection (hot paths such as the importer run them per file). */
export function cached(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
