import fs from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../contract/api.js';
import type { DatasetFormat } from '../../contract/types.js';
import { datasetProgress, listDatasets } from '../../db/datasets.js';
import { detectFormat } from '../../db/importers/detect.js';
import { importDataset } from '../../db/importers/run.js';
import type { CsvOptions } from '../../db/importers/types.js';
import { listImageFiles } from '../../db/importers/walk.js';
import { listImportErrorsPage, listPrepareErrors } from '../../db/error-pages.js';
import { countCatalogue } from '../../db/stats.js';
import type { ServiceContext } from '../context.js';
import { throttle } from '../events.js';
import { cancelJob, exclusiveJob } from '../jobs.js';
import type { HandlerGroup } from './types.js';

/** Errors returned inline by import/prepare; the rest are paged through datasetsImportErrors/datasetsPrepareErrors. */
const INLINE_ERRORS = 500;

type DatasetMethods =
  | 'datasetsList'
  | 'datasetsDetect'
  | 'datasetsImport'
  | 'datasetsPrepare'
  | 'datasetsCancel'
  | 'datasetsImportErrors'
  | 'datasetsPrepareErrors'
  | 'datasetsCounts';

async function folderFacts(folder: string): Promise<{ imageCount: number; csvFiles: string[] }> {
  const top = await fs.readdir(folder);
  const csvFiles = top.filter((n) => n.toLowerCase().endsWith('.csv') && !n.startsWith('.'));
  const images = await listImageFiles(folder);
  return { imageCount: images.length, csvFiles };
}

export function datasetHandlers(ctx: ServiceContext): HandlerGroup<DatasetMethods> {
  const { db, bus } = ctx;
  return {
    async datasetsList() {
      const progress = datasetProgress(db);
      const datasets = listDatasets(db).map((d) => {
        const p = progress.get(d.id) ?? { prepared: 0, prepareFailed: 0, crops: 0 };
        return {
          id: d.id,
          name: d.name,
          format: d.format,
          root: d.root,
          createdAt: d.createdAt,
          images: d.images,
          prepared: p.prepared,
          prepareFailed: p.prepareFailed,
          crops: p.crops,
          importErrors: d.errors,
        };
      });
      return { datasets };
    },

    async datasetsDetect({ path: p }) {
      const folder = path.resolve(p);
      let stat;
      try {
        stat = await fs.stat(folder);
      } catch {
        throw new ApiError('not-found', `${folder} does not exist`);
      }
      if (!stat.isDirectory()) throw new ApiError('invalid-argument', `${folder} is not a folder`);
      const facts = await folderFacts(folder);
      try {
        const format = await detectFormat(folder);
        return { path: folder, format, reason: `looks like ${format}`, ...facts };
      } catch (err) {
        return { path: folder, format: null, reason: (err as Error).message, ...facts };
      }
    },

    async datasetsImport(req) {
      if (req.format === 'photos') throw new ApiError('unsupported', 'importing unlabelled photos as a dataset is not supported; use a CSV with labels');
      const format = req.format as Exclude<DatasetFormat, 'photos'> | undefined;
      const csv: CsvOptions | undefined = req.csv && {
        csv: req.csv.csv,
        pathColumn: req.csv.path,
        ...(req.csv.age !== undefined ? { ageColumn: req.csv.age } : {}),
        ...(req.csv.gender !== undefined ? { genderColumn: req.csv.gender } : {}),
        ...(req.csv.subject !== undefined ? { subjectColumn: req.csv.subject } : {}),
        ...(req.csv.split !== undefined ? { splitColumn: req.csv.split } : {}),
        ...(req.csv.maleValue !== undefined ? { maleValue: req.csv.maleValue } : {}),
      };
      return exclusiveJob(ctx, 'import', async (signal) => {
        const where = path.resolve(req.path);
        let failed = 0;
        const progress = throttle((done: number, total: number) => bus.emit({ type: 'import.progress', path: where, done, total, failed }), 100);
        const result = await importDataset(db, {
          path: where,
          ...(format ? { format } : {}),
          ...(req.name ? { name: req.name } : {}),
          ...(csv ? { csv } : {}),
          signal,
          onEvent: (e) => {
            if (e.type === 'start') bus.emit({ type: 'import.progress', path: where, done: 0, total: e.total, failed: 0 });
            if (e.type === 'progress') {
              failed = e.failed;
              progress(e.done, e.total);
            }
          },
        });
        const done = result.imported + result.skipped + result.failed;
        bus.emit({ type: 'import.progress', path: where, done, total: done, failed: result.failed });
        bus.emit({ type: 'import.done', path: where, dataset: result.dataset, imported: result.imported, skipped: result.skipped, failed: result.failed });
        bus.emit({ type: 'catalogue.changed', what: 'datasets' });
        return {
          dataset: result.dataset,
          imported: result.imported,
          skipped: result.skipped,
          failed: result.failed,
          errors: result.errors.slice(0, INLINE_ERRORS),
          cancelled: !result.complete,
        };
      });
    },

    async datasetsPrepare(req) {
      return exclusiveJob(ctx, 'prepare', async (signal) => {
        const { prepareImages, prepSettingsOf } = await import('../../workflows/prepare.js');
        const settings = prepSettingsOf(req);
        const host = await ctx.vision();
        let failedSoFar = 0;
        const started = Date.now();
        const progress = throttle((done: number, total: number) => {
          const seconds = (Date.now() - started) / 1000;
          bus.emit({ type: 'prepare.progress', done, total, failed: failedSoFar, ...(seconds > 0 ? { imagesPerSecond: done / seconds } : {}) });
        }, 200);
        const result = await prepareImages({
          dataDir: ctx.dataDir,
          db,
          host,
          settings,
          signal,
          ...(req.datasetId !== undefined ? { datasetId: req.datasetId } : {}),
          onProgress: (done, total, event) => {
            if (event.status === 'failed') failedSoFar++;
            progress(done, total);
          },
        });
        bus.emit({ type: 'prepare.progress', done: result.done, total: result.total, failed: result.failed });
        bus.emit({ type: 'prepare.done', processed: result.done, failed: result.failed });
        bus.emit({ type: 'catalogue.changed', what: 'crops' });
        const errors = listPrepareErrors(db, { ...(req.datasetId !== undefined ? { datasetId: req.datasetId } : {}), limit: INLINE_ERRORS });
        return {
          processed: result.done,
          failed: result.failed,
          skipped: result.skipped,
          errors: errors.rows.map((r) => ({ file: r.file, reason: r.reason })),
          cancelled: result.cancelled,
        };
      });
    },

    async datasetsCancel({ job }) {
      return { cancelled: cancelJob(ctx, job) };
    },

    async datasetsImportErrors(req) {
      const page = listImportErrorsPage(db, req);
      return { total: page.total, items: page.rows };
    },

    async datasetsPrepareErrors(req) {
      const page = listPrepareErrors(db, req);
      return { total: page.total, items: page.rows };
    },

    async datasetsCounts({ datasetId }) {
      return countCatalogue(db, datasetId);
    },
  };
}
