/**
 * Exporting the curated crops, for every front end (the CLI's `export`, the studio's datasetsExport): OUT_DIR checked
 * (refused when not empty, resumed when it holds an unfinished export of the same settings), the matching crops read
 * a page at a time by crop id, each image copied (or re-encoded when asked) a few at a time, the rows appended in
 * order, a journal written atomically every second, and the dataset card at the end. Memory stays bounded whatever
 * the number of crops; a write error stops the export with the path and the reason, leaving whole samples only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/catalogue.js';
import { countExportRows, countWithoutBackgroundRemoval, exportDatasets, exportRowsAfter, rejectedByReason, type ExportDataset, type ExportFilter, type ExportRow } from '../db/export-rows.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { decadeBin } from '../domain/age-bins.js';
import type { ExportChoices, ExportProgress, ExportSkip, ExportSummary } from '../domain/export.js';
import { ExportWriteError, writeError } from '../ml/export/append-file.js';
import { datasetCard } from '../ml/export/card.js';
import { CSV_FILE, CsvLayout } from '../ml/export/csv-layout.js';
import { exportImage, CropReadError } from '../ml/export/image.js';
import { ImageFolderLayout } from '../ml/export/imagefolder.js';
import { JOURNAL_DIR, writeJournal, type ExportJournal } from '../ml/export/journal.js';
import { removeTempImages, writeImageFile, type Layout, type LayoutState } from '../ml/export/layout.js';
import { exportRecord } from '../ml/export/record.js';
import { WebDatasetLayout } from '../ml/export/webdataset.js';
import { mapConcurrent } from '../ml/io/map-concurrent.js';
import { writeFileAtomic } from '../ml/io/write-file-atomic.js';
import { normalizePrepSettings } from '../ml/prep/settings.js';
import { ExportError, exportCommandLine, invalid, settle, type SettledChoices } from './export-choices.js';
import { CARD, resumeOrRefuse } from './export-target.js';

export { ExportError, exportCommandLine, type ExportErrorCode } from './export-choices.js';

export interface ExportJob {
  readonly dataDir: string;
  readonly db: Db;
  readonly outDir: string;
  readonly choices: ExportChoices;
  /** Start afresh in a non-empty OUT_DIR: a previous export's files there are removed first, others are left. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExportProgress) => void;
  /** Images being read or encoded at once (default 8). */
  readonly concurrency?: number;
}

const PAGE = 256;
const CHECKPOINT_MS = 1000;
/** A checkpoint at least this often too, so a fast export of a few thousand crops is never journaled only at its end. */
const CHECKPOINT_CROPS = 2000;
const KEPT_SKIPS = 1000;
/** Space kept in OUT_DIR while exporting, given back on a write error so the card and the journal can still say why. */
const RESERVE_BYTES = 256 * 1024;

function layoutOf(outDir: string, c: SettledChoices, resumed: LayoutState | null): Layout {
  if (c.format === 'imagefolder') return new ImageFolderLayout(outDir, c.imageFormat, resumed);
  if (c.format === 'csv') return new CsvLayout(outDir, c.imageFormat, resumed);
  return new WebDatasetLayout(outDir, c.imageFormat, c.shardBytes, resumed);
}

function layoutLines(c: SettledChoices): string[] {
  if (c.format === 'imagefolder') {
    return [
      '`train/`, `validation/`, `test/` (and `unassigned/` for crops of images without a split): the images, a thousand per subfolder, and a `metadata.jsonl` whose `file_name` is relative to that folder.',
      'Load it with `datasets.load_dataset("imagefolder", data_dir=OUT_DIR)`.',
    ];
  }
  if (c.format === 'csv') return [`\`${CSV_FILE}\`: one row per crop, its \`path\` relative to this folder; the images under \`images/\`.`, `Import it again with \`chronoface import --format csv OUT_DIR\`.`];
  return [
    `\`train-000000.tar\`, \`validation-000000.tar\`, \`test-000000.tar\`, ...: shards of at most ${c.shardBytes} bytes; each sample is a key (\`crop000000123\`) with its \`.${c.imageFormat}\` and \`.json\`.`,
    'Read them with the webdataset library, e.g. `webdataset.WebDataset("train-{000000..000009}.tar").decode("pil")`.',
  ];
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function preparationOf(row: ExportRow): string {
  const s = normalizePrepSettings(row.settings);
  return `${row.size} px, background ${s.background.enabled ? `replaced by grey ${s.background.grey}` : 'kept'}, lighting ${s.lighting.enabled ? `normalised (CLAHE, strength ${s.lighting.strength})` : 'as shot'}`;
}

export async function exportCrops(job: ExportJob): Promise<ExportSummary> {
  const started = Date.now();
  const outDir = path.resolve(job.outDir);
  const c = settle(job.choices);
  const filter: ExportFilter = { statuses: c.statuses, ...(c.datasetId !== undefined ? { datasetId: c.datasetId } : {}), ...(c.splits ? { splits: c.splits } : {}) };
  const settings = { ...c, dataDir: path.resolve(job.dataDir) };
  const fingerprint = crypto.createHash('sha1').update(JSON.stringify(settings)).digest('hex');
  const command = exportCommandLine(outDir, job.choices);

  const total = countExportRows(job.db, filter);
  const { journal: resumedJournal, stale } = resumeOrRefuse(outDir, fingerprint, job.force ?? false);
  if (total === 0 && !resumedJournal) {
    throw new ExportError('nothing-to-export', `no crop matches: status ${c.statuses.join(' or ')}${c.datasetId !== undefined ? `, dataset ${c.datasetId}` : ''}${c.splits ? `, split ${c.splits.join(' or ')}` : ''}; nothing was written`);
  }
  if (c.background === 'grey' || c.background === 'removed') {
    const without = countWithoutBackgroundRemoval(job.db, filter);
    if (without > 0) invalid('background', `${without} of the ${total} matching crops were prepared without background removal, so their background cannot be made ${c.background}; prepare them again with background removal (chronoface prepare --redo), or export with --background keep`);
  }
  for (const entry of stale) fs.rmSync(entry, { recursive: true, force: true });
  const datasets = new Map<number, ExportDataset>(exportDatasets(job.db, filter).map((d) => [d.id, d]));
  const journal: ExportJournal = resumedJournal ?? {
    version: 1,
    fingerprint,
    settings,
    command,
    startedAt: new Date().toISOString(),
    status: 'running',
    error: null,
    lastCropId: 0,
    exported: 0,
    skipped: 0,
    skips: [],
    bySplit: {},
    byGender: {},
    byDecade: {},
    preparations: {},
    layout: { files: {} },
  };
  journal.status = 'running';
  journal.error = null;
  const layout = layoutOf(outDir, c, resumedJournal?.layout ?? null);
  if (resumedJournal && c.format !== 'webdataset') {
    const folders = (id: number): string[] => (['train', 'val', 'test', null] as const).map((split) => path.dirname(layout.imageFile({ cropId: id, split })!));
    removeTempImages(outDir, resumedJournal.lastCropId, folders);
  }

  const writeCard = async (): Promise<void> => {
    const card = datasetCard({
      status: journal.status,
      error: journal.error,
      format: c.format,
      command,
      date: new Date().toISOString().slice(0, 10),
      statuses: c.statuses,
      exported: journal.exported,
      total: Math.max(total, journal.exported + journal.skipped),
      skipped: journal.skipped,
      skips: journal.skips,
      bySplit: journal.bySplit,
      byGender: journal.byGender,
      byDecade: journal.byDecade,
      preparations: journal.preparations,
      rejected: rejectedByReason(job.db, c.datasetId),
      size: c.size === undefined ? 'the crops\' own' : `${c.size} px`,
      background: c.background === undefined ? 'as prepared' : c.background === 'keep' ? "the photo's own (cut again from the source photo)" : c.background === 'grey' ? 'neutral grey' : 'transparent where preparation put grey',
      imageFormat: c.imageFormat,
      datasets: [...datasets.values()],
      subjectsInSeveralSplits: [...datasets.keys()].reduce((n, id) => n + subjectsInSeveralSplits(job.db, id).length, 0),
      layout: layoutLines(c),
    });
    try {
      await writeFileAtomic(path.join(outDir, CARD), card);
    } catch (err) {
      throw writeError(path.join(outDir, CARD), err);
    }
  };
  /** Writes the journal; `open`: the layout's files are open, so flushed first and their state taken. */
  const checkpoint = async (open = true): Promise<void> => {
    if (open) {
      await layout.sync();
      journal.layout = layout.state();
    }
    try {
      await writeJournal(outDir, journal);
    } catch (err) {
      throw writeError(path.join(outDir, JOURNAL_DIR), err);
    }
  };

  const reservePath = path.join(outDir, JOURNAL_DIR, 'reserve');
  const concurrency = job.concurrency ?? 8;
  let lastCheckpoint = Date.now();
  let doneThisRun = 0;
  let doneAtCheckpoint = 0;
  const progress = (): void => {
    const seconds = (Date.now() - started) / 1000;
    job.onProgress?.({ done: journal.exported + journal.skipped, total: Math.max(total, journal.exported + journal.skipped), skipped: journal.skipped, cropsPerSecond: seconds > 0 ? doneThisRun / seconds : 0 });
  };
  try {
    try {
      fs.mkdirSync(path.join(outDir, JOURNAL_DIR), { recursive: true });
    } catch (err) {
      throw writeError(outDir, err);
    }
    await fs.promises.writeFile(reservePath, Buffer.alloc(RESERVE_BYTES)).catch((err: unknown) => {
      throw writeError(reservePath, err);
    });
    await checkpoint();
    await writeCard();
    progress();
    for (;;) {
      if (job.signal?.aborted) {
        journal.status = 'cancelled';
        break;
      }
      const rows = exportRowsAfter(job.db, filter, journal.lastCropId, PAGE, c.landmarks);
      if (rows.length === 0) {
        journal.status = 'complete';
        break;
      }
      const produced = await mapConcurrent(rows, concurrency, async (row): Promise<{ image: Buffer | null } | { skip: string } | { cancelled: true }> => {
        if (job.signal?.aborted) return { cancelled: true };
        const dataset = datasets.get(row.datasetId)!;
        const produce = (): Promise<Buffer> => exportImage(row, job.dataDir, dataset.root, c);
        try {
          const rel = layout.imageFile(row);
          if (rel === null) return { image: await produce() };
          await writeImageFile(outDir, rel, produce);
          return { image: null };
        } catch (err) {
          if (err instanceof CropReadError) return { skip: err.message };
          throw err;
        }
      });
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const p = produced[i]!;
        if ('cancelled' in p || job.signal?.aborted) break;
        if ('skip' in p) {
          const skip: ExportSkip = { cropId: row.cropId, file: row.file, reason: p.skip };
          if (journal.skips.length < KEPT_SKIPS) journal.skips.push(skip);
          journal.skipped++;
        } else {
          const size = c.size ?? row.size;
          await layout.add({ row, record: exportRecord(row, datasets.get(row.datasetId)!, size), image: p.image });
          journal.exported++;
          bump(journal.bySplit, row.split ?? 'none');
          bump(journal.byGender, row.gender);
          bump(journal.byDecade, row.age === null ? 'unknown' : decadeBin(row.age));
          bump(journal.preparations, preparationOf(row));
        }
        journal.lastCropId = row.cropId;
        doneThisRun++;
        progress();
      }
      if (Date.now() - lastCheckpoint >= CHECKPOINT_MS || doneThisRun - doneAtCheckpoint >= CHECKPOINT_CROPS) {
        await checkpoint();
        lastCheckpoint = Date.now();
        doneAtCheckpoint = doneThisRun;
      }
    }
    // The state before closing: the end of a finished tar shard is not part of what a resume keeps.
    await layout.sync();
    journal.layout = layout.state();
    await layout.close(journal.status === 'complete');
    await writeCard();
    await checkpoint(false);
    fs.rmSync(reservePath, { force: true });
  } catch (err) {
    if (!(err instanceof ExportWriteError)) {
      await layout.close(false).catch(() => {});
      throw err;
    }
    // What is written stays valid: whole samples only, the journal and the card saying where it stopped.
    fs.rmSync(reservePath, { force: true });
    await layout.rollback();
    journal.layout = layout.state();
    await layout.close(false).catch(() => {});
    journal.status = 'incomplete';
    journal.error = err.message;
    const notes: string[] = [];
    await writeCard().catch((e: unknown) => notes.push(`the card could not be updated either (${(e as Error).message})`));
    await checkpoint(false).catch((e: unknown) => notes.push(`the journal could not be updated either (${(e as Error).message})`));
    throw new ExportError('write-failed', `export stopped after ${journal.exported} crops: ${err.message}${notes.length ? `; ${notes.join('; ')}` : ''}`);
  }
  return {
    outDir,
    format: c.format,
    total: Math.max(total, journal.exported + journal.skipped),
    exported: journal.exported,
    skipped: journal.skipped,
    skips: journal.skips.slice(0, 100),
    resumed: resumedJournal !== null,
    complete: journal.status === 'complete',
    cancelled: journal.status === 'cancelled',
    bySplit: journal.bySplit,
    seconds: (Date.now() - started) / 1000,
    card: CARD,
  };
}
