import { parseJson, type Db } from './catalogue.js';

export interface ModelRow {
  id: number;
  runId: number | null;
  name: string;
  /** relative to the data directory (or absolute, for a model outside it) */
  dir: string;
  imageSize: number;
  epoch: number | null;
  metrics: Record<string, number>;
  createdAt: string;
}

interface RawModel {
  id: number;
  run_id: number | null;
  name: string;
  dir: string;
  image_size: number;
  epoch: number | null;
  metrics_json: string;
  created_at: string;
}

function toModel(r: RawModel): ModelRow {
  return { id: r.id, runId: r.run_id, name: r.name, dir: r.dir, imageSize: r.image_size, epoch: r.epoch, metrics: parseJson(r.metrics_json, {}), createdAt: r.created_at };
}

export function insertModel(db: Db, m: { runId: number | null; name: string; dir: string; imageSize: number; epoch: number | null; metrics: Record<string, number> }): number {
  const info = db
    .prepare('INSERT INTO models (run_id, name, dir, image_size, epoch, metrics_json) VALUES (?, ?, ?, ?, ?, ?)')
    .run(m.runId, m.name, m.dir, m.imageSize, m.epoch, JSON.stringify(m.metrics));
  return Number(info.lastInsertRowid);
}

export function getModel(db: Db, id: number): ModelRow | null {
  const r = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as RawModel | undefined;
  return r ? toModel(r) : null;
}

/** Newest first. */
export function listModels(db: Db): ModelRow[] {
  return (db.prepare('SELECT * FROM models ORDER BY id DESC').all() as RawModel[]).map(toModel);
}

export function latestModel(db: Db): ModelRow | null {
  const r = db.prepare('SELECT * FROM models ORDER BY id DESC LIMIT 1').get() as RawModel | undefined;
  return r ? toModel(r) : null;
}
