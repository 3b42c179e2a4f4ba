import type { Gender } from '../domain/gender.js';
import type { Keypoints, Point } from '../domain/keypoints.js';
import type { Box } from '../domain/face.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

/** A detected face as stored (source pixels after EXIF orientation). */
export interface NewDetectedFace {
  score: number;
  box: Box;
  keypoints: Keypoints;
  landmarks: Point[];
}

export interface FaceRow {
  id: number;
  imageId: number;
  idx: number;
  score: number | null;
  box: { x: number; y: number; width: number; height: number } | null;
  keypoints: Keypoints | null;
  landmarks: Point[];
  isPrimary: boolean;
  source: 'detected' | 'ground-truth';
}

interface RawFace {
  id: number;
  image_id: number;
  idx: number;
  score: number | null;
  box_json: string | null;
  keypoints_json: string | null;
  landmarks_json: string | null;
  is_primary: number;
  source: 'detected' | 'ground-truth';
}

function toRow(r: RawFace): FaceRow {
  return {
    id: r.id,
    imageId: r.image_id,
    idx: r.idx,
    score: r.score,
    box: parseJson(r.box_json, null),
    keypoints: parseJson(r.keypoints_json, null),
    landmarks: parseJson(r.landmarks_json, []),
    isPrimary: r.is_primary === 1,
    source: r.source,
  };
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const r2 = (v: number): number => Math.round(v * 100) / 100;

/** Replaces an image's detected faces (ground-truth rows stay); returns the new ids in order. */
export function replaceDetectedFaces(db: Db, imageId: number, faces: readonly NewDetectedFace[], primaryIdx: number): number[] {
  return db.transaction(() => {
    db.prepare("DELETE FROM faces WHERE image_id = ? AND source = 'detected'").run(imageId);
    const insert = db.prepare(
      `INSERT INTO faces (image_id, idx, score, box_json, keypoints_json, landmarks_json, is_primary, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'detected')`,
    );
    return faces.map((f, idx) => {
      const [x, y, width, height] = f.box;
      const kp = Object.fromEntries(Object.entries(f.keypoints).map(([k, p]) => [k, [r2(p[0]), r2(p[1])]]));
      const info = insert.run(
        imageId,
        idx,
        f.score,
        JSON.stringify({ x: r2(x), y: r2(y), width: r2(width), height: r2(height) }),
        JSON.stringify(kp),
        JSON.stringify(f.landmarks.map((p) => [r1(p[0]), r1(p[1])])),
        idx === primaryIdx ? 1 : 0,
      );
      return Number(info.lastInsertRowid);
    });
  })();
}

export function listFaces(db: Db, imageId: number, source?: 'detected' | 'ground-truth'): FaceRow[] {
  const rows = (source
    ? db.prepare('SELECT * FROM faces WHERE image_id = ? AND source = ? ORDER BY idx').all(imageId, source)
    : db.prepare('SELECT * FROM faces WHERE image_id = ? ORDER BY source, idx').all(imageId)) as RawFace[];
  return rows.map(toRow);
}

export function getFace(db: Db, id: number): FaceRow | undefined {
  const r = db.prepare('SELECT * FROM faces WHERE id = ?').get(id) as RawFace | undefined;
  return r ? toRow(r) : undefined;
}

/** Hand-placed points have no detector score: a face row with a NULL score and no landmarks is one a curator placed. */
export function isHandPlaced(face: Pick<FaceRow, 'score' | 'landmarks'>): boolean {
  return face.score === null && face.landmarks.length === 0;
}

/**
 * Stores a face placed by hand (no detection): NULL score, no landmarks, a box around the five points, primary.
 * The schema's sources are 'detected' and 'ground-truth'; a hand-placed face goes with the detected ones, so that a
 * later prepare --redo that finds a face replaces it.
 */
export function insertHandPlacedFace(db: Db, imageId: number, keypoints: Keypoints): number {
  const pts = Object.values(keypoints);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const iod = Math.hypot(keypoints.rightEye[0] - keypoints.leftEye[0], keypoints.rightEye[1] - keypoints.leftEye[1]);
  const x0 = Math.min(...xs) - 0.6 * iod;
  const y0 = Math.min(...ys) - 0.9 * iod;
  const x1 = Math.max(...xs) + 0.6 * iod;
  const y1 = Math.max(...ys) + 0.6 * iod;
  const kp = Object.fromEntries(Object.entries(keypoints).map(([k, p]) => [k, [r2(p[0]), r2(p[1])]]));
  return db.transaction(() => {
    const next = db.prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM faces WHERE image_id = ? AND source = 'detected'").pluck().get(imageId) as number;
    db.prepare("UPDATE faces SET is_primary = 0 WHERE image_id = ? AND source = 'detected'").run(imageId);
    const info = db
      .prepare(
        `INSERT INTO faces (image_id, idx, score, box_json, keypoints_json, landmarks_json, is_primary, source)
         VALUES (?, ?, NULL, ?, ?, '[]', 1, 'detected')`,
      )
      .run(imageId, next, JSON.stringify({ x: r2(x0), y: r2(y0), width: r2(x1 - x0), height: r2(y1 - y0) }), JSON.stringify(kp));
    return Number(info.lastInsertRowid);
  })();
}

/** What prepare records when the detector finds nothing (ml/prep/pipeline.ts). */
export const NO_FACE_ERROR = 'no face found';

export interface NoFaceImage {
  imageId: number;
  datasetId: number;
  /** Relative to the dataset root, '/'-separated. */
  relPath: string;
  root: string;
  width: number;
  height: number;
  age: number | null;
  gender: Gender;
  split: Split | null;
  reason: string;
}

/**
 * Photos where preparation found no face and that have no crop yet, oldest first: candidates for hand-placed points.
 * The page's ids come from the images_no_face index alone; only those photos' rows are read.
 */
export function listNoFaceImages(db: Db, opts: { datasetId?: number; offset?: number; limit?: number } = {}): { total: number; rows: NoFaceImage[] } {
  const where = `WHERE i.prepare_status = 'failed' AND i.prepare_error = ? AND NOT EXISTS (SELECT 1 FROM crops c WHERE c.image_id = i.id)${
    opts.datasetId === undefined ? '' : ' AND i.dataset_id = ?'
  }`;
  const params: unknown[] = opts.datasetId === undefined ? [NO_FACE_ERROR] : [NO_FACE_ERROR, opts.datasetId];
  const read = db.transaction(() => {
    const total = db.prepare(`SELECT COUNT(*) FROM images i ${where}`).pluck().get(...params) as number;
    const ids = db.prepare(`SELECT i.id FROM images i ${where} ORDER BY i.id LIMIT ? OFFSET ?`).pluck().all(...params, opts.limit ?? 200, opts.offset ?? 0) as number[];
    const rows = db
      .prepare(
        `SELECT i.id, i.dataset_id, i.source_path, d.root, i.width, i.height, i.age, i.gender, i.split, i.prepare_error
         FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id IN (${ids.map(() => '?').join(',')}) ORDER BY i.id`,
      )
      .all(...ids) as {
      id: number;
      dataset_id: number;
      source_path: string;
      root: string;
      width: number;
      height: number;
      age: number | null;
      gender: NoFaceImage['gender'];
      split: NoFaceImage['split'];
      prepare_error: string;
    }[];
    return {
      total,
      rows: rows.map((r) => ({
        imageId: r.id,
        datasetId: r.dataset_id,
        relPath: r.source_path,
        root: r.root,
        width: r.width,
        height: r.height,
        age: r.age,
        gender: r.gender,
        split: r.split,
        reason: r.prepare_error,
      })),
    };
  });
  return read();
}
