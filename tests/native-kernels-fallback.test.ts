import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

// This file runs as a machine without the addon would: set before any import of the backend (vitest isolates files).
process.env.CHRONOFACE_NATIVE_KERNELS = 'off';
const { initBackend } = await import('../ml/tf/backend.js');
const { nativeKernels } = await import('../ml/tf/native-kernels.js');
const { nativeOnWasm } = await import('../ml/tf/wasm-native-kernels.js');
const { makeCvaeConfig } = await import('../ml/cvae/config.js');
const { createCvae } = await import('../ml/cvae/model.js');
const { computeGradients, makeReplica } = await import('../ml/train/replica.js');

const kernelsDir = path.join(import.meta.dirname, '..', 'native', 'kernels');

describe('training without the native kernels', () => {
  it('the wasm backend says the native kernels are off and why, and a training step runs on the WebAssembly kernels', async () => {
    const info = await initBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(nativeKernels().kernels).toBeNull();
    expect(info.reason).toContain('conv gradients as XNNPACK convolutions; native kernels off (CHRONOFACE_NATIVE_KERNELS=off)');
    expect(nativeOnWasm()).toBe(false);
    const replica = makeReplica(createCvae(makeCvaeConfig({ imageSize: 64 }), 1), 8e-4);
    const n = 2;
    const images = Float32Array.from({ length: n * 64 * 64 * 3 }, (_, i) => Math.sin(i * 0.01));
    const step = computeGradients(replica, { n, images, cond: Float32Array.from([0.3, 0, 0.6, 1]), weights: null, invBatch: 1 / n, beta: 1, noiseSeed: 3 });
    expect(step.grads.length).toBe(replica.sizes.reduce((a, b) => a + b, 0));
    expect(step.grads.some((g) => g !== 0)).toBe(true);
    expect(Number.isFinite(step.rec) && step.rec > 0).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a failed build of the addon leaves the install successful, says why and keeps the log', { timeout: 120_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-kernels-'));
    try {
      for (const f of ['binding.gyp', 'build.cjs', 'index.cjs', 'package.json']) fs.copyFileSync(path.join(kernelsDir, f), path.join(dir, f));
      fs.cpSync(path.join(kernelsDir, 'src'), path.join(dir, 'src'), { recursive: true });
      // A machine whose C++ compiler does not work.
      const env = { ...process.env, CXX: 'false', CC: 'false' };
      // As when run by hand: without npm's settings.
      for (const k of ['CHRONOFACE_NATIVE_KERNELS', 'npm_config_nodedir', 'npm_config_node_gyp']) delete env[k];
      const run = spawnSync(process.execPath, ['build.cjs'], { cwd: dir, env, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/chronoface-kernels: the native training kernels did not build \(Error: `make` failed with exit code: 2\); training will use the WebAssembly kernels\. Log: .*failed\.txt/);
      // It got as far as compiling, against this Node's own headers (no download).
      const log = fs.readFileSync(path.join(dir, 'build', 'failed.txt'), 'utf8');
      expect(log).toMatch(/make: \*\*\* .*Error 1/);
      expect(log).not.toContain('nodejs.org/download');
      expect(fs.existsSync(path.join(dir, 'build', 'Release', 'chronoface_kernels.node'))).toBe(false);
      const load = spawnSync(process.execPath, ['-e', 'require("./index.cjs")'], { cwd: dir, encoding: 'utf8' });
      expect(load.status).not.toBe(0);
      expect(load.stderr).toContain("Cannot find module './build/Release/chronoface_kernels.node'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
