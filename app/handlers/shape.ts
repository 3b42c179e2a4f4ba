import type { CropDetail, CropTile } from '../../contract/types.js';
import { fileRef, imageRef, type Served } from '../../contract/files.js';
import type { CropDetailRow } from '../../db/crop-detail.js';
import type { ReviewRow } from '../../db/review.js';
import path from 'node:path';

export function toTile(row: ReviewRow): Served<CropTile> {
  return {
    id: row.id,
    imageId: row.imageId,
    url: fileRef(row.file, row.updatedAt),
    status: row.status,
    quality: row.quality,
    flags: row.flags,
    age: row.age,
    gender: row.gender,
    split: row.split,
    edited: row.edited,
    estAge: row.estAge,
    estGender: row.estGender,
  };
}

export function toDetail(d: CropDetailRow): Served<CropDetail> {
  const keypoints = d.manualKeypoints ?? d.keypoints ?? d.detectedKeypoints;
  if (!keypoints) throw new Error(`crop ${d.id} has no keypoints stored`);
  return {
    ...toTile(d),
    size: d.size,
    keypoints,
    detectedKeypoints: d.detectedKeypoints,
    signals: d.signals,
    updatedAt: d.updatedAt,
    image: {
      id: d.image.id,
      datasetId: d.image.datasetId,
      url: imageRef(d.image.id),
      width: d.image.width,
      height: d.image.height,
      sourcePath: path.join(d.image.root, ...d.image.relPath.split('/')),
      subject: d.image.subject,
    },
    faces: d.faces,
  };
}
