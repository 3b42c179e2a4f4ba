/**
 * What an export says of each crop, in every layout alike: the labels, where it came from, its alignment and its
 * quality signals. Output names are built from the crop id alone: names from the source (which may hold slashes, `..`
 * or control characters) only ever appear as values, never in a path.
 */
import type { ExportDataset, ExportRow } from '../../db/export-rows.js';
import type { Split } from '../../domain/split.js';

/** The folder of a split in the imagefolder layout (Hugging Face's names); crops of images without a split: unassigned. */
export function splitFolder(split: Split | null): string {
  return split === null ? 'unassigned' : split === 'val' ? 'validation' : split;
}

/** A key without dots, as webdataset groups a sample's files by it. */
export function sampleKey(cropId: number): string {
  return `crop${String(cropId).padStart(9, '0')}`;
}

/** A crop's image, relative to its split's (or the images') folder: a thousand per subfolder. */
export function imageRelPath(cropId: number, ext: string): string {
  return `${String(Math.floor(cropId / 1000)).padStart(6, '0')}/${sampleKey(cropId)}.${ext}`;
}

/** The subject as the splits saw it: the dataset's subject id, else one per photo (identical copies share one). */
export function subjectOf(row: ExportRow): string {
  return row.subject !== null && row.subject !== '' ? row.subject : `photo-${row.contentHash.slice(0, 16)}`;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The labels and facts of one crop (jsonl rows, webdataset .json files; csv flattens the same). */
export function exportRecord(row: ExportRow, dataset: ExportDataset, size: number): Record<string, unknown> {
  const s = row.signals;
  return {
    age: row.age,
    gender: row.gender,
    ...(row.race !== null ? { race: row.race } : {}),
    split: row.split,
    subject: subjectOf(row),
    dataset: dataset.name,
    dataset_format: dataset.format,
    source_path: row.sourcePath,
    status: row.status,
    crop_id: row.cropId,
    alignment: {
      size,
      template: 'chronoface-v1',
      keypoints: row.keypoints,
      /** Crop pixels (at `size`) to source-photo pixels. */
      to_source: scaleInverse(row.inverse, row.size, size),
      edited: row.edited,
    },
    ...(row.landmarks ? { landmarks: row.landmarks } : {}),
    quality: {
      score: row.quality,
      detector_score: num(s.score),
      blur: num(s.blur),
      pose: { yaw: num(s.yaw), pitch: num(s.pitch), roll: num(s.roll) },
      flags: row.flags,
      duplicate: row.flags.includes('duplicate'),
      phash: row.phash,
    },
  };
}

/** The crop->source transform of a crop cut at `from` px, for the same crop at `to` px. */
function scaleInverse(inv: readonly number[], from: number, to: number): number[] {
  const k = from / to;
  return [inv[0]! * k, inv[1]! * k, inv[2]!, inv[3]! * k, inv[4]! * k, inv[5]!];
}

/** The csv columns, in order: `path` first (what `chronoface import --format csv` looks for). */
export const CSV_COLUMNS = [
  'path', 'age', 'gender', 'race', 'split', 'subject', 'dataset', 'source_path', 'status', 'crop_id', 'size',
  'keypoints', 'to_source', 'quality', 'detector_score', 'blur', 'yaw', 'pitch', 'roll', 'flags', 'duplicate', 'phash', 'landmarks',
] as const;

function csvCell(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n;\t]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

/** One csv line of a record (exportRecord's) whose image is at `relPath`. */
export function csvLine(relPath: string, rec: Record<string, unknown>): string {
  const a = rec.alignment as { size: number; keypoints: unknown; to_source: unknown };
  const q = rec.quality as { score: unknown; detector_score: unknown; blur: unknown; pose: Record<string, unknown>; flags: string[]; duplicate: boolean; phash: unknown };
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    path: relPath,
    age: rec.age,
    gender: rec.gender,
    race: rec.race,
    split: rec.split,
    subject: rec.subject,
    dataset: rec.dataset,
    source_path: rec.source_path,
    status: rec.status,
    crop_id: rec.crop_id,
    size: a.size,
    keypoints: a.keypoints,
    to_source: a.to_source,
    quality: q.score,
    detector_score: q.detector_score,
    blur: q.blur,
    yaw: q.pose.yaw,
    pitch: q.pose.pitch,
    roll: q.pose.roll,
    flags: q.flags.join('|'),
    duplicate: q.duplicate ? 1 : 0,
    phash: q.phash,
    landmarks: rec.landmarks,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(values[c])).join(',')}\n`;
}
