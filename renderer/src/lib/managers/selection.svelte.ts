import { SvelteSet } from 'svelte/reactivity';

export interface ClickModifiers {
  shift?: boolean;
  ctrl?: boolean;
}

/**
 * Selection of grid items by id, with a focused index and a range anchor.
 * `all` means "everything the current filter shows" (Ctrl+A), so bulk actions can run on the server without loading
 * 50,000 ids into the page; `excluded` then holds the ids taken out of it.
 */
export class SelectionManager {
  focus = $state(-1);
  anchor = $state(-1);
  all = $state(false);
  readonly ids = new SvelteSet<number>();
  readonly excluded = new SvelteSet<number>();

  /** How many items are selected, given how many the filter shows. */
  count(total: number): number {
    return this.all ? Math.max(0, total - this.excluded.size) : this.ids.size;
  }

  has(id: number): boolean {
    return this.all ? !this.excluded.has(id) : this.ids.has(id);
  }

  get empty(): boolean {
    return !this.all && this.ids.size === 0;
  }

  clear(): void {
    this.all = false;
    this.ids.clear();
    this.excluded.clear();
  }

  selectAll(): void {
    this.ids.clear();
    this.excluded.clear();
    this.all = true;
  }

  toggle(id: number): void {
    if (this.all) {
      if (this.excluded.has(id)) this.excluded.delete(id);
      else this.excluded.add(id);
      return;
    }
    if (this.ids.has(id)) this.ids.delete(id);
    else this.ids.add(id);
  }

  /**
   * A click on item `index` (id `id`). Plain click: focus it and select only it. Ctrl: toggle it. Shift: select the
   * range from the anchor; `rangeIds` gives the ids of the items in [from, to] (inclusive, in display order).
   */
  click(index: number, id: number, mods: ClickModifiers, rangeIds: (from: number, to: number) => readonly number[]): void {
    if (mods.shift && this.anchor >= 0) {
      const [from, to] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      if (!mods.ctrl) this.clear();
      for (const rid of rangeIds(from, to)) this.add(rid);
      this.focus = index;
      return;
    }
    if (mods.ctrl) {
      this.toggle(id);
    } else {
      this.clear();
      this.ids.add(id);
    }
    this.focus = index;
    this.anchor = index;
  }

  /** Keyboard move: plain moves focus (and the single selection); extending grows the range from the anchor. */
  moveTo(index: number, id: number | undefined, extend: boolean, rangeIds: (from: number, to: number) => readonly number[]): void {
    if (index < 0) return;
    if (extend) {
      if (this.anchor < 0) this.anchor = this.focus >= 0 ? this.focus : index;
      const [from, to] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      this.clear();
      for (const rid of rangeIds(from, to)) this.ids.add(rid);
    } else {
      this.anchor = index;
      if (!this.all) {
        this.ids.clear();
        if (id !== undefined) this.ids.add(id);
      }
    }
    this.focus = index;
  }

  /** The ids an action applies to: the selection, or else the focused item. `undefined` means "all shown". */
  targets(focusedId: number | undefined): number[] | undefined {
    if (this.all) return undefined;
    if (this.ids.size > 0) return [...this.ids];
    return focusedId === undefined ? [] : [focusedId];
  }

  private add(id: number): void {
    if (this.all) this.excluded.delete(id);
    else this.ids.add(id);
  }
}
