import { describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent, type ChronofaceApi, type RequestOf } from '../../../../contract/api.js';
import { validateRequest } from '../../../../contract/validate.js';
import { ExportDialog } from './export.svelte.js';

function fakeApi(calls: RequestOf<'datasetsExport'>[], fail?: ApiError): ChronofaceApi {
  return {
    async datasetsExport(req: RequestOf<'datasetsExport'>) {
      calls.push(req);
      if (fail) throw fail;
      return { outDir: req.outDir, format: req.format, total: 3, exported: 3, skipped: 0, skips: [], resumed: false, complete: true, cancelled: false, bySplit: { train: 3 }, seconds: 0.1, card: 'README.md' };
    },
  } as unknown as ChronofaceApi;
}

describe('ExportDialog', () => {
  it('spells only what differs from the defaults, as a valid request', () => {
    const d = new ExportDialog(() => fakeApi([]));
    d.outDir = '  /exports/utk  ';
    expect(d.request()).toEqual({ outDir: '/exports/utk', format: 'imagefolder' });
    d.format = 'webdataset';
    d.includePending = true;
    d.datasetId = 2;
    d.splits = { train: true, val: false, test: true };
    d.size = 96;
    d.background = 'removed';
    d.imageFormat = 'webp';
    d.landmarks = true;
    const req = d.request();
    expect(req).toEqual({ outDir: '/exports/utk', format: 'webdataset', includePending: true, datasetId: 2, splits: ['train', 'test'], size: 96, background: 'removed', imageFormat: 'webp', landmarks: true });
    expect(validateRequest('datasetsExport', req)).toEqual(req);
  });

  it('says what is missing before it starts', () => {
    const d = new ExportDialog(() => fakeApi([]));
    expect(d.problem).toBe('Choose the folder to export to.');
    d.outDir = '/x';
    d.splits = { train: false, val: false, test: false };
    expect(d.problem).toBe('Choose at least one split.');
    d.splits = { train: true, val: true, test: true };
    d.background = 'removed';
    d.imageFormat = 'jpg';
    expect(d.problem).toBe('A transparent background needs PNG or WebP.');
  });

  it('shows progress while running, then where it went, or the error', async () => {
    const calls: RequestOf<'datasetsExport'>[] = [];
    const d = new ExportDialog(() => fakeApi(calls));
    d.outDir = '/out';
    const running = d.start();
    expect(d.running).toBe(true);
    d.onEvent({ type: 'export.progress', outDir: '/out', done: 2, total: 3, skipped: 0, cropsPerSecond: 100 } as ApiEvent);
    expect(d.progress).toEqual({ done: 2, total: 3, skipped: 0, cropsPerSecond: 100 });
    await running;
    expect(d.running).toBe(false);
    expect(d.result?.outDir).toBe('/out');
    expect(calls).toHaveLength(1);

    const failing = new ExportDialog(() => fakeApi([], new ApiError('invalid-argument', '/out is not empty: it holds 1 entry (a.txt)')));
    failing.outDir = '/out';
    await failing.start();
    expect(failing.error).toBe('/out is not empty: it holds 1 entry (a.txt)');
    expect(failing.result).toBeNull();
  });
});
