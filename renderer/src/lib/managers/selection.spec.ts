import { describe, expect, it } from 'vitest';
import { SelectionManager } from './selection.svelte.js';

const ids = [100, 101, 102, 103, 104, 105, 106, 107];
const range = (a: number, b: number) => ids.slice(a, b + 1);

describe('SelectionManager', () => {
  it('plain click selects one and sets the anchor', () => {
    const s = new SelectionManager();
    s.click(2, 102, {}, range);
    expect([...s.ids]).toEqual([102]);
    expect(s.focus).toBe(2);
    expect(s.anchor).toBe(2);
  });

  it('shift+click selects the range from the anchor, either direction', () => {
    const s = new SelectionManager();
    s.click(5, 105, {}, range);
    s.click(2, 102, { shift: true }, range);
    expect([...s.ids].sort()).toEqual([102, 103, 104, 105]);
    s.click(7, 107, { shift: true }, range);
    expect([...s.ids].sort()).toEqual([105, 106, 107]);
    expect(s.anchor).toBe(5);
  });

  it('ctrl+click toggles without losing the rest', () => {
    const s = new SelectionManager();
    s.click(1, 101, {}, range);
    s.click(3, 103, { ctrl: true }, range);
    expect(s.count(8)).toBe(2);
    s.click(1, 101, { ctrl: true }, range);
    expect([...s.ids]).toEqual([103]);
  });

  it('select all means everything the filter shows, minus exclusions', () => {
    const s = new SelectionManager();
    s.click(1, 101, {}, range);
    s.selectAll();
    expect(s.count(50_000)).toBe(50_000);
    expect(s.targets(101)).toBeUndefined();
    s.toggle(104);
    expect(s.has(104)).toBe(false);
    expect(s.has(105)).toBe(true);
    expect(s.count(50_000)).toBe(49_999);
    s.clear();
    expect(s.empty).toBe(true);
  });

  it('targets the focused item when nothing is selected', () => {
    const s = new SelectionManager();
    expect(s.targets(7)).toEqual([7]);
    expect(s.targets(undefined)).toEqual([]);
  });

  it('keyboard extend grows from the anchor', () => {
    const s = new SelectionManager();
    s.moveTo(3, 103, false, range);
    s.moveTo(4, 104, true, range);
    s.moveTo(5, 105, true, range);
    expect([...s.ids].sort()).toEqual([103, 104, 105]);
    s.moveTo(2, 102, true, range);
    expect([...s.ids].sort()).toEqual([102, 103]);
    s.moveTo(6, 106, false, range);
    expect([...s.ids]).toEqual([106]);
  });
});
