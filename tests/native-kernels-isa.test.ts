import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const check = path.join(import.meta.dirname, 'helpers', 'native-isa-check.cjs');
const KERNELS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'matmul', 'broadcast', 'sumRows', 'batchNormForward', 'batchNormBackward', 'adam'];

// The addon picks its instruction set once per process, so each one is checked in a process of its own. On x64 Linux
// with a compiler (this machine, CI) the addon is built at install; CHRONOFACE_NATIVE_KERNELS=off skips it.
describe.runIf(process.env.CHRONOFACE_NATIVE_KERNELS !== 'off')('native kernels on each instruction set', () => {
  it.each(['avx512', 'avx2', 'generic'])('%s kernels equal double-precision loops within 1e-5', (isa) => {
    const run = spawnSync(process.execPath, [check], { env: { ...process.env, CHRONOFACE_NATIVE_ISA: isa }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(run.stdout) as { isa: string; errors: Record<string, number> };
    // A CPU without AVX-512 runs the AVX2 kernels when AVX-512 is asked for (nothing forces a missing instruction set).
    if (isa !== 'avx512') expect(got.isa).toBe(isa);
    expect(Object.keys(got.errors).sort()).toEqual([...KERNELS].sort());
    for (const [kernel, e] of Object.entries(got.errors)) expect(e, `${got.isa} ${kernel}`).toBeLessThan(1e-5);
  });
});
