import { parseJson, type Db } from './catalogue.js';

export interface AgingOutputRow {
  id: number;
  modelId: number | null;
  modelName: string | null;
  photoPath: string;
  faceIndex: number;
  sourceAge: number | null;
  sourceAgeEstimated: boolean;
  gender: string | null;
  ages: number[];
  gifFile: string | null;
  stripFile: string | null;
  createdAt: string;
}

interface RawOutput {
  id: number;
  model_id: number | null;
  model_name: string | null;
  photo_path: string;
  face_index: number;
  source_age: number | null;
  source_age_estimated: number;
  gender: string | null;
  ages_json: string;
  gif_file: string | null;
  strip_file: string | null;
  created_at: string;
}

function toRow(r: RawOutput): AgingOutputRow {
  return {
    id: r.id,
    modelId: r.model_id,
    modelName: r.model_name,
    photoPath: r.photo_path,
    faceIndex: r.face_index,
    sourceAge: r.source_age,
    sourceAgeEstimated: r.source_age_estimated === 1,
    gender: r.gender,
    ages: parseJson<number[]>(r.ages_json, []),
    gifFile: r.gif_file,
    stripFile: r.strip_file,
    createdAt: r.created_at,
  };
}

export function insertAgingOutput(db: Db, o: Omit<AgingOutputRow, 'id' | 'createdAt'>): number {
  const info = db
    .prepare(
      `INSERT INTO aging_outputs (model_id, model_name, photo_path, face_index, source_age, source_age_estimated, gender, ages_json, gif_file, strip_file)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(o.modelId, o.modelName, o.photoPath, o.faceIndex, o.sourceAge, o.sourceAgeEstimated ? 1 : 0, o.gender, JSON.stringify(o.ages), o.gifFile, o.stripFile);
  return Number(info.lastInsertRowid);
}

/** Newest first. */
export function listAgingOutputs(db: Db, limit = 100): AgingOutputRow[] {
  return (db.prepare('SELECT * FROM aging_outputs ORDER BY id DESC LIMIT ?').all(limit) as RawOutput[]).map(toRow);
}

export function getAgingOutput(db: Db, id: number): AgingOutputRow | null {
  const r = db.prepare('SELECT * FROM aging_outputs WHERE id = ?').get(id) as RawOutput | undefined;
  return r ? toRow(r) : null;
}
