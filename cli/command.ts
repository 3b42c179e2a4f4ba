import type { OptionSpecs, ParsedValue } from './args.js';
import type { Output } from './output.js';

export interface CommandContext {
  /** Resolved data directory (--data-dir, CHRONOFACE_DATA_DIR, else the app's userData folder). */
  readonly dataDir: string;
  readonly options: Record<string, ParsedValue>;
  readonly positionals: string[];
  readonly out: Output;
  /** Aborted on SIGINT/SIGTERM so long commands can stop cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** e.g. "chronoface import [--format F] PATH" */
  readonly usage: string;
  readonly options: OptionSpecs;
  /** Returns the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export function stringOpt(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberOpt(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.options[name];
  return typeof v === 'number' ? v : undefined;
}

export function boolOpt(ctx: CommandContext, name: string): boolean {
  return ctx.options[name] === true;
}

export function listOpt(ctx: CommandContext, name: string): string[] | undefined {
  const v = ctx.options[name];
  return Array.isArray(v) ? v : undefined;
}
