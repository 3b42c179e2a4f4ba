import fs from 'node:fs';
import path from 'node:path';
import { CATALOGUE_FILE, openCatalogue, type Db } from '../db/catalogue.js';
import { insertAgingOutput } from '../db/outputs.js';
import type { AgedPhotoFace } from '../ml/aging/age-photo.js';
import type { AgingModel } from '../ml/aging/model.js';
import type { FaceFiles } from './age-files.js';

/** Where aged faces are recorded (`aging_outputs`), and how a file is named there. */
export interface AgingCatalogue {
  readonly db: Db;
  /** The name recorded for a file given by its absolute path. */
  name(file: string): string;
}

/** The data directory's catalogue when it has one, recording absolute paths (the CLI's way). */
export function existingCatalogue(dataDir: string): AgingCatalogue | null {
  if (!fs.existsSync(path.join(dataDir, CATALOGUE_FILE))) return null;
  return { db: openCatalogue(dataDir), name: (file) => file };
}

/** Records paths relative to the data directory, with `/` separators (the studio's way: they become file URLs). */
export function dataDirNames(dataDir: string): (file: string) => string {
  return (file) => path.relative(dataDir, file).split(path.sep).join('/');
}

/** Records one aged face; returns its aging_outputs id. */
export function recordFace(catalogue: AgingCatalogue, model: AgingModel, photo: string, face: AgedPhotoFace, files: FaceFiles): number {
  return insertAgingOutput(catalogue.db, {
    modelId: model.choice.id,
    modelName: model.choice.name,
    photoPath: catalogue.name(photo),
    faceIndex: face.face,
    sourceAge: face.sourceAge,
    sourceAgeEstimated: face.sourceAgeEstimated,
    gender: face.gender,
    ages: face.ages.ages,
    gifFile: catalogue.name(files.gif),
    stripFile: files.strip ? catalogue.name(files.strip) : null,
  });
}
