import type { Command } from '../command.js';

export interface CommandEntry {
  readonly name: string;
  /** Loaded on use, so that `chronoface stats` never pays for Chromium, TensorFlow.js or face-api. */
  readonly load: () => Promise<Command>;
}

/** Every `chronoface` command, in the order --help lists them. */
export const commands: readonly CommandEntry[] = [
  { name: 'import', load: async () => (await import('./import.js')).importCommand },
  { name: 'stats', load: async () => (await import('./stats.js')).statsCommand },
  { name: 'detect', load: async () => (await import('./detect.js')).detectCommand },
  { name: 'prepare', load: async () => (await import('./prepare.js')).prepareCommand },
  { name: 'fix', load: async () => (await import('./fix.js')).fixCommand },
  { name: 'train', load: async () => (await import('./train.js')).trainCommand },
  { name: 'prototypes', load: async () => (await import('./prototypes.js')).prototypesCommand },
  { name: 'runs', load: async () => (await import('./runs.js')).runsCommand },
  { name: 'age', load: async () => (await import('./age.js')).ageCommand },
  { name: 'eval', load: async () => (await import('./eval.js')).evalCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
];
