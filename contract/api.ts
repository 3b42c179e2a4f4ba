/**
 * THE contract between the studio renderer and its backend. Every method the UI calls and every event it receives is
 * listed here; Electron IPC (main/ + preload/), the browser mode (app/serve/) and test harnesses all implement it.
 * Pure TypeScript: no Node, no DOM, no Electron.
 */
import type { FileUrl } from './files.js';
import type {
  AgeResult,
  Box,
  Counts,
  CropDetail,
  CropTile,
  CropStatus,
  CsvMapping,
  DatasetFormat,
  DatasetSummary,
  DetectedFace,
  ExportChoices,
  ExportSummary,
  DrawnFace,
  EpochInfo,
  EpochMetrics,
  EvalReport,
  Gender,
  ItemError,
  Keypoints,
  KnownGender,
  ModelPrototypes,
  ModelSummary,
  NoFacePhoto,
  ReviewFilter,
  ReviewSort,
  RunSummary,
  Split,
  TeamAgeResult,
  TeamFaceChoice,
  TrainSettings,
  VisionModelStatus,
} from './types.js';

export type * from './types.js';
export type { FileUrl } from './files.js';

/** Each method: its request (one plain JSON object, {} when none) and its response. */
export interface ApiMethods {
  // ---- app -------------------------------------------------------------------------------------------------------
  appInfo: {
    request: Record<string, never>;
    response: {
      version: string;
      dataDir: string;
      transport: 'electron' | 'browser';
      /** Training backend that would be used now (tfjs backend name) and why. */
      backend: { name: string; reason: string } | null;
      /** Electron only: pickFolder and saveAs open native dialogs. */
      canUseDialogs: boolean;
      platform: string;
      /** True when the catalogue has no dataset yet (first-run guidance). */
      firstRun: boolean;
    };
  };
  /** Native folder dialog (Electron). Browser mode: error code 'unsupported'. */
  pickFolder: { request: { title?: string }; response: { path: string | null } };
  /** Native save dialog copying a file (Electron). Browser mode: 'unsupported' (use <a download>). */
  saveAs: { request: { url: FileUrl; suggestedName: string }; response: { path: string | null } };

  // ---- datasets --------------------------------------------------------------------------------------------------
  datasetsList: { request: Record<string, never>; response: { datasets: DatasetSummary[] } };
  /** Detects the format of a folder (server-side path). */
  datasetsDetect: {
    request: { path: string };
    response: { path: string; format: DatasetFormat | null; reason: string; imageCount: number; csvFiles: string[] };
  };
  /** Imports a folder; resolves when done; 'import.progress' events meanwhile. One import or prepare at a time ('busy'). */
  datasetsImport: {
    request: { path: string; format?: DatasetFormat; name?: string; csv?: CsvMapping };
    response: { dataset: number; imported: number; skipped: number; failed: number; errors: ItemError[]; cancelled: boolean };
  };
  /** Detects, aligns and scores pending images; resolves when done; 'prepare.progress' events meanwhile. */
  datasetsPrepare: {
    request: { datasetId?: number; size?: 64 | 128 | 256; background?: boolean; lighting?: boolean };
    response: { processed: number; failed: number; skipped: number; errors: ItemError[]; cancelled: boolean };
  };
  /** Cancels the running import, prepare or export (it resolves with cancelled: true). */
  datasetsCancel: { request: { job: 'import' | 'prepare' | 'export' }; response: { cancelled: boolean } };
  /**
   * Exports the matching crops to a folder (server-side path) with a dataset card; resolves when done;
   * 'export.progress' events meanwhile. Resumes an unfinished export of the same settings there; refuses another
   * non-empty folder unless force. One import, prepare or export at a time ('busy').
   */
  datasetsExport: { request: ExportChoices & { outDir: string; force?: boolean }; response: ExportSummary };
  datasetsImportErrors: {
    request: { datasetId?: number; offset?: number; limit?: number };
    response: { total: number; items: (ItemError & { datasetId: number; at: string })[] };
  };
  /** Images whose preparation failed, with the reason. */
  datasetsPrepareErrors: {
    request: { datasetId?: number; offset?: number; limit?: number };
    response: { total: number; items: (ItemError & { imageId: number; datasetId: number })[] };
  };
  datasetsCounts: { request: { datasetId?: number }; response: Counts };

  // ---- review ----------------------------------------------------------------------------------------------------
  /** One page of the grid. total = all crops matching the filter. */
  reviewList: {
    request: { filter?: ReviewFilter; sort?: ReviewSort; offset: number; limit: number };
    response: { total: number; offset: number; items: CropTile[] };
  };
  /** Every id matching the filter, in sort order (Ctrl+A, Shift+click ranges). */
  reviewIds: { request: { filter?: ReviewFilter; sort?: ReviewSort }; response: { ids: number[] } };
  /** Sets the status of the given crops; one undoable batch. */
  reviewSetStatus: { request: { ids: number[]; status: CropStatus }; response: { batch: string | null; changed: number } };
  /** Sets the status of every crop the filter shows; one undoable batch. */
  reviewBulkStatus: { request: { filter: ReviewFilter; status: CropStatus }; response: { batch: string | null; changed: number } };
  /** Reverts the most recent batch not yet undone (status, labels or alignment edits). */
  reviewUndo: { request: Record<string, never>; response: { batch: string | null; reverted: number; ids: number[] } };
  reviewDetail: { request: { id: number }; response: CropDetail };
  /** Edits the image's labels through its crop; one undoable batch. */
  reviewSetLabels: {
    request: { id: number; age?: number; gender?: Gender };
    response: { batch: string | null; crop: CropDetail };
  };

  // ---- alignment -------------------------------------------------------------------------------------------------
  /** Cuts the crop again from five corrected points (source pixels), marks it edited and recomputes its signals. */
  alignRecut: { request: { id: number; keypoints: Keypoints }; response: CropDetail };
  /** The crop these points would give, without saving: a PNG data: URL. */
  alignPreview: { request: { id: number; keypoints: Keypoints }; response: { dataUrl: string } };
  /** Cuts the crop again from the detected points and clears the manual edit. */
  alignReset: { request: { id: number }; response: CropDetail };
  /** Photos where preparation found no face and that have no crop yet (to place the five points by hand). */
  alignNoFace: {
    request: { datasetId?: number; offset?: number; limit?: number };
    response: { total: number; offset: number; items: NoFacePhoto[] };
  };
  /** The crop five hand-placed points (source pixels) would give a photo without a crop: a PNG data: URL. */
  alignCreatePreview: { request: { imageId: number; keypoints: Keypoints }; response: { dataUrl: string } };
  /** Creates the face and crop of a photo where no face was found from five hand-placed points; marked edited. */
  alignCreate: { request: { imageId: number; keypoints: Keypoints }; response: CropDetail };

  // ---- training --------------------------------------------------------------------------------------------------
  /** Starts a run in the trainer process; resolves once started; 'train.*' events follow. 'busy' if one runs. */
  trainStart: { request: TrainSettings; response: { runId: number } };
  trainCancel: { request: { runId?: number }; response: { cancelled: boolean } };
  /** Continues a cancelled, interrupted or failed run from its checkpoint; 'run-in-progress' while a trainer runs it. */
  trainResume: { request: { runId: number }; response: { runId: number } };
  trainStatus: {
    request: Record<string, never>;
    response: {
      running: {
        runId: number;
        epoch: number;
        epochs: number;
        backend: string | null;
        /** Present while the age critic trains, before the first epoch. */
        critic?: { epoch: number; epochs: number; valMae: number };
      } | null;
    };
  };
  runsList: { request: Record<string, never>; response: { runs: RunSummary[] } };
  runsDetail: { request: { runId: number }; response: { run: RunSummary; epochs: EpochInfo[] } };

  // ---- age -------------------------------------------------------------------------------------------------------
  /** Adds a photo for aging: bytes (browser drop/pick) or a path (Electron drop, see bridge.pathForFile). */
  agePhotoAdd: {
    request: { name: string; dataBase64: string } | { path: string };
    response: { photoId: string; name: string; url: FileUrl; width: number; height: number };
  };
  /**
   * Faces found in a photo, numbered left to right, each with its warnings and the age and gender estimate its aging
   * starts from (on its crop aligned as the model modelId aligns faces: null or absent = the one ageRun would use).
   */
  ageDetect: { request: { photoId: string; modelId?: number | null }; response: { width: number; height: number; faces: DetectedFace[] } };
  /** Ages one face; 'age.progress' events meanwhile. */
  ageRun: {
    request: {
      photoId: string;
      face?: number;
      ages: number[];
      sourceAge?: number;
      gender?: KnownGender;
      /** Model id; null or absent = the newest model of the data dir, else the default one. */
      modelId?: number | null;
      fps?: number;
      /** Warp the face towards the target age's prototype shape (default true). */
      shape?: boolean;
      /** Add the texture change, the decoder's and the prototypes' (default true). */
      texture?: boolean;
    };
    response: AgeResult;
  };
  /** A face the detector missed, drawn as a box: detection on its surroundings, else aligned from the box (with a warning). */
  ageDrawFace: { request: { photoId: string; box: Box; modelId?: number | null }; response: DrawnFace };
  /** Ages the chosen faces together into one GIF of the whole photo; 'age.progress' events (with the face) meanwhile. */
  ageTeam: {
    request: {
      photoId: string;
      ages: number[];
      faces: TeamFaceChoice[];
      modelId?: number | null;
      fps?: number;
      shape?: boolean;
      texture?: boolean;
    };
    response: TeamAgeResult;
  };
  /** Models to age with; current = the one ageRun uses without modelId. */
  ageModels: { request: Record<string, never>; response: { models: ModelSummary[]; current: ModelSummary | null } };

  // ---- evaluate --------------------------------------------------------------------------------------------------
  /** Runs the evaluation; resolves with the report; 'eval.progress' events meanwhile. */
  evalRun: { request: { modelId?: number | null; split?: Split }; response: EvalReport };
  evalList: { request: Record<string, never>; response: { reports: EvalReport[] } };

  // ---- MediaPipe models ------------------------------------------------------------------------------------------
  visionModelsStatus: { request: Record<string, never>; response: { models: VisionModelStatus[]; ready: boolean } };
  /** Downloads missing models from MediaPipe's official URLs (sha256 checked); 'models.download' events meanwhile. */
  visionModelsDownload: { request: Record<string, never>; response: { models: VisionModelStatus[]; ready: boolean } };
}

export type MethodName = keyof ApiMethods;
export type RequestOf<M extends MethodName> = ApiMethods[M]['request'];
export type ResponseOf<M extends MethodName> = ApiMethods[M]['response'];

/** Every method, for registration (main), routing (serve) and the preload bridge. Kept equal to keyof ApiMethods. */
export const METHODS = [
  'appInfo',
  'pickFolder',
  'saveAs',
  'datasetsList',
  'datasetsDetect',
  'datasetsImport',
  'datasetsPrepare',
  'datasetsCancel',
  'datasetsExport',
  'datasetsImportErrors',
  'datasetsPrepareErrors',
  'datasetsCounts',
  'reviewList',
  'reviewIds',
  'reviewSetStatus',
  'reviewBulkStatus',
  'reviewUndo',
  'reviewDetail',
  'reviewSetLabels',
  'alignRecut',
  'alignPreview',
  'alignReset',
  'alignNoFace',
  'alignCreatePreview',
  'alignCreate',
  'trainStart',
  'trainCancel',
  'trainResume',
  'trainStatus',
  'runsList',
  'runsDetail',
  'agePhotoAdd',
  'ageDetect',
  'ageRun',
  'ageDrawFace',
  'ageTeam',
  'ageModels',
  'evalRun',
  'evalList',
  'visionModelsStatus',
  'visionModelsDownload',
] as const satisfies readonly MethodName[];

// Fails to compile when METHODS misses a method of ApiMethods.
type MissingMethods = Exclude<MethodName, (typeof METHODS)[number]>;
const allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void allMethodsListed;

/** Methods the transport host implements itself (native dialogs); the service does not. */
export const HOST_METHODS = ['pickFolder', 'saveAs'] as const satisfies readonly MethodName[];
export type HostMethod = (typeof HOST_METHODS)[number];
export type ServiceMethod = Exclude<MethodName, HostMethod>;

// ---- events ------------------------------------------------------------------------------------------------------

export type ApiEvent =
  | { type: 'import.progress'; path: string; done: number; total: number; failed: number; file?: string }
  | { type: 'import.done'; path: string; dataset: number; imported: number; skipped: number; failed: number }
  | { type: 'prepare.progress'; done: number; total: number; failed: number; imagesPerSecond?: number }
  | { type: 'prepare.done'; processed: number; failed: number }
  | { type: 'export.progress'; outDir: string; done: number; total: number; skipped: number; cropsPerSecond: number }
  | { type: 'train.started'; runId: number; settings: TrainSettings; backend: string; backendReason: string; resumedFrom?: number }
  | {
      type: 'train.step';
      runId: number;
      epoch: number;
      step: number;
      steps: number;
      loss: number;
      recon: number;
      kl: number;
      imagesPerSecond: number;
      etaSeconds: number;
    }
  /** The age critic (ageLoss > 0) trains on the same crops before the first epoch: one event per critic epoch. */
  | { type: 'train.critic'; runId: number; epoch: number; epochs: number; trainMae: number; valMae: number }
  | { type: 'train.epoch'; runId: number; epoch: number; epochs: number; metrics: EpochMetrics; reconUrl: FileUrl | null; sweepUrl: FileUrl | null }
  | {
      type: 'train.done';
      runId: number;
      status: 'completed' | 'cancelled';
      modelId: number | null;
      epochs: number;
      /** A completed run's age prototypes: fitted, or the default model's with a warning naming the short ranges. */
      prototypes: ModelPrototypes | null;
    }
  | { type: 'train.error'; runId: number | null; message: string }
  | { type: 'models.download'; name: string; received: number; total: number | null; done: boolean }
  /**
   * Each stage as it starts, in this order: detect, then align, decode, compose and encode for the aged face; `done`
   * stages are behind it, of `total`. Last, encode with done === total: the outputs are written.
   */
  | {
      type: 'age.progress';
      photoId: string;
      stage: 'detect' | 'align' | 'decode' | 'compose' | 'encode';
      done: number;
      total: number;
      /** ageTeam: the face being aligned or decoded (null otherwise), and how many of the chosen faces are aged. */
      face?: number | null;
      facesDone?: number;
      faces?: number;
    }
  | { type: 'eval.progress'; stage: string; done: number; total: number }
  | { type: 'catalogue.changed'; what: 'datasets' | 'crops' | 'runs' | 'models' };

export type ApiEventType = ApiEvent['type'];
export type EventOf<T extends ApiEventType> = Extract<ApiEvent, { type: T }>;

// ---- errors ------------------------------------------------------------------------------------------------------

export type ApiErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'busy'
  | 'unsupported'
  | 'not-implemented'
  | 'cancelled'
  | 'unauthorized'
  /** The training run is still being trained by a live trainer process. */
  | 'run-in-progress'
  | 'failed';

/** Thrown by the service and by every client when a call fails; message is for the user, shown in place. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---- what the renderer holds -------------------------------------------------------------------------------------

/** The API object the renderer talks to, whatever the transport. */
export type ChronofaceApi = {
  [M in MethodName]: (request: RequestOf<M>) => Promise<ResponseOf<M>>;
} & {
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
};

/** What a transport returns for one call: the same envelope over HTTP (JSON body) and Electron IPC. */
export type Envelope<M extends MethodName> =
  | { ok: true; result: ResponseOf<M> }
  | { ok: false; error: { message: string; code: ApiErrorCode } };

/**
 * window.chronoface in Electron (preload, contextBridge). Each method resolves with the Envelope (never rejects for
 * an API error: contextBridge would drop the error's code), so the renderer unwraps both transports the same way.
 * pathForFile gives the filesystem path of a dropped File (webUtils.getPathForFile), or null.
 */
export type ChronofaceBridge = {
  [M in MethodName]: (request: RequestOf<M>) => Promise<Envelope<M>>;
} & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  pathForFile(file: unknown): string | null;
};

/** Turns an envelope into the result, or throws ApiError. */
export function unwrap<M extends MethodName>(envelope: Envelope<M>): ResponseOf<M> {
  if (envelope.ok) return envelope.result;
  throw new ApiError(envelope.error.code, envelope.error.message);
}

/** Electron IPC channel of a method; events go on EVENT_CHANNEL. */
export function channelOf(method: MethodName): string {
  return `chronoface:${method}`;
}
export const EVENT_CHANNEL = 'chronoface:event';
