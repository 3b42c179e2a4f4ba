/**
 * Runtime validation of every request, used by each transport before it reaches the service (IPC from a renderer
 * and HTTP from a browser are both untrusted). Unknown keys, wrong types and out-of-range values are refused with
 * ApiError('invalid-argument') naming the field.
 */
import { ApiError, METHODS, type MethodName, type RequestOf } from './api.js';
import { MAX_AGE, MIN_AGE } from '../domain/age.js';
import { BALANCES, CROP_STATUSES, DATASET_FORMATS, DECADE_BINS, EXPORT_BACKGROUNDS, EXPORT_FORMATS, EXPORT_IMAGE_FORMATS, GENDERS, KEYPOINT_NAMES, REVIEW_SORTS, SPLITS, TRAIN_PRESETS } from './types.js';

type Check = (value: unknown, at: string) => void;

function fail(at: string, what: string): never {
  throw new ApiError('invalid-argument', `${at}: ${what}`);
}

const optionalMark = Symbol('optional');
type OptionalCheck = Check & { [optionalMark]: true };

function optional(check: Check): OptionalCheck {
  const c = ((v: unknown, at: string) => {
    if (v !== undefined) check(v, at);
  }) as OptionalCheck;
  c[optionalMark] = true;
  return c;
}

function nullable(check: Check): Check {
  return (v, at) => {
    if (v !== null) check(v, at);
  };
}

function object(shape: Record<string, Check>): Check {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'expected an object');
    const rec = v as Record<string, unknown>;
    for (const key of Object.keys(rec)) if (!(key in shape)) fail(at, `unknown field "${key}"`);
    for (const [key, check] of Object.entries(shape)) {
      if (!(optionalMark in check) && rec[key] === undefined) fail(`${at}.${key}`, 'is required');
      check(rec[key], `${at}.${key}`);
    }
  };
}

function num(opts: { min?: number; max?: number; int?: boolean } = {}): Check {
  return (v, at) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'expected a finite number');
    if (opts.int && !Number.isInteger(v)) fail(at, 'expected an integer');
    if (opts.min !== undefined && v < opts.min) fail(at, `must be >= ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) fail(at, `must be <= ${opts.max}`);
  };
}

const id = num({ int: true, min: 1, max: Number.MAX_SAFE_INTEGER });

function str(opts: { max?: number; min?: number } = {}): Check {
  return (v, at) => {
    if (typeof v !== 'string') fail(at, 'expected a string');
    if (v.length > (opts.max ?? 4096)) fail(at, `longer than ${opts.max ?? 4096} characters`);
    if (v.length < (opts.min ?? 0)) fail(at, 'must not be empty');
    if (v.includes('\0')) fail(at, 'contains a NUL character');
  };
}

function bool(): Check {
  return (v, at) => {
    if (typeof v !== 'boolean') fail(at, 'expected true or false');
  };
}

function oneOf(values: readonly (string | number)[]): Check {
  return (v, at) => {
    if (!values.includes(v as string | number)) fail(at, `expected one of ${values.join(', ')}`);
  };
}

function array(item: Check, max: number): Check {
  return (v, at) => {
    if (!Array.isArray(v)) fail(at, 'expected an array');
    if (v.length > max) fail(at, `more than ${max} items`);
    v.forEach((x, i) => item(x, `${at}[${i}]`));
  };
}

function either(...checks: Check[]): Check {
  return (v, at) => {
    const errors: string[] = [];
    for (const c of checks) {
      try {
        c(v, at);
        return;
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    fail(at, `matches no accepted form (${errors.join('; ')})`);
  };
}

const empty = object({});
const point: Check = (v, at) => {
  if (!Array.isArray(v) || v.length !== 2) fail(at, 'expected [x, y]');
  num({ min: -1e6, max: 1e6 })(v[0], `${at}[0]`);
  num({ min: -1e6, max: 1e6 })(v[1], `${at}[1]`);
};
const keypoints = object(Object.fromEntries(KEYPOINT_NAMES.map((k) => [k, point])));
const age = num({ min: MIN_AGE, max: MAX_AGE });
/** [x, y, w, h] in photo pixels, w and h at least 4. */
const box: Check = (v, at) => {
  if (!Array.isArray(v) || v.length !== 4) fail(at, 'expected [x, y, w, h]');
  num({ min: -1e6, max: 1e6 })(v[0], `${at}[0]`);
  num({ min: -1e6, max: 1e6 })(v[1], `${at}[1]`);
  num({ min: 4, max: 1e6 })(v[2], `${at}[2]`);
  num({ min: 4, max: 1e6 })(v[3], `${at}[3]`);
};
const teamFaceFields = object({ face: optional(num({ int: true, min: 0, max: 4096 })), box: optional(box), sourceAge: optional(age), gender: optional(oneOf(['male', 'female'])) });
/** A found face (face) or a drawn one (box): exactly one of the two. */
const teamFace: Check = (v, at) => {
  teamFaceFields(v, at);
  const r = v as { face?: unknown; box?: unknown };
  if ((r.face === undefined) === (r.box === undefined)) fail(at, 'give either face (a found face) or box (a drawn one)');
};
const page = { offset: optional(num({ int: true, min: 0 })), limit: optional(num({ int: true, min: 1, max: 1000 })) };
const filter = object({
  datasetId: optional(id),
  status: optional(array(oneOf(CROP_STATUSES), 4)),
  ageBins: optional(array(oneOf(DECADE_BINS), 10)),
  genders: optional(array(oneOf(GENDERS), 3)),
  splits: optional(array(oneOf([...SPLITS, 'none']), 4)),
  flags: optional(array(str({ max: 40 }), 20)),
  edited: optional(bool()),
});
const sort = optional(oneOf(REVIEW_SORTS));
const status = oneOf(CROP_STATUSES);
const size = oneOf([64, 128, 256]);
const modelId = optional(nullable(id));
const modelRef: Check = (v, at) => {
  if (v === 'default') return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > Number.MAX_SAFE_INTEGER) fail(at, 'expected a model id (a positive integer) or "default"');
};
function positive(max: number): Check {
  return (v, at) => {
    num({ max })(v, at);
    if ((v as number) <= 0) fail(at, 'must be > 0');
  };
}

export const REQUEST_CHECKS: { readonly [M in MethodName]: Check } = {
  appInfo: empty,
  pickFolder: object({ title: optional(str({ max: 200 })) }),
  saveAs: object({ url: str({ min: 1 }), suggestedName: str({ min: 1, max: 255 }) }),
  datasetsList: empty,
  datasetsDetect: object({ path: str({ min: 1 }) }),
  datasetsImport: object({
    path: str({ min: 1 }),
    format: optional(oneOf(DATASET_FORMATS)),
    name: optional(str({ max: 200 })),
    csv: optional(
      object({
        csv: str({ min: 1 }),
        path: str({ min: 1, max: 200 }),
        age: optional(str({ max: 200 })),
        gender: optional(str({ max: 200 })),
        subject: optional(str({ max: 200 })),
        split: optional(str({ max: 200 })),
        maleValue: optional(str({ max: 40 })),
      }),
    ),
  }),
  datasetsPrepare: object({ datasetId: optional(id), size: optional(size), background: optional(bool()), lighting: optional(bool()) }),
  datasetsCancel: object({ job: oneOf(['import', 'prepare', 'export']) }),
  datasetsExport: object({
    outDir: str({ min: 1 }),
    format: oneOf(EXPORT_FORMATS),
    statuses: optional(array(status, 4)),
    includePending: optional(bool()),
    datasetId: optional(id),
    splits: optional(array(oneOf(SPLITS), 3)),
    size: optional(num({ int: true, min: 16, max: 1024 })),
    background: optional(oneOf(EXPORT_BACKGROUNDS)),
    imageFormat: optional(oneOf(EXPORT_IMAGE_FORMATS)),
    landmarks: optional(bool()),
    shardBytes: optional(num({ int: true, min: 65536, max: 1e13 })),
    force: optional(bool()),
  }),
  datasetsImportErrors: object({ datasetId: optional(id), ...page }),
  datasetsPrepareErrors: object({ datasetId: optional(id), ...page }),
  datasetsCounts: object({ datasetId: optional(id) }),
  reviewList: object({ filter: optional(filter), sort, offset: num({ int: true, min: 0 }), limit: num({ int: true, min: 1, max: 1000 }) }),
  reviewIds: object({ filter: optional(filter), sort }),
  reviewSetStatus: object({ ids: array(id, 1_000_000), status }),
  reviewBulkStatus: object({ filter, status }),
  reviewUndo: empty,
  reviewDetail: object({ id }),
  reviewSetLabels: object({ id, age: optional(age), gender: optional(oneOf(GENDERS)) }),
  alignRecut: object({ id, keypoints }),
  alignPreview: object({ id, keypoints }),
  alignReset: object({ id }),
  alignNoFace: object({ datasetId: optional(id), ...page }),
  alignCreatePreview: object({ imageId: id, keypoints }),
  alignCreate: object({ imageId: id, keypoints }),
  trainStart: object({
    size,
    epochs: num({ int: true, min: 1, max: 10_000 }),
    batch: num({ int: true, min: 1, max: 4096 }),
    beta: num({ min: Number.MIN_VALUE, max: 1e4 }),
    lr: num({ min: Number.MIN_VALUE, max: 1 }),
    balance: oneOf(BALANCES),
    includePending: optional(bool()),
    limit: optional(num({ int: true, min: 1 })),
    seed: optional(num({ int: true, min: 0, max: 2 ** 31 })),
    preset: optional(oneOf(TRAIN_PRESETS)),
    ageLoss: optional(num({ min: 0, max: 1000 })),
    criticEpochs: optional(num({ int: true, min: 1, max: 1000 })),
    filmLr: optional(positive(1000)),
    initFrom: optional(nullable(modelRef)),
  }),
  trainCancel: object({ runId: optional(id) }),
  trainResume: object({ runId: id }),
  trainStatus: empty,
  runsList: empty,
  runsDetail: object({ runId: id }),
  agePhotoAdd: either(object({ name: str({ min: 1, max: 255 }), dataBase64: str({ min: 1, max: 64 * 1024 * 1024 }) }), object({ path: str({ min: 1 }) })),
  ageDetect: object({ photoId: str({ min: 1, max: 100 }), modelId }),
  ageRun: object({
    photoId: str({ min: 1, max: 100 }),
    face: optional(num({ int: true, min: 0, max: 100 })),
    ages: array(age, 64),
    sourceAge: optional(age),
    gender: optional(oneOf(['male', 'female'])),
    modelId,
    fps: optional(num({ min: 0.5, max: 60 })),
    shape: optional(bool()),
    texture: optional(bool()),
  }),
  ageDrawFace: object({ photoId: str({ min: 1, max: 100 }), box, modelId }),
  ageTeam: object({
    photoId: str({ min: 1, max: 100 }),
    ages: array(age, 64),
    faces: array(teamFace, 512),
    modelId,
    fps: optional(num({ min: 0.5, max: 60 })),
    shape: optional(bool()),
    texture: optional(bool()),
  }),
  ageModels: empty,
  evalRun: object({ modelId, split: optional(oneOf(SPLITS)) }),
  evalList: empty,
  visionModelsStatus: empty,
  visionModelsDownload: empty,
};

export function isMethodName(name: string): name is MethodName {
  return (METHODS as readonly string[]).includes(name);
}

/** Returns the request typed, or throws ApiError('invalid-argument'). An absent request counts as {}. */
export function validateRequest<M extends MethodName>(method: M, value: unknown): RequestOf<M> {
  const v = value === undefined || value === null ? {} : value;
  REQUEST_CHECKS[method](v, method);
  return v as RequestOf<M>;
}
