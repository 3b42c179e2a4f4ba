/** What aging would start from for each face of a photo, known as soon as the faces are found. */
import type { DetectedFace } from '../prep/detect.js';
import { prepareFace } from '../prep/prepare-face.js';
import type { PrepSettings } from '../prep/settings.js';
import { estimateAgeGender } from '../estimators/index.js';
import type { RawImage, VisionHost } from '../vision/host.js';
import type { Gender } from './age-face.js';

export interface FaceEstimate {
  /** Apparent age in whole years, as aging takes it. */
  readonly age: number;
  readonly gender: Gender;
  /** The estimator's probability of `gender`, 0.5..1; below UNCERTAIN_GENDER (team-faces.ts) the user is asked to set it. */
  readonly genderProbability: number;
}

/**
 * Age and gender of each face, estimated on its crop aligned with `prep` (the model's preparation), the crop aging
 * estimates them on: what these say is what an aging without a given age or gender starts from.
 */
export async function estimateFaces(host: VisionHost, photo: RawImage, faces: readonly DetectedFace[], prep: PrepSettings): Promise<FaceEstimate[]> {
  const crops: RawImage[] = [];
  for (const face of faces) {
    const prepared = await prepareFace(host, photo, face, prep, { faceCount: faces.length });
    crops.push({ data: prepared.crop, width: prepared.size, height: prepared.size, channels: 3 });
  }
  if (crops.length === 0) return [];
  return (await estimateAgeGender(crops)).map((e) => ({ age: Math.round(e.age), gender: e.gender, genderProbability: e.genderProbability }));
}
