import { describe, expect, it } from 'vitest';
import { RunPrototypes } from './run-prototypes.svelte.js';

const SHORT = 'too few crops with landmarks to fit age prototypes (at least 20 per gender and age range): male 0-9: 0 crops';

describe('RunPrototypes', () => {
  it("shows a finished run's fallback warning from its train.done, and the fitted count otherwise", () => {
    const p = new RunPrototypes();
    expect(p.note(4)).toBeNull();
    p.done({ runId: 4, prototypes: { source: 'default', crops: 3600, warning: `${SHORT}: using the default model's age prototypes instead` } });
    expect(p.note(4)).toEqual({ text: `${SHORT}: using the default model's age prototypes instead`, warning: true });
    p.done({ runId: 5, prototypes: { source: 'catalogue', crops: 812, warning: null } });
    expect(p.note(5)).toEqual({ text: 'age prototypes fitted to 812 crops', warning: false });
    p.done({ runId: 6, prototypes: null });
    expect(p.note(6)).toBeNull();
    expect(p.note(null)).toBeNull();
  });

  it('keeps what the run list stored, beside what events reported', () => {
    const p = new RunPrototypes();
    p.done({ runId: 9, prototypes: { source: 'none', crops: 0, warning: 'the default model has none to lend either' } });
    p.listed([
      { id: 2, prototypes: { source: 'default', crops: 3600, warning: 'short ranges' } },
      { id: 3, prototypes: null },
    ]);
    expect(p.note(2)).toEqual({ text: 'short ranges', warning: true });
    expect(p.note(3)).toBeNull();
    expect(p.note(9)).toEqual({ text: 'the default model has none to lend either', warning: true });
  });
});
