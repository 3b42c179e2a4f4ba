import type { Command } from '../command.js';
import { importCommand } from './import.js';
import { statsCommand } from './stats.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';
import { runsCommand } from './runs.js';
import { detectCommand } from './detect.js';
import { prepareCommand } from './prepare.js';
import { fixCommand } from './fix.js';
import { ageCommand } from './age.js';
import { evalCommand } from './eval.js';

/** Every `chronoface` command, in the order --help lists them. Add one import and one entry per command. */
export const commands: readonly Command[] = [
  importCommand,
  statsCommand,
  serveCommand,
  trainCommand,
  runsCommand,
  detectCommand,
  prepareCommand,
  fixCommand,
  ageCommand,
  evalCommand,
];
