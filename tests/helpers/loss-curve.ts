import { makeCvaeConfig } from '../../ml/cvae/config.js';
import { createCvae } from '../../ml/cvae/model.js';
import { mulberry32 } from '../../ml/cvae/rng.js';
import { applyGradients, computeGradients, makeReplica } from '../../ml/train/replica.js';

export interface LossCurve {
  imageSize: number;
  batch: number;
  steps: number;
  rec: number[];
  kl: number[];
}

/** Smooth seeded pictures (sums of a few oriented waves per channel), so the model has something to learn. */
function pictures(n: number, size: number, rand: () => number): Float32Array {
  const out = new Float32Array(n * size * size * 3);
  for (let i = 0; i < n; i++) {
    const waves = Array.from({ length: 9 }, () => ({ fx: rand() * 0.3, fy: rand() * 0.3, ph: rand() * 6.28, a: rand() * 0.3 }));
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          let v = 0;
          for (let k = 0; k < 3; k++) {
            const w = waves[c * 3 + k]!;
            v += w.a * Math.sin(w.fx * x + w.fy * y + w.ph);
          }
          out[((i * size + y) * size + x) * 3 + c] = v;
        }
  }
  return out;
}

/**
 * The learning rate of the recorded curve. At the trainer's 8e-4 the run is chaotic: a float rounding difference of
 * 1e-7 (any change of summation order in a kernel) grows about tenfold every 10 steps and reaches percents by step
 * 100, so no faster kernel could match a curve there. At 2e-4 on one repeated batch, two kernel sets that differ only
 * in rounding stay within 3e-4 over 100 steps (measured), so the comparison can hold them to 1e-3.
 */
export const LOSS_CURVE_LR = 2e-4;

/**
 * The trainer's replica step (forward, loss, backward, Adam) for `steps` steps from seed 1, on the current backend;
 * `fixed` repeats one batch of pictures (the noise seed still changes each step).
 */
export function lossCurve(imageSize: 64 | 128, batch: number, steps: number, lr = 8e-4, fixed = false): LossCurve {
  const replica = makeReplica(createCvae(makeCvaeConfig({ imageSize }), 1), lr);
  const rand = mulberry32(11);
  const first = pictures(batch, imageSize, mulberry32(5));
  const rec: number[] = [];
  const kl: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const cond = new Float32Array(batch * 2);
      for (let i = 0; i < batch; i++) (cond[2 * i] = rand()), (cond[2 * i + 1] = rand() < 0.5 ? 0 : 1);
      const r = computeGradients(replica, { n: batch, images: fixed ? first.slice() : pictures(batch, imageSize, rand), cond, weights: null, invBatch: 1 / batch, beta: 1, noiseSeed: 1000 + s });
      applyGradients(replica, [r.grads], r.moments);
      rec.push(r.rec);
      kl.push(r.kl);
    }
  } finally {
    replica.model.dispose();
  }
  return { imageSize, batch, steps, rec, kl };
}
