import type { EventOf, ModelPrototypes, RunSummary } from '../../../../contract/api.js';
import { describePrototypes } from '../../../../domain/prototypes.js';

export interface PrototypesNote {
  readonly text: string;
  /** True when the model got the default model's prototypes, or none, because the crops were too few. */
  readonly warning: boolean;
}

/**
 * The age prototypes of finished runs, as `chronoface train` reports them: from a run's train.done as it finishes, and
 * from the run list for runs finished before.
 */
export class RunPrototypes {
  private byRun = $state<Record<number, ModelPrototypes>>({});

  done(e: Pick<EventOf<'train.done'>, 'runId' | 'prototypes'>): void {
    if (e.prototypes) this.byRun = { ...this.byRun, [e.runId]: e.prototypes };
  }

  listed(runs: readonly Pick<RunSummary, 'id' | 'prototypes'>[]): void {
    const next = { ...this.byRun };
    for (const r of runs) if (r.prototypes) next[r.id] = r.prototypes;
    this.byRun = next;
  }

  /** The line to show for a run; null while it runs, or for a run without a model. */
  note(runId: number | null): PrototypesNote | null {
    const p = runId === null ? undefined : this.byRun[runId];
    return p ? { text: describePrototypes(p), warning: p.warning !== null } : null;
  }
}
