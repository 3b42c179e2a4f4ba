import type { Keypoints } from '../domain/keypoints.js';
import type { Db } from './catalogue.js';
import { addCropFlag, getCropByImage, insertEditedCrop, upsertCrop, type CropData } from './crops.js';
import { insertHandPlacedFace, replaceDetectedFaces, type NewDetectedFace } from './faces.js';
import { markImagePrepare } from './images.js';

type PreparedCrop = Omit<CropData, 'imageId' | 'faceId'>;

/**
 * Stores a prepared image at once: its detected faces (the first one is the crop's), its crop, the duplicate mark on
 * the crop it copies, and the image marked done. Returns the crop id.
 */
export function storeDetectedCrop(db: Db, imageId: number, faces: readonly NewDetectedFace[], crop: PreparedCrop, duplicateOf: number | null): number {
  return db.transaction(() => {
    const faceIds = replaceDetectedFaces(db, imageId, faces, 0);
    const cropId = upsertCrop(db, { ...crop, imageId, faceId: faceIds[0] ?? null });
    if (duplicateOf !== null) addCropFlag(db, duplicateOf, 'duplicate', 0.5);
    markImagePrepare(db, imageId, 'done');
    return cropId;
  })();
}

/**
 * Stores a crop cut from hand-placed points with its hand-placed face, and marks the image done; unless the image has a
 * crop already (prepared meanwhile), which is then returned and nothing is stored.
 */
export function storeHandPlacedCrop(
  db: Db,
  imageId: number,
  points: Keypoints,
  crop: PreparedCrop,
): { readonly cropId: number; readonly existing: boolean } {
  return db.transaction(() => {
    const raced = getCropByImage(db, imageId);
    if (raced) return { cropId: raced.id, existing: true };
    const faceId = insertHandPlacedFace(db, imageId, points);
    const cropId = insertEditedCrop(db, { ...crop, imageId, faceId, manualPoints: points });
    markImagePrepare(db, imageId, 'done', null);
    return { cropId, existing: false };
  })();
}
