import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { nativeKernels } from '../ml/tf/native-kernels.js';
import { setNativeKernelsEnabled } from '../ml/tf/wasm-native-kernels.js';
import { LOSS_CURVE_LR, lossCurve, type LossCurve } from './helpers/loss-curve.js';

// Recorded with the wasm kernels of 2026-12-07 (before the training-speed work) by tests/helpers/record-loss-curve.ts.
const recorded = JSON.parse(fs.readFileSync(new URL('./fixtures/loss-curve-64.json', import.meta.url), 'utf8')) as LossCurve;

function maxRel(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(b[i]!)));
}

function checkCurve(): void {
  const got = lossCurve(64, recorded.batch, recorded.steps, LOSS_CURVE_LR, true);
  expect(got.rec).toHaveLength(100);
  // The curve must be a real descent, not a constant: the reconstruction error falls by more than half.
  expect(got.rec[99]!).toBeLessThan(got.rec[0]! / 2);
  const total = (c: LossCurve): number[] => c.rec.map((r, i) => r + c.kl[i]!);
  expect(maxRel(total(got), total(recorded))).toBeLessThan(1e-3);
  expect(maxRel(got.rec, recorded.rec)).toBeLessThan(1e-3);
}

describe('training kernels keep the loss curve', () => {
  it('the same seed gives the recorded 100-step loss curve (rec + KL, and rec) within 1e-3 relative on wasm with the native kernels', { timeout: 120_000 }, async () => {
    const info = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // On x64 Linux with a compiler (this machine, CI) the addon is built at install; CHRONOFACE_NATIVE_KERNELS=off skips it.
    if (process.env.CHRONOFACE_NATIVE_KERNELS !== 'off') {
      expect(nativeKernels().kernels, nativeKernels().reason).not.toBeNull();
      expect(info.reason).toMatch(/native (avx512|avx2|generic) kernels/);
    }
    checkCurve();
  });

  it('the same curve with the WebAssembly kernels alone (the path when the addon is not built)', { timeout: 120_000 }, async () => {
    await initBackend('wasm');
    setNativeKernelsEnabled(false);
    try {
      checkCurve();
    } finally {
      setNativeKernelsEnabled(true);
    }
  });
});
