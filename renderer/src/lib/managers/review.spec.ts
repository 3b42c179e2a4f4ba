import { describe, expect, it } from 'vitest';
import type { ChronofaceApi, CropStatus, CropTile, ReviewFilter } from '../../../../contract/api.js';
import { asFileUrl } from '../../../../contract/files.js';
import { cleanFilter, PAGE_SIZE, ReviewData } from './review.svelte.js';
import { UndoManager } from './undo.svelte.js';

/** An in-memory review backend with the contract's semantics (status filter, batches, undo of the last batch). */
function memoryApi(n: number) {
  const crops: CropTile[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1, imageId: i + 1, url: asFileUrl(`/files/crops/${i + 1}.png`), status: 'pending' as CropStatus, quality: i / n,
    flags: [], age: i % 90, gender: 'female', split: 'train', edited: false, estAge: null, estGender: null,
  }));
  const batches: { batch: string; old: Map<number, CropStatus> }[] = [];
  const calls: string[] = [];
  const match = (f: ReviewFilter = {}) => crops.filter((c) => !f.status || f.status.includes(c.status));
  const set = (ids: number[], status: CropStatus) => {
    const old = new Map<number, CropStatus>();
    for (const c of crops) if (ids.includes(c.id) && c.status !== status) { old.set(c.id, c.status); c.status = status; }
    const batch = `b${batches.length + 1}`;
    batches.push({ batch, old });
    return { batch, changed: old.size };
  };
  const api = {
    async reviewList(req) {
      calls.push(`list ${req.offset}`);
      const all = match(req.filter);
      return { total: all.length, offset: req.offset, items: all.slice(req.offset, req.offset + req.limit).map((c) => ({ ...c })) };
    },
    async reviewSetStatus(req) { calls.push('set'); return set(req.ids, req.status); },
    async reviewBulkStatus(req) { calls.push('bulk'); return set(match(req.filter).map((c) => c.id), req.status); },
    async reviewUndo() {
      const b = batches.pop();
      if (!b) return { batch: null, reverted: 0, ids: [] };
      for (const [id, s] of b.old) crops[id - 1]!.status = s;
      return { batch: b.batch, reverted: b.old.size, ids: [...b.old.keys()] };
    },
  } as Partial<ChronofaceApi> as ChronofaceApi;
  return { api, crops, calls };
}

describe('ReviewData', () => {
  it('loads only the pages the grid needs, once each', async () => {
    const { api, calls } = memoryApi(50_000);
    const d = new ReviewData(api);
    await d.reload();
    expect(d.total).toBe(50_000);
    expect(d.tile(0)?.id).toBe(1);
    expect(d.tile(PAGE_SIZE)).toBeUndefined();
    await Promise.all([d.ensure(30_000, 30_050), d.ensure(30_010, 30_060)]);
    expect(d.tile(30_000)?.id).toBe(30_001);
    expect(calls.filter((c) => c.startsWith('list'))).toEqual(['list 0', `list ${150 * PAGE_SIZE}`]);
  });

  it('drops answers that arrive after the filter changed', async () => {
    const { api } = memoryApi(500);
    const d = new ReviewData(api);
    const stale = d.loadPage(2);
    d.filter = { status: ['accepted'] };
    await d.reload();
    await stale;
    expect(d.total).toBe(0);
    expect(d.tile(400)).toBeUndefined();
  });

  it('accepts the given ids, or everything the filter shows', async () => {
    const { api, crops, calls } = memoryApi(300);
    const d = new ReviewData(api);
    await d.reload();
    await d.setStatus([2, 3], 'accepted');
    expect(crops.filter((c) => c.status === 'accepted').map((c) => c.id)).toEqual([2, 3]);
    expect(d.tile(1)?.status).toBe('accepted');
    expect(d.tile(0)?.status).toBe('pending');
    // Bulk acts on what the filter (pending) shows: the two accepted ones are left alone.
    await d.setStatus(undefined, 'rejected');
    expect(calls).toContain('bulk');
    expect(crops.filter((c) => c.status === 'rejected')).toHaveLength(298);
    expect(crops[1]!.status).toBe('accepted');
  });

  it('cleans empty filter arrays', () => {
    expect(cleanFilter({ status: [], genders: ['male'], datasetId: undefined })).toEqual({ genders: ['male'] });
  });
});

describe('UndoManager', () => {
  it('reverts the last batch and says what it undid', async () => {
    const { api, crops } = memoryApi(10);
    const d = new ReviewData(api);
    const u = new UndoManager(api);
    await d.reload();
    u.record((await d.setStatus([1], 'accepted')).batch, 'accept of 1 crop');
    u.record((await d.setStatus([2], 'rejected')).batch, 'reject of 1 crop');
    expect(u.nextLabel).toBe('reject of 1 crop');
    expect(await u.undo()).toEqual([2]);
    expect(crops[1]!.status).toBe('pending');
    expect(u.last).toBe('Undid reject of 1 crop (1 change)');
    expect(await u.undo()).toEqual([1]);
    expect(await u.undo()).toEqual([]);
    expect(u.last).toBe('Nothing to undo');
    expect(crops.every((c) => c.status === 'pending')).toBe(true);
  });
});

describe('ReviewData scheduling', () => {
  it('keeps at most two page requests in flight and skips pages scrolled past', async () => {
    const { api, calls } = memoryApi(50_000);
    const d = new ReviewData(api);
    await d.reload();
    calls.length = 0;
    d.view(10_000, 10_900); // pages 50..54
    d.view(40_000, 40_100); // scrolled on before they arrived: only page 200 is still wanted
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([`list ${50 * PAGE_SIZE}`, `list ${51 * PAGE_SIZE}`, `list ${200 * PAGE_SIZE}`]);
    expect(d.tile(40_050)?.id).toBe(40_051);
    expect(d.tile(10_600)).toBeUndefined();
  });
});

describe('ordering of changes', () => {
  it('sends an undo pressed during a status change after it', async () => {
    const { api, crops } = memoryApi(10);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = {
      ...api,
      async reviewSetStatus(req: Parameters<typeof api.reviewSetStatus>[0]) {
        await gate;
        order.push('set');
        return api.reviewSetStatus(req);
      },
      async reviewUndo() {
        order.push('undo');
        return api.reviewUndo({});
      },
    } as typeof api;
    const d = new ReviewData(slow);
    const u = new UndoManager(slow);
    await d.reload();
    const set = d.setStatus([1], 'accepted');
    const undone = u.undo();
    const again = u.undo();
    release();
    await Promise.all([set, undone, again]);
    expect(order).toEqual(['set', 'undo', 'undo']);
    expect(crops[0]!.status).toBe('pending');
    expect(u.busy).toBe(false);
  });
});
