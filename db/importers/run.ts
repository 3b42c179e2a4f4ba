import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../catalogue.js';
import { ensureDataset } from '../datasets.js';
import { insertGroundTruth } from '../ground-truth.js';
import { clearImportError, recordImportError } from '../import-errors.js';
import type { Split } from '../../domain/split.js';
import { duplicateEntryKey, insertImage } from '../images.js';
import { assignSplits } from '../splits.js';
import { detectFormat, SCANNERS, type ImportFormat } from './detect.js';
import { DEFAULT_MAX_PIXELS, probeFile, type ProbeResult } from './probe.js';
import type { CsvOptions, ImportItem } from './types.js';
import { cached } from '../statements.js';
import { mapConcurrent } from '../../ml/io/map-concurrent.js';

export interface ImportOptions {
  /** Folder to import (or, for csv, the CSV file itself: its folder becomes the root). */
  path: string;
  format?: ImportFormat;
  name?: string;
  csv?: CsvOptions;
  /** Reject images whose header claims more pixels than this (decompression bombs). */
  maxPixels?: number;
  /** Files per transaction; each batch is committed before the next progress event. */
  batchSize?: number;
  /** Files read and hashed at once. */
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: (event: ImportEvent) => void;
}

export type ImportEvent =
  | { type: 'start'; dataset: number; format: ImportFormat; root: string; total: number }
  | { type: 'progress'; done: number; total: number; imported: number; skipped: number; failed: number }
  | { type: 'warning'; file?: string; message: string };

export interface ImportFileError {
  file: string;
  reason: string;
}

export interface ImportResult {
  dataset: number;
  format: ImportFormat;
  root: string;
  imported: number;
  skipped: number;
  failed: number;
  errors: ImportFileError[];
  warnings: string[];
  splits: Record<Split, number>;
  /** False when stopped by the signal before the end (what was committed stays). */
  complete: boolean;
}

type Probed = { item: ImportItem; probe: ProbeResult | undefined };

interface Identity {
  /** The content_hash to insert under, or undefined when the file is already catalogued. */
  key?: string;
  existingId?: number;
  /** Another entry of this dataset with the same bytes. */
  sameBytesAs?: string;
}

/**
 * Images are known by the sha1 of their bytes. The same bytes under another path of the same dataset are a separate
 * dataset entry (UTKFace has byte-identical files with different labels) and get a path-qualified key; the same bytes
 * in another dataset are already catalogued.
 */
function imageIdentity(db: Db, datasetId: number, relPath: string, sha1: string): Identity {
  const byBytes = cached(db, 'SELECT id, dataset_id, source_path FROM images WHERE content_hash = ?');
  const first = byBytes.get(sha1) as { id: number; dataset_id: number; source_path: string } | undefined;
  if (!first) return { key: sha1 };
  if (first.dataset_id !== datasetId || first.source_path === relPath) return { existingId: first.id };
  const key = duplicateEntryKey(sha1, relPath);
  const again = byBytes.get(key) as { id: number } | undefined;
  return again ? { existingId: again.id } : { key, sameBytesAs: first.source_path };
}

/** Reads and hashes a batch with at most `concurrency` files in flight. */
function probeBatch(root: string, items: readonly ImportItem[], maxPixels: number, concurrency: number): Promise<Probed[]> {
  return mapConcurrent(items, concurrency, async (item) => ({ item, probe: item.labelError ? undefined : await probeFile(path.join(root, ...item.relPath.split('/')), maxPixels) }));
}

async function resolveRoot(p: string, format: ImportFormat | undefined, csv: CsvOptions): Promise<{ root: string; csv: CsvOptions }> {
  const abs = path.resolve(p);
  let stat;
  try {
    stat = await fs.stat(abs);
  } catch {
    throw new Error(`${abs} does not exist`);
  }
  if (stat.isDirectory()) return { root: abs, csv };
  if (stat.isFile() && abs.toLowerCase().endsWith('.csv') && (format === undefined || format === 'csv')) {
    return { root: path.dirname(abs), csv: { ...csv, csv: abs } };
  }
  throw new Error(`${abs} is not a folder`);
}

/**
 * Imports a dataset folder: scan names/labels, then in batches read + hash + header-check the files and insert them in
 * one transaction per batch. Images are known by content hash (re-runs add nothing; a killed run resumes where its
 * last committed batch ended), bad files are recorded in import_errors with their reason, and missing splits are
 * assigned at the end.
 */
export async function importDataset(db: Db, opts: ImportOptions): Promise<ImportResult> {
  const emit = opts.onEvent ?? (() => {});
  const { root, csv } = await resolveRoot(opts.path, opts.format, opts.csv ?? {});
  const format = opts.format ?? (csv.csv !== undefined ? 'csv' : await detectFormat(root));
  const scanner = SCANNERS[format];
  const scan = await scanner.scan(root, csv);
  const { csv: csvFile, ...csvRest } = csv;
  const datasetOptions = format === 'csv' ? { ...csvRest, ...(csvFile ? { csv: path.relative(root, path.resolve(root, csvFile)) } : {}) } : {};
  const dataset = ensureDataset(db, { root, format, options: datasetOptions, ...(opts.name ? { name: opts.name } : {}) });
  const total = scan.items.length;
  emit({ type: 'start', dataset: dataset.id, format, root, total });
  const warnings: string[] = [];
  const warn = (message: string, file?: string): void => {
    warnings.push(message);
    emit({ type: 'warning', message, ...(file ? { file } : {}) });
  };
  for (const w of scan.warnings) warn(w);

  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const batchSize = Math.max(1, opts.batchSize ?? 250);
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const result: ImportResult = { dataset: dataset.id, format, root, imported: 0, skipped: 0, failed: 0, errors: [], warnings, splits: { train: 0, val: 0, test: 0 }, complete: false };

  const batches: ImportItem[][] = [];
  for (let i = 0; i < total; i += batchSize) batches.push(scan.items.slice(i, i + batchSize));
  let pending = batches.length > 0 ? probeBatch(root, batches[0]!, maxPixels, concurrency) : undefined;
  let done = 0;
  for (let b = 0; b < batches.length; b++) {
    const probed = await pending!;
    if (opts.signal?.aborted) return result;
    // Read the next batch while this one is written.
    pending = b + 1 < batches.length ? probeBatch(root, batches[b + 1]!, maxPixels, concurrency) : undefined;
    const batchWarnings: [string, string][] = [];
    db.transaction(() => {
      for (const p of probed) {
        const { item, probe } = p;
        if (!probe || !probe.ok) {
          const reason = item.labelError ?? (probe && !probe.ok ? probe.reason : 'unknown failure');
          recordImportError(db, dataset.id, item.relPath, reason);
          result.errors.push({ file: item.relPath, reason });
          result.failed++;
          continue;
        }
        clearImportError(db, dataset.id, item.relPath);
        const identity = imageIdentity(db, dataset.id, item.relPath, probe.contentHash);
        let id: number | null = null;
        if (identity.key !== undefined) {
          const l = item.labels!;
          id = insertImage(db, {
            datasetId: dataset.id,
            relPath: item.relPath,
            contentHash: identity.key,
            width: probe.width,
            height: probe.height,
            format: probe.format,
            age: l.age,
            gender: l.gender,
            race: l.race ?? null,
            subject: l.subject ?? null,
            split: l.split ?? null,
            originFile: l.originFile ?? null,
            originRow: l.originRow ?? null,
            flags: l.flags ?? [],
            meta: l.meta ?? null,
          });
        }
        if (id === null) {
          result.skipped++;
        } else {
          result.imported++;
          if (identity.sameBytesAs) {
            batchWarnings.push([`${item.relPath} has the same bytes as ${identity.sameBytesAs}; kept as a separate entry with its own labels`, item.relPath]);
          }
          for (const w of item.warnings ?? []) batchWarnings.push([w, item.relPath]);
        }
        if (item.landmarks) {
          const imageId = id ?? identity.existingId;
          if (imageId !== undefined) insertGroundTruth(db, imageId, item.landmarks);
        }
      }
    })();
    for (const [w, file] of batchWarnings) warn(w, file);
    done += probed.length;
    emit({ type: 'progress', done, total, imported: result.imported, skipped: result.skipped, failed: result.failed });
  }
  result.splits = assignSplits(db, dataset.id);
  result.complete = true;
  return result;
}
