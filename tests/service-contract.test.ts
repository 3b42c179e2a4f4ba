import { describe, expect, it } from 'vitest';
import { ApiError, METHODS, unwrap, type MethodName, type RequestOf } from '../contract/api.js';
import { browserFileUrl, electronFileUrl, fileRef, imageRef, resolveFiles } from '../contract/files.js';
import { validateRequest } from '../contract/validate.js';

const kp = { leftEye: [10, 20], rightEye: [40, 20], nose: [25, 35], mouthLeft: [15, 50], mouthRight: [35, 50] } as const;

/** A valid request for every method, typed by the contract: the validator must accept exactly what the types allow. */
const SAMPLES: { [M in MethodName]: RequestOf<M> } = {
  appInfo: {},
  pickFolder: { title: 'Pick' },
  saveAs: { url: 'chronoface://files/outputs/a/aging.gif' as never, suggestedName: 'aging.gif' },
  datasetsList: {},
  datasetsDetect: { path: '/data/utkface' },
  datasetsImport: { path: '/data/x', format: 'csv', name: 'X', csv: { csv: 'labels.csv', path: 'file', age: 'age', gender: 'sex', maleValue: '0' } },
  datasetsPrepare: { datasetId: 1, size: 128, background: false, lighting: true },
  datasetsCancel: { job: 'prepare' },
  datasetsExport: { outDir: '/data/out', format: 'webdataset', statuses: ['accepted', 'pending'], includePending: true, datasetId: 1, splits: ['train', 'val'], size: 96, background: 'removed', imageFormat: 'webp', landmarks: true, shardBytes: 500_000_000, force: false },
  datasetsImportErrors: { datasetId: 2, offset: 0, limit: 100 },
  datasetsPrepareErrors: {},
  datasetsCounts: { datasetId: 1 },
  reviewList: { filter: { status: ['pending'], ageBins: ['90+'], genders: ['unknown'], splits: ['none', 'val'], flags: ['blurry', 'mislabel'], edited: false }, sort: 'age-disagreement', offset: 50_000, limit: 1000 },
  reviewIds: { filter: {}, sort: 'id' },
  reviewSetStatus: { ids: [1, 2, 3], status: 'needs-fix' },
  reviewBulkStatus: { filter: { datasetId: 1 }, status: 'accepted' },
  reviewUndo: {},
  reviewDetail: { id: 7 },
  reviewSetLabels: { id: 7, age: 0, gender: 'female' },
  alignRecut: { id: 7, keypoints: kp },
  alignPreview: { id: 7, keypoints: kp },
  alignReset: { id: 7 },
  alignNoFace: { datasetId: 1, offset: 0, limit: 50 },
  alignCreatePreview: { imageId: 9, keypoints: kp },
  alignCreate: { imageId: 9, keypoints: kp },
  trainStart: { size: 256, epochs: 30, batch: 128, beta: 1, lr: 8e-4, balance: 'weights', includePending: true, limit: 500, seed: 0 },
  trainCancel: {},
  trainResume: { runId: 3 },
  trainStatus: {},
  runsList: {},
  runsDetail: { runId: 3 },
  agePhotoAdd: { name: 'team.jpg', dataBase64: 'AAAA' },
  ageDetect: { photoId: '0123456789abcdef', modelId: 2 },
  ageRun: { photoId: '0123456789abcdef', face: 1, ages: [20, 40, 60], sourceAge: 33, gender: 'male', modelId: null, fps: 8 },
  ageDrawFace: { photoId: '0123456789abcdef', box: [10, 20, 60, 70], modelId: null },
  ageTeam: { photoId: '0123456789abcdef', ages: [20, 40], faces: [{ face: 0 }, { face: 2, gender: 'female', sourceAge: 30 }, { box: [5, 5, 40, 40] }], modelId: null, fps: 6 },
  ageModels: {},
  evalRun: { modelId: 2, split: 'test' },
  evalList: {},
  visionModelsStatus: {},
  visionModelsDownload: {},
};

describe('contract request validation', () => {
  it('accepts a valid request for every method and refuses unknown fields', () => {
    for (const m of METHODS) {
      expect(() => validateRequest(m, SAMPLES[m]), m).not.toThrow();
      const extra = { ...(SAMPLES[m] as object), surprise: 1 };
      expect(() => validateRequest(m, extra), m).toThrow(ApiError);
    }
    expect(validateRequest('agePhotoAdd', { path: '/tmp/a.jpg' })).toEqual({ path: '/tmp/a.jpg' });
    expect(validateRequest('appInfo', undefined)).toEqual({});
  });

  it('names the field that is wrong', () => {
    const cases: [MethodName, unknown, string][] = [
      ['reviewList', { offset: 0, limit: 5000 }, 'reviewList.limit: must be <= 1000'],
      ['reviewSetStatus', { ids: [1, 0], status: 'accepted' }, 'reviewSetStatus.ids[1]: must be >= 1'],
      ['reviewSetLabels', { id: 1, age: 121 }, 'reviewSetLabels.age: must be <= 120'],
      ['alignRecut', { id: 1, keypoints: { ...kp, nose: [1, Number.NaN] } }, 'alignRecut.keypoints.nose[1]: expected a finite number'],
      ['trainStart', { ...SAMPLES.trainStart, lr: 0 }, 'trainStart.lr: must be >='],
      ['ageRun', { photoId: 'x', ages: 'old' }, 'ageRun.ages: expected an array'],
      ['datasetsDetect', { path: 'a\0b' }, 'datasetsDetect.path: contains a NUL character'],
      ['reviewDetail', 7, 'reviewDetail: expected an object'],
      ['datasetsExport', { outDir: '/o', format: 'parquet' }, 'datasetsExport.format: expected one of imagefolder, csv, webdataset'],
    ];
    for (const [m, req, message] of cases) {
      let caught: unknown;
      try {
        validateRequest(m, req);
      } catch (err) {
        caught = err;
      }
      expect(caught, m).toBeInstanceOf(ApiError);
      expect((caught as ApiError).code).toBe('invalid-argument');
      expect((caught as ApiError).message).toContain(message);
    }
  });
});

describe('contract file URLs and envelopes', () => {
  it('turns service file references into transport URLs, deep inside results', () => {
    const served = { items: [{ id: 1, url: fileRef('crops/001/1.png', '2026-01-01T00:00:00Z') }], photo: imageRef(42), note: 'x', n: null };
    expect(resolveFiles(served as never, electronFileUrl)).toEqual({
      items: [{ id: 1, url: 'chronoface://files/crops/001/1.png?v=2026-01-01T00%3A00%3A00Z' }],
      photo: 'chronoface://images/42',
      note: 'x',
      n: null,
    });
    // No token in a URL: the page's cookie carries it.
    expect(browserFileUrl(fileRef('outputs/my photo #1/aging.gif'))).toBe('/files/outputs/my%20photo%20%231/aging.gif');
    expect(browserFileUrl(imageRef(9))).toBe('/images/9');
  });

  it('unwraps envelopes into results or ApiErrors', () => {
    expect(unwrap<'trainStatus'>({ ok: true, result: { running: null } })).toEqual({ running: null });
    expect(() => unwrap<'trainStatus'>({ ok: false, error: { code: 'busy', message: 'a prepare is already running' } })).toThrow('a prepare is already running');
  });
});
