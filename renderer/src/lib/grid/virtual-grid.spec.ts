import { describe, expect, it } from 'vitest';
import { cellPosition, deferredSlots, FLING_PX_PER_S, layoutGrid, moveIndex, pagesFor, ScrollSpeed, scrollToReveal, slotIndices, visibleRange } from './virtual-grid.js';

describe('virtual grid maths', () => {
  it('fits as many fixed tiles per row as the width allows', () => {
    expect(layoutGrid({ width: 1000, tile: 128, gap: 8, count: 50_000 }).columns).toBe(7);
    expect(layoutGrid({ width: 50, tile: 128, gap: 8, count: 3 }).columns).toBe(1);
    const l = layoutGrid({ width: 1000, tile: 128, gap: 8, count: 50_000 });
    expect(l.rows).toBe(Math.ceil(50_000 / 7));
    expect(l.totalHeight).toBe(l.rows * 136 - 8);
  });

  it('renders only the rows in view plus overscan, even at 50,000 items', () => {
    const l = layoutGrid({ width: 1000, tile: 128, gap: 8, count: 50_000 });
    const r = visibleRange(l, 50_000, 136 * 3000 + 10, 700, 2);
    expect(r.firstRow).toBe(2998);
    expect(r.endRow).toBe(Math.ceil((136 * 3000 + 10 + 700) / 136) + 2);
    expect(r.end - r.start).toBeLessThanOrEqual(7 * 10);
    expect(r.offsetY).toBe(2998 * 136);
  });

  it('clamps the last row to the item count', () => {
    const l = layoutGrid({ width: 1000, tile: 128, gap: 8, count: 10 });
    const r = visibleRange(l, 10, 0, 2000);
    expect(r).toMatchObject({ start: 0, end: 10, firstRow: 0, endRow: 2 });
    expect(visibleRange(layoutGrid({ width: 1000, tile: 128, gap: 8, count: 0 }), 0, 0, 500).end).toBe(0);
  });

  it('scrolls just enough to reveal a tile', () => {
    const l = layoutGrid({ width: 1000, tile: 128, gap: 8, count: 1000 });
    expect(scrollToReveal(l, 0, 500, 400)).toBe(0);
    expect(scrollToReveal(l, 7 * 10, 0, 400)).toBe(11 * 136 - 400);
    expect(scrollToReveal(l, 7 * 2, 200, 400)).toBe(200);
  });

  it('moves focus with arrows inside the grid', () => {
    expect(moveIndex(0, 'left', 7, 20)).toBe(0);
    expect(moveIndex(3, 'down', 7, 20)).toBe(10);
    expect(moveIndex(15, 'down', 7, 20)).toBe(15);
    expect(moveIndex(8, 'up', 7, 20)).toBe(1);
    expect(moveIndex(19, 'right', 7, 20)).toBe(19);
    expect(moveIndex(5, 'end', 7, 20)).toBe(19);
    expect(moveIndex(5, 'pageDown', 7, 20, 3)).toBe(19);
    expect(moveIndex(0, 'right', 7, 0)).toBe(-1);
  });

  it('lists the pages covering a range', () => {
    expect(pagesFor(0, 0, 100)).toEqual([]);
    expect(pagesFor(0, 100, 100)).toEqual([0]);
    expect(pagesFor(95, 205, 100)).toEqual([0, 1, 2]);
  });
});

describe('slot recycling', () => {
  it('gives every index in range exactly one slot, stable as the range slides', () => {
    const a = slotIndices(0, 10, 12);
    expect(a).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1]);
    const b = slotIndices(7, 19, 12);
    expect(b.filter((i) => i >= 0).sort((x, y) => x - y)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    // Indices still in view keep their slot.
    expect(b[7]).toBe(7);
    expect(b[9]).toBe(9);
    expect(b[0]).toBe(12);
    for (const [s, i] of b.entries()) if (i >= 0) expect(i % 12).toBe(s);
  });

  it('places cells by row and column', () => {
    const l = layoutGrid({ width: 1000, tile: 128, gap: 8, count: 100 });
    expect(cellPosition(l, 128, 8, 0)).toEqual([0, 0]);
    expect(cellPosition(l, 128, 8, 8)).toEqual([136, 136]);
  });
});

describe('flings', () => {
  it('defers only the slots that took a new index during a fling, until it ends', () => {
    const before = slotIndices(0, 10, 12);
    const calm = deferredSlots([], [], before, false);
    expect(calm.every((d) => !d)).toBe(true);
    const during = slotIndices(3, 13, 12);
    const d1 = deferredSlots(before, calm, during, true);
    // Slot 0 now shows 12 and slots 10-11 show 10 and 11: new indices wait; 3-9 kept theirs; 1-2 are empty.
    expect(during).toEqual([12, -1, -1, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(d1).toEqual([true, false, false, false, false, false, false, false, false, false, true, true]);
    // Still flinging, nothing moved: the deferred stay deferred.
    expect(deferredSlots(during, d1, during, true)).toEqual(d1);
    // The fling ends: every slot shows its crop.
    expect(deferredSlots(during, d1, during, false).some((d) => d)).toBe(false);
  });

  it('tells a fling from reading speed, and forgets it after a reset', () => {
    const s = new ScrollSpeed();
    let top = 0;
    for (let t = 0; t <= 160; t += 16) s.update((top += 80), t); // 5,000 px/s
    expect(s.pxPerSecond).toBeGreaterThan(FLING_PX_PER_S);
    for (let t = 176; t <= 480; t += 16) s.update((top += 8), t); // 500 px/s
    expect(s.pxPerSecond).toBeLessThan(FLING_PX_PER_S);
    expect(s.pxPerSecond).toBeGreaterThan(400);
    s.reset();
    expect(s.update(top + 5000, 1000)).toBe(0);
  });
});
