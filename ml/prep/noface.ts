import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
import { commonCropSettings, getCrop, getCropByImage, type CropRow } from '../../db/crops.js';
import { getImage, type ImageRow } from '../../db/images.js';
import { storeHandPlacedCrop } from '../../db/prepared-crops.js';
import type { VisionHost } from '../vision/host.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { newCropRelPath, removeQuietly } from './crop-files.js';
import { KEYPOINT_NAMES, type Keypoints } from '../../domain/keypoints.js';
import { interOcular } from './detect.js';
import { applyAffine, distance, type Point } from './geometry.js';
import { loadPhoto, type Photo } from './photo.js';
import { DuplicateIndex, markedFlags, MIN_INTER_OCULAR, preparedColumns } from './pipeline.js';
import { prepareFace } from './prepare-face.js';
import { qualityScore } from './quality.js';
import { normalizePrepSettings, type PrepSettings } from './settings.js';
import { alignmentTransform, TEMPLATE_V1 } from './template.js';

/**
 * Five points that do not fit the face template this badly (root-mean-square distance after the best similarity, in
 * template inter-ocular distances) are refused: they are a mirror image of a face (left and right eyes swapped: 0.56
 * on FG-NET's hand-placed points; eyes and mouth swapped: 0.65) or no face at all. FG-NET's own points give 0.09-0.15.
 * Any rotation fits, so an upside-down photo is fine.
 */
export const MAX_TEMPLATE_MISFIT = 0.35;

/** Why hand-placed points or their image were refused; `kind` tells callers how to report it. */
export class HandPlacedError extends Error {
  override readonly name = 'HandPlacedError';
  constructor(
    readonly kind: 'invalid-points' | 'not-found' | 'has-crop',
    message: string,
  ) {
    super(message);
  }
}

const fmt = (v: number): string => String(Math.round(v * 10) / 10);

/** Checks five hand-placed points against the photo; throws HandPlacedError('invalid-points') with the first problem. */
export function checkHandPoints(points: Keypoints, width: number, height: number): void {
  for (const name of KEYPOINT_NAMES) {
    const [x, y] = points[name];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new HandPlacedError('invalid-points', `point ${name} is not a number pair`);
    if (x < 0 || y < 0 || x > width || y > height) {
      throw new HandPlacedError('invalid-points', `point ${name} (${fmt(x)}, ${fmt(y)}) is outside the ${width}x${height} photo`);
    }
  }
  const iod = interOcular(points);
  if (iod < MIN_INTER_OCULAR) {
    throw new HandPlacedError(
      'invalid-points',
      `the eyes are ${fmt(iod)} px apart: at least ${MIN_INTER_OCULAR} px are needed (the same limit as prepare's "face too small")`,
    );
  }
  for (let i = 0; i < KEYPOINT_NAMES.length; i++) {
    for (let j = i + 1; j < KEYPOINT_NAMES.length; j++) {
      const a = KEYPOINT_NAMES[i]!;
      const b = KEYPOINT_NAMES[j]!;
      if (distance(points[a], points[b]) < 0.1 * iod) throw new HandPlacedError('invalid-points', `points ${a} and ${b} are (almost) on top of each other`);
    }
  }
  const misfit = templateMisfit(points);
  if (misfit > MAX_TEMPLATE_MISFIT) {
    throw new HandPlacedError(
      'invalid-points',
      `the five points do not form a face (misfit ${misfit.toFixed(2)} > ${MAX_TEMPLATE_MISFIT} of the eye distance): check the order ` +
        'left eye, right eye, nose tip, left mouth corner, right mouth corner (left/right as the face is seen upright in the photo)',
    );
  }
}

/** RMS distance of the points from the template after the best similarity, in template inter-ocular distances. */
export function templateMisfit(points: Keypoints): number {
  const m = alignmentTransform(points, 1);
  const iod = distance(TEMPLATE_V1[0]!, TEMPLATE_V1[1]!);
  let sum = 0;
  KEYPOINT_NAMES.forEach((name, i) => {
    const d = distance(applyAffine(m, points[name]), TEMPLATE_V1[i]!);
    sum += d * d;
  });
  return Math.sqrt(sum / KEYPOINT_NAMES.length) / iod;
}

/**
 * Everything that can be checked before the vision host is needed: the image exists, has no crop, decodes, and the
 * points suit its photo. Returns the image and its decoded photo.
 */
export async function preflightHandPoints(db: Db, imageId: number, points: Keypoints): Promise<{ image: ImageRow; photo: Photo }> {
  const image = getImage(db, imageId);
  if (!image) throw new HandPlacedError('not-found', `image ${imageId} not found`);
  const existing = getCropByImage(db, imageId);
  if (existing) throw hasCrop(imageId, existing.id);
  let photo: Photo;
  try {
    photo = await loadPhoto(image.sourcePath);
  } catch (err) {
    throw new Error(`cannot read image ${imageId} (${image.sourcePath}): ${(err as Error).message}`);
  }
  checkHandPoints(points, photo.width, photo.height);
  return { image, photo };
}

/**
 * Creates the face and crop of an image that has none (prepare found no face) from five hand-placed source-pixel
 * points: the same alignment, background removal and lighting as prepare, with the settings most crops of the
 * dataset were cut with. The crop is marked edited; the image's "no face found" failure is cleared.
 */
export async function createCropFromPoints(opts: {
  dataDir: string;
  db: Db;
  host: VisionHost;
  imageId: number;
  points: Keypoints;
  /** Overrides the dataset's usual settings. */
  settings?: Partial<PrepSettings> | PrepSettings;
}): Promise<CropRow> {
  const { db, dataDir, host, imageId, points } = opts;
  const { image, photo } = await preflightHandPoints(db, imageId, points);
  const settings = normalizePrepSettings(opts.settings ?? commonCropSettings(db, image.datasetId) ?? undefined);
  const prepared = await prepareFace(host, photo, { keypoints: points }, settings, { faceCount: 0 });
  const rel = newCropRelPath(imageId);
  await writeFileAtomic(path.join(dataDir, rel), prepared.png);
  try {
    const dupOf = await (await DuplicateIndex.load(db, dataDir)).find(prepared.phash, prepared.crop, prepared.size);
    const { flags, signals } = markedFlags(prepared, dupOf, { handPlaced: true });
    const stored = storeHandPlacedCrop(db, imageId, points, { ...preparedColumns(prepared, rel), settings, quality: qualityScore(prepared.signals, flags), signals, flags });
    if (stored.existing) throw hasCrop(imageId, stored.cropId);
    return getCrop(db, stored.cropId)!;
  } catch (err) {
    removeQuietly(dataDir, rel);
    throw err;
  }
}

function hasCrop(imageId: number, cropId: number): HandPlacedError {
  return new HandPlacedError('has-crop', `image ${imageId} already has crop ${cropId}: correct its points with "chronoface fix ${cropId} --points ..."`);
}

/** A photo's size as shown (EXIF orientation applied, as loadPhoto and browsers apply it); the catalogue keeps the
 *  header's. Hand-placed points live in these coordinates. */
export async function shownSize(file: string, width: number, height: number): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(file).metadata();
    return (meta.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
  } catch {
    return { width, height };
  }
}
