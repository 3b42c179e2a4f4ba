import type { EventOf } from '../../../../contract/api.js';
import { formatNumber } from './format.js';

/**
 * Progress of the age critic, which trains before the first epoch when the age loss is on (1-6 minutes of a run that
 * otherwise shows nothing yet).
 */
export class CriticProgress {
  runId = $state<number | null>(null);
  epoch = $state(0);
  epochs = $state(0);
  valMae = $state<number | null>(null);
  /** Validation MAE per critic epoch, for the chart. */
  history = $state<[number, number][]>([]);

  /** True from the first critic epoch until the run's first step or its end. */
  active = $state(false);

  readonly label = $derived(
    this.epochs > 0 ? `Age critic: epoch ${this.epoch}/${this.epochs}${this.valMae !== null ? ` · val MAE ${formatNumber(this.valMae, 3)} years` : ''}` : '',
  );

  update(e: Pick<EventOf<'train.critic'>, 'runId' | 'epoch' | 'epochs' | 'valMae'>): void {
    if (this.runId !== e.runId) {
      this.history = [];
      this.runId = e.runId;
    }
    this.epoch = e.epoch;
    this.epochs = e.epochs;
    this.valMae = e.valMae;
    this.history = [...this.history.filter(([x]) => x !== e.epoch), [e.epoch, e.valMae]];
    this.active = true;
  }

  /** From trainStatus after a reload: the critic's last reported epoch. */
  restore(runId: number, c: { epoch: number; epochs: number; valMae: number }): void {
    this.update({ runId, ...c });
  }

  /** The critic is done (the VAE's first step arrived) or the run ended; the figures stay for the record. */
  finish(): void {
    this.active = false;
  }

  reset(): void {
    this.runId = null;
    this.epoch = 0;
    this.epochs = 0;
    this.valMae = null;
    this.history = [];
    this.active = false;
  }
}
