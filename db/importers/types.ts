import type { DatasetFormat } from '../../domain/dataset-format.js';
import type { Gender } from '../../domain/gender.js';
import type { Point } from '../../domain/keypoints.js';
import type { Split } from '../../domain/split.js';

export interface ItemLabels {
  age: number | null;
  gender: Gender;
  race?: number | null;
  subject?: string | null;
  split?: Split | null;
  /** Where the labels came from, relative to the root (a CSV, or the image itself), and the CSV's 1-based data row. */
  originFile?: string | null;
  originRow?: number | null;
  /** Problems the dataset's own metadata reports ('mislabel', 'no-face', 'several-faces'): imported, flagged for review. */
  flags?: string[];
  /** Other facts from the dataset's metadata, kept as JSON on the image. */
  meta?: Record<string, unknown>;
}

/** One file a format's scanner found, with its labels or the reason they could not be read. */
export interface ImportItem {
  /** Relative to the dataset root, '/'-separated. */
  relPath: string;
  labels?: ItemLabels;
  labelError?: string;
  warnings?: string[];
  landmarks?: Point[];
}

export interface ScanResult {
  items: ImportItem[];
  /** Dataset-level warnings (not tied to one imported file). */
  warnings: string[];
}

/** Options the csv importer needs; the others ignore them. */
export interface CsvOptions {
  /** The CSV file, absolute or relative to the root; default: the only *.csv in the root. */
  csv?: string;
  pathColumn?: string;
  ageColumn?: string;
  genderColumn?: string;
  subjectColumn?: string;
  splitColumn?: string;
  /** For numeric gender codes: which one means male ('0' or '1'); default '1'. */
  maleValue?: string;
}

export interface Scanner {
  readonly format: Exclude<DatasetFormat, 'photos'>;
  scan(root: string, options: CsvOptions): Promise<ScanResult>;
}
