import { describe, expect, it } from 'vitest';
import { CriticProgress } from './train-critic.svelte.js';

describe('CriticProgress', () => {
  it('follows the critic epoch by epoch, in years, and stops being active once the model trains', () => {
    const c = new CriticProgress();
    expect(c.active).toBe(false);
    expect(c.label).toBe('');
    c.update({ runId: 3, epoch: 1, epochs: 24, valMae: 14.237 });
    c.update({ runId: 3, epoch: 2, epochs: 24, valMae: 11.5 });
    expect(c.active).toBe(true);
    expect(c.label).toBe('Age critic: epoch 2/24 · val MAE 11.5 years');
    expect(c.history).toEqual([[1, 14.237], [2, 11.5]]);
    c.finish();
    expect(c.active).toBe(false);
    expect(c.epoch).toBe(2);
  });

  it('starts a new history for another run, and restores from trainStatus after a reload', () => {
    const c = new CriticProgress();
    c.update({ runId: 3, epoch: 5, epochs: 24, valMae: 9 });
    c.update({ runId: 4, epoch: 1, epochs: 24, valMae: 15 });
    expect(c.history).toEqual([[1, 15]]);
    c.reset();
    expect([c.runId, c.epoch, c.valMae, c.active, c.history.length]).toEqual([null, 0, null, false, 0]);
    c.restore(7, { epoch: 12, epochs: 24, valMae: 8.25 });
    expect(c.runId).toBe(7);
    expect(c.label).toBe('Age critic: epoch 12/24 · val MAE 8.25 years');
  });
});
