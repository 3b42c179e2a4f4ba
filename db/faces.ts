import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

type Pt = [number, number];

export interface FaceKeypoints {
  leftEye: Pt;
  rightEye: Pt;
  nose: Pt;
  mouthLeft: Pt;
  mouthRight: Pt;
}

/** A detected face as stored (source pixels after EXIF orientation). */
export interface NewDetectedFace {
  score: number;
  box: [number, number, number, number];
  keypoints: FaceKeypoints;
  landmarks: Pt[];
}

export interface FaceRow {
  id: number;
  imageId: number;
  idx: number;
  score: number | null;
  box: { x: number; y: number; width: number; height: number } | null;
  keypoints: FaceKeypoints | null;
  landmarks: Pt[];
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
