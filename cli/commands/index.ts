import type { Command } from '../command.js';

/** Every `chronoface` command, in the order --help lists them. Add one import and one entry per command. */
export const commands: readonly Command[] = [
];
