import fs from 'node:fs';
import { startCli } from './cli.js';

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The process's resident-set high-water mark (VmHWM), in MB, as last read before it exited. */
  peakRssMb: number;
  ms: number;
}

function highWaterMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the built CLI, reading its peak RSS from /proc every 10 ms (Linux), and kills it after `timeoutMs`. */
export function runCliMeasured(args: readonly string[], timeoutMs: number): Promise<MeasuredRun> {
  const t0 = performance.now();
  const child = startCli(args);
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = setInterval(() => {
    const mb = highWaterMb(child.pid!);
    if (mb !== undefined) peak = Math.max(peak, mb);
  }, 10);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, peakRssMb: Math.round(peak), ms: Math.round(performance.now() - t0) });
    });
  });
}
