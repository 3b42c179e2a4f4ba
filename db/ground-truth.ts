import type { Point } from '../domain/keypoints.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { cached } from './statements.js';

/**
 * Stores a dataset's hand-placed landmarks for an image as a faces row (source 'ground-truth', idx 0), in source
 * pixels. Does nothing if the image already has them.
 */
export function insertGroundTruth(db: Db, imageId: number, landmarks: readonly Point[]): void {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of landmarks) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const box = { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
  cached(
    db,
    `INSERT INTO faces (image_id, idx, score, box_json, landmarks_json, is_primary, source)
     VALUES (?, 0, NULL, ?, ?, 0, 'ground-truth') ON CONFLICT(image_id, source, idx) DO NOTHING`,
  ).run(imageId, JSON.stringify(box), JSON.stringify(landmarks));
}

export function getGroundTruthLandmarks(db: Db, imageId: number): Point[] | undefined {
  const text = db
    .prepare(`SELECT landmarks_json FROM faces WHERE image_id = ? AND source = 'ground-truth' ORDER BY idx LIMIT 1`)
    .pluck()
    .get(imageId) as string | null | undefined;
  return text ? parseJson<Point[]>(text, []) : undefined;
}
