import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CLI, REPO_ROOT } from './env.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (non-JSON lines dropped). */
  lines: Record<string, unknown>[];
  /** The last JSON line: the command's result. */
  last: Record<string, unknown>;
}

export function parseJsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      /* a partial line, e.g. after SIGKILL */
    }
  }
  return out;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the built CLI (npm run build:node first) and collects its output. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = parseJsonLines(stdout);
      resolve({ code, stdout, stderr, lines, last: lines[lines.length - 1] ?? {} });
    });
  });
}

/** A preload that stops the CLI right after its first JSON progress line (see the file). */
const STOP_AT_FIRST_PROGRESS = path.join(REPO_ROOT, 'tests/helpers/stop-at-first-progress.cjs');

/**
 * Starts the CLI and SIGKILLs it at its first JSON progress line; resolves with its output and the signal it died of.
 * The CLI stops itself after writing that line, so the kill always lands there, however busy the machine.
 */
export function killAtFirstProgress(args: readonly string[]): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--require', STOP_AT_FIRST_PROGRESS, CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('"type":"progress"')) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, stdout, stderr })));
}
