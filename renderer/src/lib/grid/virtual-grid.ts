/** Pure maths for a fixed-tile virtual grid: only the rows in view (plus overscan) are ever rendered. */

export interface GridGeometry {
  /** Inner width available for tiles, px. */
  width: number;
  tile: number;
  gap: number;
  count: number;
}

export interface GridLayout {
  columns: number;
  rowHeight: number;
  rows: number;
  totalHeight: number;
}

export interface VisibleRange {
  firstRow: number;
  /** Exclusive. */
  endRow: number;
  start: number;
  /** Exclusive. */
  end: number;
  /** Translate of the first rendered row, px. */
  offsetY: number;
}

export function layoutGrid(g: GridGeometry): GridLayout {
  const columns = Math.max(1, Math.floor((g.width + g.gap) / (g.tile + g.gap)));
  const rowHeight = g.tile + g.gap;
  const rows = Math.ceil(Math.max(0, g.count) / columns);
  return { columns, rowHeight, rows, totalHeight: Math.max(0, rows * rowHeight - (rows > 0 ? g.gap : 0)) };
}

export function visibleRange(layout: GridLayout, count: number, scrollTop: number, viewportHeight: number, overscan = 2): VisibleRange {
  if (layout.rows === 0) return { firstRow: 0, endRow: 0, start: 0, end: 0, offsetY: 0 };
  const top = Math.max(0, scrollTop);
  const firstRow = Math.max(0, Math.floor(top / layout.rowHeight) - overscan);
  const endRow = Math.min(layout.rows, Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight) + overscan);
  const start = firstRow * layout.columns;
  const end = Math.min(count, endRow * layout.columns);
  return { firstRow, endRow, start, end, offsetY: firstRow * layout.rowHeight };
}

/** The scrollTop that brings `index` fully into view, or the current one when it already is. */
export function scrollToReveal(layout: GridLayout, index: number, scrollTop: number, viewportHeight: number): number {
  const row = Math.floor(index / layout.columns);
  const top = row * layout.rowHeight;
  const bottom = top + layout.rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export type Direction = 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'pageUp' | 'pageDown';

/** Keyboard movement of the focused tile; stays inside [0, count). `pageRows` is how many rows a page key moves. */
export function moveIndex(index: number, dir: Direction, columns: number, count: number, pageRows = 1): number {
  if (count <= 0) return -1;
  const i = Math.min(Math.max(index, 0), count - 1);
  const clamp = (n: number): number => Math.min(Math.max(n, 0), count - 1);
  switch (dir) {
    case 'left': return clamp(i - 1);
    case 'right': return clamp(i + 1);
    case 'up': return i - columns >= 0 ? i - columns : i;
    case 'down': return i + columns < count ? i + columns : i;
    case 'pageUp': return clamp(i - columns * pageRows);
    case 'pageDown': return clamp(i + columns * pageRows);
    case 'home': return 0;
    case 'end': return count - 1;
  }
}

/** Page numbers (of `pageSize` items) that cover [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

/**
 * Item indices for a fixed pool of `capacity` slots (DOM nodes), in slot order: slot s shows the one index in
 * [start, end) with index % capacity === s, or -1. Scrolling then rewrites a few slots' content instead of creating
 * and moving nodes.
 */
export function slotIndices(start: number, end: number, capacity: number): number[] {
  const out = new Array<number>(capacity);
  const base = start - (start % capacity);
  for (let s = 0; s < capacity; s++) {
    let i = base + s;
    if (i < start) i += capacity;
    out[s] = i < end ? i : -1;
  }
  return out;
}

/** Top-left of item `index`, relative to the grid's content box. */
export function cellPosition(layout: GridLayout, tile: number, gap: number, index: number): [number, number] {
  const col = index % layout.columns;
  const row = Math.floor(index / layout.columns);
  return [col * (tile + gap), row * layout.rowHeight];
}

/**
 * Slots whose content waits for the scroll to slow down: a slot that took a new index while the grid was flinging
 * stays deferred until the fling ends; one that kept its index keeps what it showed. `prev` are the last slots.
 */
export function deferredSlots(prev: readonly number[], prevDeferred: readonly boolean[], next: readonly number[], flinging: boolean): boolean[] {
  if (!flinging) return next.map(() => false);
  return next.map((index, s) => (prev[s] === index ? (prevDeferred[s] ?? false) : index >= 0));
}

/** Above this speed a scroll is a fling: tiles scrolled in show their labels but load no image until it slows down. */
export const FLING_PX_PER_S = 2000;
/** A scroll that has had no event for this long has stopped. */
export const SCROLL_SETTLE_MS = 120;

/** Scroll speed from successive scroll positions, smoothed over about three events. */
export class ScrollSpeed {
  private lastTop = 0;
  private lastTime = -1;
  pxPerSecond = 0;

  update(top: number, now: number): number {
    if (this.lastTime >= 0 && now > this.lastTime) {
      const v = (Math.abs(top - this.lastTop) * 1000) / (now - this.lastTime);
      this.pxPerSecond = this.pxPerSecond === 0 ? v : 0.6 * v + 0.4 * this.pxPerSecond;
    }
    this.lastTop = top;
    this.lastTime = now;
    return this.pxPerSecond;
  }

  reset(): void {
    this.pxPerSecond = 0;
    this.lastTime = -1;
  }
}
