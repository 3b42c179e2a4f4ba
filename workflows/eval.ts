/**
 * Evaluating a model, for every front end (the CLI's `eval`, the studio's evalRun): choose and load the model, run the
 * evaluation on a split with progress and cancel, score with the independent check estimators when their folder is
 * known, and write the self-contained HTML report.
 */
import path from 'node:path';
import type { Db } from '../db/catalogue.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../ml/aging/model.js';
import { CHECK_MODELS_ENV } from '../ml/estimators/check-age.js';
import { renderHtmlReport } from '../ml/eval/html-report.js';
import { runEvaluation, type EvalOptions, type EvalReport } from '../ml/eval/run-eval.js';
import { writeFileAtomic } from '../ml/io/write-file-atomic.js';

export { CHECK_MODELS_ENV };

/** The model to evaluate: a catalogue id or a model folder; none: the newest, else the shipped default. */
export async function loadEvalModel(dataDir: string, option?: string): Promise<AgingModel> {
  return loadAgingModel(chooseModel(dataDir, option));
}

/** The check estimators' folder: the one given, else $CHRONOFACE_CHECK_MODELS when set (and not empty), else none. */
export function checkModelsDir(given?: string): string | undefined {
  return given ?? (process.env[CHECK_MODELS_ENV] || undefined);
}

export interface EvalJob {
  readonly dataDir: string;
  readonly db: Db;
  readonly model: AgingModel;
  /** Split, limit, ages and blend settings, passed to runEvaluation as they are. */
  readonly options?: Omit<EvalOptions, 'checkModels' | 'onProgress' | 'signal'>;
  /** The check estimators' folder when the front end names one; default: the environment's (checkModelsDir). */
  readonly checkModels?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export async function evaluateModel(job: EvalJob): Promise<EvalReport> {
  const checkModels = checkModelsDir(job.checkModels);
  return runEvaluation(job.db, job.dataDir, job.model, {
    ...job.options,
    ...(checkModels ? { checkModels } : {}),
    ...(job.onProgress ? { onProgress: job.onProgress } : {}),
    ...(job.signal ? { signal: job.signal } : {}),
  });
}

/** Writes the report's HTML page to file (made absolute), whole or not at all; returns the absolute path. */
export async function writeEvalHtml(report: EvalReport, file: string): Promise<string> {
  const where = path.resolve(file);
  await writeFileAtomic(where, Buffer.from(renderHtmlReport(report)));
  return where;
}
