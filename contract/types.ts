/** Domain types shared by the API requests, responses and events. Pure TypeScript: no Node, no DOM. */
import type { FileUrl } from './files.js';

export type DatasetFormat = 'morph2' | 'utkface' | 'fgnet' | 'csv' | 'imdb-wiki' | 'cacd' | 'photos';
export type Gender = 'male' | 'female' | 'unknown';
export type Split = 'train' | 'val' | 'test';
export type CropStatus = 'pending' | 'accepted' | 'rejected' | 'needs-fix';
export type AgeBin = '0-9' | '10-19' | '20-29' | '30-39' | '40-49' | '50-59' | '60-69' | '70-79' | '80-89' | '90+';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['morph2', 'utkface', 'fgnet', 'csv', 'imdb-wiki', 'cacd', 'photos'];
export const GENDERS: readonly Gender[] = ['male', 'female', 'unknown'];
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];
export const CROP_STATUSES: readonly CropStatus[] = ['pending', 'accepted', 'rejected', 'needs-fix'];
export const AGE_BINS: readonly AgeBin[] = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'];
/** Quality flags set by preparation (issue 4 section 6); 'mislabel' when the estimated age/gender disagrees with the label. */
export const CROP_FLAGS = ['no-face', 'several-faces', 'profile', 'tiny', 'blurry', 'dark', 'duplicate', 'mislabel'] as const;
export type CropFlag = (typeof CROP_FLAGS)[number] | (string & {});

export function ageBinOf(age: number): AgeBin {
  const i = Math.max(0, Math.min(9, Math.floor(age / 10)));
  return AGE_BINS[i]!;
}

export type Point = readonly [x: number, y: number];

/** Five keypoints in source pixels; left/right are the image's left and right. */
export interface Keypoints {
  leftEye: Point;
  rightEye: Point;
  nose: Point;
  mouthLeft: Point;
  mouthRight: Point;
}
export const KEYPOINT_NAMES: readonly (keyof Keypoints)[] = ['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'];

/** [x, y, width, height] in source pixels. */
export type Box = readonly [x: number, y: number, w: number, h: number];

export interface Counts {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<AgeBin, number>;
  /** Images with age and gender crossed, for the chart on the Datasets screen. */
  byAgeBinGender: Record<AgeBin, Record<Gender, number>>;
  bySplit: Record<Split | 'none', number>;
  /** Crops by review status. */
  byStatus: Record<CropStatus, number>;
}

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

export interface ReviewFilter {
  datasetId?: number;
  status?: CropStatus[];
  ageBins?: AgeBin[];
  genders?: Gender[];
  /** 'none' matches images without a split. */
  splits?: (Split | 'none')[];
  /** A crop matches when it carries at least one of these flags. */
  flags?: CropFlag[];
  /** true: only manually edited crops; false: only unedited. */
  edited?: boolean;
}

/** quality-asc puts the worst crops first (the review queue); disagreement = |estimated age - label| descending. */
export type ReviewSort = 'quality-asc' | 'quality-desc' | 'id' | 'age-disagreement';

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

export interface FaceInfo {
  id: number;
  index: number;
  score: number | null;
  box: Box | null;
  keypoints: Keypoints | null;
  /** 478 MediaPipe points (detected) or 68 points (FG-NET ground truth), source pixels. */
  landmarks: Point[];
  isPrimary: boolean;
  source: 'detected' | 'ground-truth';
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

/** Age balancing by decade: none, resample the bins equally ('sampler'), or weight the loss ('weights'). */
export type Balance = 'none' | 'sampler' | 'weights';
export const BALANCES: readonly Balance[] = ['none', 'sampler', 'weights'];

/** The network: 'reference' (the published CVAE) or 'film' (FiLM conditioning in every decoder block). */
export type TrainPreset = 'reference' | 'film';
export const TRAIN_PRESETS: readonly TrainPreset[] = ['reference', 'film'];

export interface TrainSettings {
  size: 64 | 128 | 256;
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
  /** Learning-rate multiplier of the FiLM layers (> 0, default 1): they start at zero and a fine-tune must move them far. */
  filmLr?: number;
  /** Start from a model's weights: a catalogue model id, or 'default' for the shipped model; null or absent = from scratch. */
  initFrom?: number | 'default' | null;
}

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

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
