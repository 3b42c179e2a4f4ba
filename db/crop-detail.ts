/** One crop in full for the review detail panel and the alignment editor: its image, its faces and its points. */
import type { FaceInfo } from '../domain/face.js';
import type { Keypoints } from '../domain/keypoints.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { listFaces } from './faces.js';
import { parseKeypoints } from './keypoints.js';
import { getReviewRow, type ReviewRow } from './review.js';

export interface CropDetailRow extends ReviewRow {
  keypoints: Keypoints | null;
  manualKeypoints: Keypoints | null;
  detectedKeypoints: Keypoints | null;
  signals: Record<string, number | boolean | string | null>;
  faceId: number | null;
  image: { id: number; datasetId: number; width: number; height: number; relPath: string; root: string; subject: string | null };
  faces: FaceInfo[];
}

/** A crop with its image, its faces (detected and ground truth) and the points it was cut from. */
export function getCropDetail(db: Db, id: number): CropDetailRow | undefined {
  const row = getReviewRow(db, id);
  if (!row) return undefined;
  const c = db.prepare('SELECT face_id, keypoints_json, manual_points_json, signals_json FROM crops WHERE id = ?').get(id) as {
    face_id: number | null;
    keypoints_json: string;
    manual_points_json: string | null;
    signals_json: string;
  };
  const img = db
    .prepare('SELECT i.id, i.dataset_id, i.width, i.height, i.source_path, i.subject, d.root FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?')
    .get(row.imageId) as { id: number; dataset_id: number; width: number; height: number; source_path: string; subject: string | null; root: string };
  const faces: FaceInfo[] = listFaces(db, row.imageId).map((f) => ({
    id: f.id,
    index: f.idx,
    score: f.score,
    box: f.box ? [f.box.x, f.box.y, f.box.width, f.box.height] : null,
    keypoints: f.keypoints,
    landmarks: f.landmarks,
    isPrimary: f.isPrimary,
    source: f.source,
  }));
  const cropFace = faces.find((f) => f.id === c.face_id) ?? faces.find((f) => f.isPrimary && f.source === 'detected');
  return {
    ...row,
    keypoints: parseKeypoints(c.keypoints_json),
    manualKeypoints: parseKeypoints(c.manual_points_json),
    detectedKeypoints: cropFace?.keypoints ?? null,
    signals: parseJson(c.signals_json, {}),
    faceId: c.face_id,
    image: { id: img.id, datasetId: img.dataset_id, width: img.width, height: img.height, relPath: img.source_path, root: img.root, subject: img.subject },
    faces,
  };
}
