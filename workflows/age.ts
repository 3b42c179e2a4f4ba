/**
 * Aging a photo, for every front end (the CLI's `age`, the studio's ageRun): age its face(s), write the GIF and the
 * other files each face asks for as its frames are composed (one target age at a time), record them, and report the
 * contract's `age.progress` stages on the way.
 */
import { agePhoto, type AgedPhoto, type AgedPhotoFace, type AgePhotoOptions } from '../ml/aging/age-photo.js';
import { clampMessage } from '../ml/aging/ages.js';
import type { AgingModel } from '../ml/aging/model.js';
import type { VisionHost } from '../ml/vision/host.js';
import type { Photo } from '../ml/prep/photo.js';
import { DEFAULT_FPS, FaceFileWriter, type FaceFiles, type WrittenFrame } from './age-files.js';
import { recordFace, type AgingCatalogue } from './age-record.js';
import { photoFinished, stageStarts, type AgeProgressListener } from './age-stages.js';

export interface AgeJob {
  readonly host: VisionHost;
  readonly model: AgingModel;
  /** The photo's absolute path. */
  readonly photo: string;
  /** The photo already decoded (else it is loaded from `photo`). */
  readonly image?: Photo;
  /** Passed to agePhoto as they are. */
  readonly options: Omit<AgePhotoOptions, 'onStage'>;
  /** GIF frames per second; default DEFAULT_FPS. */
  readonly fps?: number;
  /** Where each aged face's files go; `faces` is how many faces this run ages. */
  files(face: AgedPhotoFace, faces: number): FaceFiles;
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
  const writers: FaceFileWriter[] = [];
  let aged: AgedPhoto;
  try {
    aged = await agePhoto(job.host, job.model, job.image ?? job.photo, { ...job.options, onStage: (stage, face) => progress(stageStarts(stage, face)) }, (face, count) => {
      const writer = new FaceFileWriter(face, job.files(face, count), job.fps ?? DEFAULT_FPS, () => progress(stageStarts('encode', face.face)));
      writers.push(writer);
      return writer;
    });
  } finally {
    for (const w of writers) w.discard();
  }
  const faces = aged.faces.map((face, i): AgedFaceFiles => {
    const { files, frames } = writers[i]!;
    const outputId = job.catalogue ? recordFace(job.catalogue, job.model, job.photo, face, files) : null;
    return { face, files, frames, outputId, warning: clampMessage(face.ages, job.model.ageRange) };
  });
  progress(photoFinished());
  return { aged, faces };
}
