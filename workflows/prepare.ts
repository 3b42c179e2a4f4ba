/**
 * Preparing images, for every front end (the CLI's `prepare`, the studio's datasetsPrepare): the crop settings from
 * what the user chose, the vision host (the front end's own, or one started for the run and closed after it), and
 * runPrepare with progress and cancel.
 */
import type { Db } from '../db/catalogue.js';
import { runPrepare, type PrepareEvent, type PrepareSummary } from '../ml/prep/pipeline.js';
import { normalizePrepSettings, type PrepSettings } from '../ml/prep/settings.js';
import type { VisionHost } from '../ml/vision/host.js';
import type { ModelProgress } from '../ml/vision/models.js';

/** What the user chose; unset: the default. */
export interface PrepChoices {
  readonly size?: number;
  readonly background?: boolean;
  readonly lighting?: boolean;
}

export function prepSettingsOf(choices: PrepChoices): PrepSettings {
  return normalizePrepSettings({
    ...(choices.size !== undefined ? { size: choices.size } : {}),
    ...(choices.background !== undefined ? { background: { enabled: choices.background } } : {}),
    ...(choices.lighting !== undefined ? { lighting: { enabled: choices.lighting } } : {}),
  });
}

/** A vision host started for this run alone: its pages in parallel, and the face models' download progress. */
export interface OwnVisionHost {
  readonly pages: number;
  readonly onModelProgress?: (p: ModelProgress) => void;
}

export interface PrepareJob {
  readonly dataDir: string;
  readonly db: Db;
  /** The front end's host (kept open), or the one to start and close around the run. */
  readonly host: VisionHost | OwnVisionHost;
  readonly settings: PrepSettings;
  /** Images in flight at once; default: 2 per vision page. */
  readonly workers?: number;
  readonly datasetId?: number;
  readonly redo?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, event: PrepareEvent) => void;
}

function isOwn(host: VisionHost | OwnVisionHost): host is OwnVisionHost {
  return !('close' in host);
}

export async function prepareImages(job: PrepareJob): Promise<PrepareSummary> {
  const { host: given, ...options } = job;
  if (!isOwn(given)) return runPrepare({ ...options, host: given });
  // Loaded on demand: a front end with its own host does not need the headless one.
  const { createChromiumVisionHost } = await import('../ml/vision/chromium-host.js');
  const host = await createChromiumVisionHost({ pages: given.pages, dataDir: job.dataDir, ...(given.onModelProgress ? { onModelProgress: given.onModelProgress } : {}) });
  try {
    return await runPrepare({ ...options, host });
  } finally {
    await host.close();
  }
}
