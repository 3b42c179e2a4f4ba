import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { makeCond } from '../ml/cvae/cond.js';
import { createCvae } from '../ml/cvae/model.js';
import { loadCvae, readSidecar, saveCvae } from '../ml/cvae/io.js';
import { ageShiftVector } from '../ml/cvae/sidecar.js';
import { Adam } from '../ml/train/adam.js';
import { lossParts } from '../ml/cvae/loss.js';
import { tempDir } from './helpers/env.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = tempDir('cvae-io');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CVAE model', () => {
  it('has the reference layout and parameter count (PyTorch reference: 6,513,027 at 128 px)', () => {
    const m = createCvae(makeCvaeConfig({ imageSize: 128 }), 1);
    expect(m.parameterCount()).toBe(6513027);
    const x = tf.zeros([2, 128, 128, 3]) as tf.Tensor4D;
    const c = makeCond([30, 60], [0, 1]);
    const { mu, logvar } = m.encode(x, c);
    expect(mu.shape).toEqual([2, 256]);
    expect(logvar.shape).toEqual([2, 256]);
    const y = m.decode(mu, c);
    expect(y.shape).toEqual([2, 128, 128, 3]);
    expect(() => m.encode(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D, makeCond([1], [0]))).toThrow(/\[N,128,128,3\]/);
    tf.dispose([x, c, mu, logvar, y]);
    m.dispose();
  });

  it('rejects image sizes other than 64, 128 and 256', () => {
    expect(() => makeCvaeConfig({ imageSize: 96 })).toThrow(/64, 128 or 256, got 96/);
  });

  it('saves and loads (tfjs format + sidecar) with identical outputs after training steps', async () => {
    const config = makeCvaeConfig({ imageSize: 64, preset: 'film' });
    const m = createCvae(config, 5);
    const x = tf.randomUniform([4, 64, 64, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const c = makeCond([10, 30, 50, 70], [0, 1, 1, 0]);
    const vars = m.trainableVariables();
    const adam = new Adam(vars, 1e-3);
    for (let i = 0; i < 2; i++) {
      const eps = tf.randomNormal([4, 256], 0, 1, 'float32', 20 + i) as tf.Tensor2D;
      m.startMoments();
      const { grads } = tf.variableGrads(() => {
        const f = m.forwardTrain(x, c, eps);
        const l = lossParts(x, f.recon, f.mu, f.logvar, 1 / 4, null);
        return tf.add(l.rec, l.kl) as tf.Scalar;
      }, vars);
      const moments = m.stopMoments();
      m.updateMovingStats(moments.map((t) => t.dataSync() as Float32Array));
      adam.apply(vars.map((v) => grads[v.name]!));
      tf.dispose([eps, ...moments, ...Object.values(grads)]);
    }
    m.sidecar = { ...m.sidecar, epoch: 2, ageBins: [{ lo: 0, hi: 10, count: 1, mu: new Array(256).fill(0) }, { lo: 60, hi: 70, count: 1, mu: new Array(256).fill(1) }] };
    const before = m.reconstruct(x, c);
    const out = path.join(dir, 'model');
    await saveCvae(m, out);
    expect(fs.readdirSync(out).sort()).toEqual(['model.json', 'sidecar.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(fs.statSync(path.join(out, 'weights.bin')).size).toBe(4 * m.parameterCount(false));
    const loaded = await loadCvae(out);
    expect(loaded.config).toEqual(config);
    const after = loaded.reconstruct(x, c);
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    expect(readSidecar(out).epoch).toBe(2);
    expect(ageShiftVector(loaded.sidecar, 5, 65)![0]).toBe(1);
    tf.dispose([x, c, before, after]);
    m.dispose();
    loaded.dispose();
    adam.dispose();
  });
});
