/** Exporting the curated crops: the layouts, the choices a user makes, and what an export reports. */
import type { CropStatus } from './crop-status.js';
import type { Split } from './split.js';

export const EXPORT_FORMATS = ['imagefolder', 'csv', 'webdataset'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * keep: the photo's own background (cut again from the source photo); grey: the neutral grey of preparation; removed:
 * transparent where preparation put grey. Unset: the crops as prepared, copied without re-encoding.
 */
export const EXPORT_BACKGROUNDS = ['keep', 'removed', 'grey'] as const;
export type ExportBackground = (typeof EXPORT_BACKGROUNDS)[number];

export const EXPORT_IMAGE_FORMATS = ['png', 'jpg', 'webp'] as const;
export type ExportImageFormat = (typeof EXPORT_IMAGE_FORMATS)[number];

/** webdataset shards hold at most this many bytes unless the user asks otherwise. */
export const DEFAULT_SHARD_BYTES = 1_000_000_000;

/** What to export and how; unset fields take their default. */
export interface ExportChoices {
  readonly format: ExportFormat;
  /** Default: accepted (and pending with includePending). */
  readonly statuses?: readonly CropStatus[];
  readonly includePending?: boolean;
  readonly datasetId?: number;
  /** Default: every split (crops of images without a split too). */
  readonly splits?: readonly Split[];
  /** Side in pixels; default: the crops' own. */
  readonly size?: number;
  readonly background?: ExportBackground;
  /** Default: png. */
  readonly imageFormat?: ExportImageFormat;
  readonly landmarks?: boolean;
  readonly shardBytes?: number;
}

/** A crop that could not be exported, and why. */
export interface ExportSkip {
  readonly cropId: number;
  readonly file: string;
  readonly reason: string;
}

export interface ExportSummary {
  readonly outDir: string;
  readonly format: ExportFormat;
  /** Crops matching the filters. */
  readonly total: number;
  readonly exported: number;
  /** Crops whose file was missing or unreadable (the first ones are listed in `skips`). */
  readonly skipped: number;
  readonly skips: readonly ExportSkip[];
  /** True when the export continued an unfinished one in OUT_DIR. */
  readonly resumed: boolean;
  readonly complete: boolean;
  readonly cancelled: boolean;
  readonly bySplit: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** The dataset card, relative to outDir. */
  readonly card: string;
}

export interface ExportProgress {
  readonly done: number;
  readonly total: number;
  readonly skipped: number;
  readonly cropsPerSecond: number;
}
