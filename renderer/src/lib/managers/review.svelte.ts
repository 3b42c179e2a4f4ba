import { SvelteMap } from 'svelte/reactivity';
import type { ChronofaceApi, CropStatus, CropTile, ReviewFilter, ReviewSort } from '../../../../contract/api.js';
import { pagesFor } from '../grid/virtual-grid.js';
import { serial } from './serial.js';

export const PAGE_SIZE = 200;
const MAX_INFLIGHT = 2;

/** Drops empty arrays so the request says exactly what restricts the view. */
export function cleanFilter(f: ReviewFilter): ReviewFilter {
  const out: ReviewFilter = {};
  for (const [k, v] of Object.entries(f) as [keyof ReviewFilter, unknown][]) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * The review grid's data: the filter, the total, and the crops loaded page by page (offset/limit) as the grid scrolls.
 * Pages live in a SvelteMap, so a tile re-renders only when its own page arrives or changes; `version` counts changes.
 */
export class ReviewData {
  filter = $state<ReviewFilter>({ status: ['pending'] });
  sort = $state<ReviewSort>('quality-asc');
  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  version = $state(0);

  private pages = new SvelteMap<number, CropTile[]>();
  private inflight = new Map<number, Promise<void>>();
  private generation = 0;

  constructor(private readonly api: ChronofaceApi) {}

  get request(): { filter: ReviewFilter; sort: ReviewSort } {
    return { filter: cleanFilter(this.filter), sort: this.sort };
  }

  tile(index: number): CropTile | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Forgets every page and loads the first one again (filter or sort changed, or a refresh). */
  async reload(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.version++;
    await this.loadPage(0);
    this.loaded = true;
  }

  /**
   * Asks for the pages covering [start, end), the grid's current view. At most MAX_INFLIGHT requests run at once, and
   * pages scrolled past before their turn are never requested, so a fast scroll does not queue up stale pages.
   */
  view(start: number, end: number): void {
    this.wanted = pagesFor(start, end, PAGE_SIZE).filter((p) => !this.pages.has(p));
    this.pump();
  }

  /** Loads every page covering [start, end) and waits for them (ranges, next/previous in the editor). */
  ensure(start: number, end: number): Promise<void> {
    const pages = pagesFor(start, end, PAGE_SIZE).filter((p) => !this.pages.has(p));
    return Promise.all(pages.map((p) => this.loadPage(p))).then(() => undefined);
  }

  private wanted: number[] = [];

  private pump(): void {
    for (const p of this.wanted) {
      if (this.inflight.size >= MAX_INFLIGHT) return;
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      void this.loadPage(p).then(() => this.pump());
    }
  }

  loadPage(page: number): Promise<void> {
    const existing = this.inflight.get(page);
    if (existing) return existing;
    const gen = this.generation;
    const p = this.api
      .reviewList({ ...this.request, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
      .then((res) => {
        if (gen !== this.generation) return;
        this.pages.set(page, res.items);
        this.total = res.total;
        this.error = null;
        this.version++;
      })
      .catch((err: unknown) => {
        if (gen === this.generation) this.error = (err as Error).message;
      })
      .finally(() => {
        if (this.inflight.get(page) === p) this.inflight.delete(page);
      });
    this.inflight.set(page, p);
    return p;
  }

  /** Ids of the items at indices [from, to], loading their pages first. */
  async idsBetween(from: number, to: number): Promise<number[]> {
    await this.ensure(from, to + 1);
    const out: number[] = [];
    for (let i = from; i <= to; i++) {
      const t = this.tile(i);
      if (t) out.push(t.id);
    }
    return out;
  }

  /** Ids among the loaded pages only (synchronous; for keyboard ranges next to the focus). */
  loadedIdsBetween(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = from; i <= to; i++) {
      const t = this.tile(i);
      if (t) out.push(t.id);
    }
    return out;
  }

  indexOf(id: number): number {
    for (const [page, items] of this.pages) {
      const i = items.findIndex((t) => t.id === id);
      if (i >= 0) return page * PAGE_SIZE + i;
    }
    return -1;
  }

  /**
   * Updates loaded tiles in place. Tiles stay where they are even if they no longer match the filter, so the grid
   * does not jump under the curator's hands; the next reload drops them.
   */
  patch(ids: Iterable<number> | 'all', change: Partial<CropTile>): void {
    const set = ids === 'all' ? null : new Set(ids);
    for (const [page, items] of this.pages) {
      let touched = false;
      const next = items.map((t) => {
        if (set && !set.has(t.id)) return t;
        touched = true;
        return { ...t, ...change };
      });
      if (touched) this.pages.set(page, next);
    }
    this.version++;
  }

  /** Reloads the loaded pages holding these ids (after undo or an edit), keeping the others. */
  async refresh(ids: readonly number[]): Promise<void> {
    const want = new Set(ids);
    const pages = [...this.pages].filter(([, items]) => items.some((t) => want.has(t.id))).map(([p]) => p);
    const gen = this.generation;
    await Promise.all(
      pages.map(async (page) => {
        const res = await this.api.reviewList({ ...this.request, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
        if (gen !== this.generation) return;
        // Keep the tiles in place; take the fresh values of those still in this page.
        const fresh = new Map(res.items.map((t) => [t.id, t]));
        const items = this.pages.get(page) ?? [];
        this.pages.set(page, items.map((t) => fresh.get(t.id) ?? (want.has(t.id) ? { ...t } : t)));
      }),
    );
    this.version++;
  }

  /** Sets a tile's fields after an out-of-band refetch (e.g. reviewDetail after undo). */
  replace(tile: CropTile): void {
    const i = this.indexOf(tile.id);
    if (i < 0) return;
    const page = Math.floor(i / PAGE_SIZE);
    const items = [...(this.pages.get(page) ?? [])];
    const old = items[i % PAGE_SIZE]!;
    items[i % PAGE_SIZE] = { ...old, ...pickTile(tile) };
    this.pages.set(page, items);
    this.version++;
  }

  async setStatus(ids: readonly number[] | undefined, status: CropStatus): Promise<{ batch: string | null; changed: number }> {
    if (ids === undefined) {
      const filter = this.request.filter;
      const res = await serial(() => this.api.reviewBulkStatus({ filter, status }));
      this.patch('all', { status });
      return res;
    }
    if (ids.length === 0) return { batch: null, changed: 0 };
    // Shown at once; put back from the server if the change fails.
    this.patch(ids, { status });
    try {
      return await serial(() => this.api.reviewSetStatus({ ids: [...ids], status }));
    } catch (err) {
      await this.refresh(ids).catch(() => undefined);
      throw err;
    }
  }
}

function pickTile(t: CropTile): CropTile {
  return {
    id: t.id,
    imageId: t.imageId,
    url: t.url,
    status: t.status,
    quality: t.quality,
    flags: t.flags,
    age: t.age,
    gender: t.gender,
    split: t.split,
    edited: t.edited,
    estAge: t.estAge,
    estGender: t.estGender,
  };
}
