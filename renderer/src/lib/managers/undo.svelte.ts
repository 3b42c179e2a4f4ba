import type { ChronofaceApi } from '../../../../contract/api.js';
import { serial } from './serial.js';

export interface UndoEntry {
  batch: string;
  label: string;
}

/**
 * The review's undo: the catalogue keeps every batch (crop_history), the server reverts the most recent one. This
 * remembers what this session did, to say what an undo will revert and to report what it did.
 */
export class UndoManager {
  history = $state<UndoEntry[]>([]);
  last = $state<string | null>(null);
  busy = $state(false);

  constructor(private readonly api: Pick<ChronofaceApi, 'reviewUndo'>) {}

  record(batch: string | null, label: string): void {
    if (!batch) return;
    this.history = [...this.history.slice(-199), { batch, label }];
  }

  get nextLabel(): string | null {
    return this.history[this.history.length - 1]?.label ?? null;
  }

  private pending = 0;

  /**
   * Reverts the most recent batch; returns the ids it touched (empty when there was nothing to undo). Presses that
   * come while one runs are queued, so U pressed twice undoes two batches.
   */
  undo(): Promise<number[]> {
    this.pending++;
    this.busy = true;
    return serial(() => this.undoOne()).finally(() => {
      if (--this.pending === 0) this.busy = false;
    });
  }

  private async undoOne(): Promise<number[]> {
    const res = await this.api.reviewUndo({});
    if (!res.batch) {
      this.last = 'Nothing to undo';
      return [];
    }
    const i = this.history.findLastIndex((e) => e.batch === res.batch);
    const label = i >= 0 ? this.history[i]!.label : 'an earlier change';
    if (i >= 0) this.history = this.history.filter((_, j) => j !== i);
    this.last = `Undid ${label} (${res.reverted} ${res.reverted === 1 ? 'change' : 'changes'})`;
    return res.ids;
  }
}
