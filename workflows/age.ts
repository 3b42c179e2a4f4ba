/**
 * Aging a photo, for every front end (the CLI's `age`, the studio's ageRun): age its face(s), write the GIF and the
 * other files each face asks for, record them, and report the contract's `age.progress` stages on the way.
 */
import { agePhoto, type AgedPhoto, type AgedPhotoFace, type AgePhotoOptions } from '../ml/aging/age-photo.js';
import { clampMessage } from '../ml/aging/ages.js';
import type { AgingModel } from '../ml/aging/model.js';
import type { VisionHost } from '../ml/vision/host.js';
import { DEFAULT_FPS, writeFaceFiles, type FaceFiles, type WrittenFrame } from './age-files.js';
import { recordFace, type AgingCatalogue } from './age-record.js';
import { photoFinished, stageStarts, type AgeProgressListener } from './age-stages.js';

export interface AgeJob {
  readonly host: VisionHost;
  readonly model: AgingModel;
  /** The photo's absolute path. */
  readonly photo: string;
  /** Passed to agePhoto as they are. */
  readonly options: Omit<AgePhotoOptions, 'onStage'>;
  /** GIF frames per second; default DEFAULT_FPS. */
  readonly fps?: number;
  /** Where each aged face's files go. */
  files(face: AgedPhotoFace, aged: AgedPhoto): FaceFiles;
  /** Where the faces are recorded; null: nowhere. */
  readonly catalogue: AgingCatalogue | null;
  readonly onProgress?: AgeProgressListener;
}

export interface AgedFaceFiles {
  readonly face: AgedPhotoFace;
  readonly files: FaceFiles;
  readonly frames: WrittenFrame[];
  /** Its aging_outputs id, when recorded. */
  readonly outputId: number | null;
  /** Target ages the model's trained range clamped, said for the user. */
  readonly warning: string | null;
}

export interface AgedPhotoFiles {
  readonly aged: AgedPhoto;
  readonly faces: AgedFaceFiles[];
}

export async function agePhotoToFiles(job: AgeJob): Promise<AgedPhotoFiles> {
  const progress = job.onProgress ?? (() => undefined);
  const aged = await agePhoto(job.host, job.model, job.photo, { ...job.options, onStage: (stage, face) => progress(stageStarts(stage, face)) });
  const faces: AgedFaceFiles[] = [];
  for (const face of aged.faces) {
    progress(stageStarts('encode', face.face));
    const files = job.files(face, aged);
    const frames = await writeFaceFiles(face, files, job.fps ?? DEFAULT_FPS);
    const outputId = job.catalogue ? recordFace(job.catalogue, job.model, job.photo, face, files) : null;
    faces.push({ face, files, frames, outputId, warning: clampMessage(face.ages, job.model.ageRange) });
  }
  progress(photoFinished());
  return { aged, faces };
}
