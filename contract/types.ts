/** The types of the API's requests, responses and events. Pure TypeScript: no Node, no DOM. */
import type { FileUrl } from './files.js';
import type { CropFlag } from '../domain/crop-flags.js';
import type { CropStatus } from '../domain/crop-status.js';
import type { DatasetFormat } from '../domain/dataset-format.js';
import type { Box, FaceInfo } from '../domain/face.js';
import type { Gender, KnownGender } from '../domain/gender.js';
import type { Keypoints } from '../domain/keypoints.js';
import type { ModelPrototypes } from '../domain/prototypes.js';
import type { RunStatus } from '../domain/run-status.js';
import type { Split } from '../domain/split.js';
import type { Balance, ImageSize, TrainPreset } from '../domain/training.js';

// The domain types the API speaks in, defined once in domain/.
export { DECADE_BINS, type DecadeBin } from '../domain/age-bins.js';
export type { Counts } from '../domain/counts.js';
export { CROP_FLAGS, type CropFlag } from '../domain/crop-flags.js';
export { CROP_STATUSES, type CropStatus } from '../domain/crop-status.js';
export { DATASET_FORMATS, type DatasetFormat } from '../domain/dataset-format.js';
export {
  EXPORT_BACKGROUNDS,
  EXPORT_FORMATS,
  EXPORT_IMAGE_FORMATS,
  type ExportBackground,
  type ExportChoices,
  type ExportFormat,
  type ExportImageFormat,
  type ExportSkip,
  type ExportSummary,
} from '../domain/export.js';
export type { Box, FaceInfo } from '../domain/face.js';
export { GENDERS, type Gender, type KnownGender } from '../domain/gender.js';
export { KEYPOINT_NAMES, type Keypoints, type Point } from '../domain/keypoints.js';
export { REVIEW_SORTS, type ReviewFilter, type ReviewSort } from '../domain/review-filter.js';
export type { ModelPrototypes } from '../domain/prototypes.js';
export type { RunStatus } from '../domain/run-status.js';
export { SPLITS, type Split } from '../domain/split.js';
export { BALANCES, TRAIN_PRESETS, type Balance, type ImageSize, type TrainPreset } from '../domain/training.js';

export interface DatasetSummary {
  id: number;
  name: string;
  format: DatasetFormat;
  root: string;
  createdAt: string;
  images: number;
  prepared: number;
  prepareFailed: number;
  crops: number;
  importErrors: number;
}

export interface ItemError {
  file: string;
  reason: string;
}

export interface CsvMapping {
  csv: string;
  path: string;
  age?: string;
  gender?: string;
  subject?: string;
  split?: string;
  /** For 0/1 gender columns: which value means male. */
  maleValue?: string;
}

export interface CropTile {
  id: number;
  imageId: number;
  url: FileUrl;
  status: CropStatus;
  quality: number | null;
  flags: CropFlag[];
  age: number | null;
  gender: Gender;
  split: Split | null;
  edited: boolean;
  estAge: number | null;
  estGender: Gender | null;
}

export interface CropDetail extends CropTile {
  size: number;
  /** The five points the crop was cut from (manual ones when edited). */
  keypoints: Keypoints;
  /** The points found by detection, for "reset". */
  detectedKeypoints: Keypoints | null;
  signals: Record<string, number | boolean | string | null>;
  updatedAt: string;
  image: {
    id: number;
    datasetId: number;
    url: FileUrl;
    width: number;
    height: number;
    sourcePath: string;
    subject: string | null;
  };
  faces: FaceInfo[];
}

/** A photo where preparation found no face (and that has no crop): the curator can place the five points by hand. */
export interface NoFacePhoto {
  imageId: number;
  datasetId: number;
  url: FileUrl;
  /** Pixel size as shown: EXIF orientation applied (the points are placed in these coordinates). */
  width: number;
  height: number;
  sourcePath: string;
  age: number | null;
  gender: Gender;
  split: Split | null;
  reason: string;
}

export interface TrainSettings {
  size: ImageSize;
  epochs: number;
  batch: number;
  beta: number;
  lr: number;
  balance: Balance;
  /** Train on pending crops as well as accepted ones. */
  includePending?: boolean;
  limit?: number;
  seed?: number;
  /** Default 'reference'. */
  preset?: TrainPreset;
  /** Weight of the age loss through an age critic trained on the same crops before the first epoch; 0 (default) = off. */
  ageLoss?: number;
  /** Epochs of that age critic (default 24). */
  criticEpochs?: number;
  /** Learning-rate multiplier of the FiLM layers (> 0, default 1): they start at zero and a fine-tune must move them far. */
  filmLr?: number;
  /** Start from a model's weights: a catalogue model id, or 'default' for the shipped model; null or absent = from scratch. */
  initFrom?: number | 'default' | null;
}

export interface EpochMetrics {
  trainLoss: number;
  valLoss: number;
  valMse: number;
  valPsnr: number;
  kl: number;
  [name: string]: number;
}

export interface EpochInfo {
  epoch: number;
  metrics: EpochMetrics;
  /** Grid of validation reconstructions, PNG. */
  reconUrl: FileUrl | null;
  /** Age sweeps of the same faces, PNG. */
  sweepUrl: FileUrl | null;
  at: string;
}

export interface RunSummary {
  id: number;
  status: RunStatus;
  settings: Partial<TrainSettings> & Record<string, unknown>;
  backend: string | null;
  backendReason: string | null;
  epochsDone: number;
  epochs: number | null;
  /** Why the run stopped: the failure, how its trainer died, or who cancelled it; null while running or once completed. */
  reason: string | null;
  startedAt: string;
  finishedAt: string | null;
  last: EpochMetrics | null;
  modelId: number | null;
  /** True when the run was cancelled, interrupted or failed and has a checkpoint to continue from. */
  resumable: boolean;
  /** The age critic of a run with the age loss, once trained: its best validation MAE in years. */
  critic: { valMae: number; epochs: number; seconds: number } | null;
  /** Where the age prototypes of a completed run's model came from, with the warning when they are not its own. */
  prototypes: ModelPrototypes | null;
}

export interface ModelSummary {
  /** null for the default model that ships with the app. */
  id: number | null;
  name: string;
  isDefault: boolean;
  imageSize: number;
  epoch: number | null;
  ageRange: [number, number] | null;
  runId: number | null;
  createdAt: string | null;
  metrics: Record<string, number>;
}

export interface DetectedFace {
  index: number;
  score: number;
  box: Box;
  keypoints: Keypoints;
  /** What its aging may not do well (tiny, profile, partly outside, drawn without a face found, an uncertain gender). */
  warnings?: FaceNote[];
  /** The age and gender its aging starts from unless the user sets them (ageDetect always gives it). */
  estimate?: FaceEstimate;
}

/** A face's age and gender as estimated on its aligned crop: what aging uses unless the user sets them. */
export interface FaceEstimate {
  age: number;
  gender: KnownGender;
  /** The probability of that gender, 0.5..1; below 0.7 it is uncertain and the user is asked to set it. */
  genderProbability: number;
}

/** Why a face's aging may disappoint; message is for the user. */
export interface FaceNote {
  kind: 'tiny' | 'profile' | 'partial' | 'drawn' | 'gender';
  message: string;
}

/** A face the user drew: where the detector (run on the box's surroundings) found it, or the box itself. */
export interface DrawnFace {
  box: Box;
  keypoints: Keypoints;
  /** False: no face was found in the box; it is aligned from the box alone. */
  found: boolean;
  warnings: FaceNote[];
  estimate: FaceEstimate;
}

/** One face of a team to age: a found face by its index (left to right), or a box drawn around a missed one. */
export interface TeamFaceChoice {
  face?: number;
  box?: Box;
  /** The person's age in the photo; default estimated. */
  sourceAge?: number;
  gender?: KnownGender;
}

export interface TeamFaceResult {
  /** Found faces 0.. left to right, then the drawn ones in the order given. */
  face: number;
  box: Box;
  drawn: boolean;
  sourceAge: number;
  sourceAgeEstimated: boolean;
  gender: KnownGender;
  /** The estimate's probability of that gender; null when it was given. Below 0.7 it is uncertain. */
  genderProbability: number | null;
  warnings: FaceNote[];
}

export interface TeamAgeResult {
  photoId: string;
  /** One GIF of the whole photo, every chosen face aged together, at the photo's own resolution. */
  gifUrl: FileUrl;
  width: number;
  height: number;
  ages: number[];
  faces: TeamFaceResult[];
  /** Messages for the whole run, such as targets clamped to the model's trained range. */
  warnings: string[];
  model: ModelSummary;
  ms: number;
}

export interface AgeFrame {
  age: number;
  /** The frame at the photo's own resolution. */
  url: FileUrl;
  /** The frame at crop size, when written. */
  cropUrl: FileUrl | null;
}

export interface AgeResult {
  outputId: number | null;
  photoId: string;
  face: number;
  gifUrl: FileUrl;
  stripUrl: FileUrl | null;
  frames: AgeFrame[];
  ages: number[];
  sourceAge: number;
  sourceAgeEstimated: boolean;
  gender: Gender;
  /** The estimate's probability of that gender; null when it was given. Below 0.7 it is uncertain. */
  genderProbability: number | null;
  /** What the face's aging may not do well (tiny, profile, partly outside, an uncertain gender). */
  faceWarnings: FaceNote[];
  /** Messages such as targets clamped to the model's trained range. */
  warnings: string[];
  model: ModelSummary;
  ms: number;
}

export interface EvalFigures {
  [name: string]: number | null | Record<string, number | null>;
}

export interface EvalReport {
  id: string;
  modelName: string;
  split: Split;
  createdAt: string;
  reportUrl: FileUrl;
  figures: EvalFigures;
}

export interface VisionModelStatus {
  name: string;
  file: string;
  present: boolean;
  /** Where it was found: CHRONOFACE_MODELS_DIR, the data directory's models/, or not at all. */
  source: 'env' | 'data-dir' | 'missing';
  bytes: number | null;
}
