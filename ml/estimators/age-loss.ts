import * as tf from '@tensorflow/tfjs';
import type { ExtraLossInputs, ExtraLossTerm } from '../train/extra-loss.js';
import { AGE_SCALE } from '../cvae/cond.js';
import { initBackend } from '../tf/backend.js';
import { AGE_GENDER_INPUT_SIZE } from './age-gender.js';
import { faceApi, faceApiModelDir } from './face-api.js';
import { registerWasmDepthwiseGrad } from './wasm-depthwise-grad.js';
import { CHRONOFACE_FACE_WINDOW } from './framing.js';
import { cropWindow } from './tensors.js';

/**
 * An age loss through face-api's frozen age net, for the trainer's extra-loss hook (TrainConfig.extraLosses:
 * { module: <absolute path of dist/node/ml/estimators/age-loss.js>, weight, options: { minAge, maxAge } }).
 * Each image's z is decoded (training mode) at a random target age in [minAge, maxAge] with its own gender; the term
 * is the mean |estimated age - target| in years, read on the crop's face window (framing.ts), band-limited (options.blur). The net's weights are plain tensors: nothing of it is trained.
 */
export async function createLossTerm(options: Record<string, unknown>, ctx: { imageSize: number }): Promise<ExtraLossTerm> {
  const minAge = typeof options.minAge === 'number' ? options.minAge : 10;
  const maxAge = typeof options.maxAge === 'number' ? options.maxAge : 80;
  // The net reads the face window band-limited to this side (then resized back up): period-2..3 textures that could
  // fool it are averaged away before it sees them.
  const blur = typeof options.blur === 'number' ? options.blur : AGE_GENDER_INPUT_SIZE / 2;
  if (!(maxAge > minAge)) throw new Error(`age loss: maxAge (${maxAge}) must exceed minAge (${minAge})`);
  const api = faceApi();
  await initBackend();
  registerWasmDepthwiseGrad();
  const net = new api.AgeGenderNet();
  await net.loadFromDisk(faceApiModelDir());
  const size = ctx.imageSize;
  return {
    name: 'age',
    compute(a: ExtraLossInputs): tf.Scalar {
      const n = a.z.shape[0];
      const targets = Array.from({ length: n }, () => minAge + a.rng() * (maxAge - minAge));
      const t = tf.tensor1d(targets);
      const gender = tf.slice(a.cond, [0, 1], [n, 1]);
      const cond = tf.concat([tf.reshape(tf.div(t, AGE_SCALE), [n, 1]), gender], 1) as tf.Tensor2D;
      const decoded = a.model.decodeTrain(a.z, cond);
      let pixels = cropWindow(tf.mul(tf.add(decoded, 1), 127.5) as tf.Tensor4D, size, CHRONOFACE_FACE_WINDOW);
      if (blur > 0 && blur < pixels.shape[1]) pixels = areaDownsample(pixels, blur);
      if (pixels.shape[1] !== AGE_GENDER_INPUT_SIZE) pixels = tf.image.resizeBilinear(pixels, [AGE_GENDER_INPUT_SIZE, AGE_GENDER_INPUT_SIZE], false, true);
      const input = new api.NetInput(tf.unstack(pixels) as tf.Tensor3D[], true);
      const { age } = net.forwardInput(input);
      return tf.mean(tf.abs(tf.sub(age, t))) as tf.Scalar;
    },
  };
}

/** Box-filtered downsampling to `side` (bilinear to a multiple of it, then average pooling). */
function areaDownsample(x: tf.Tensor4D, side: number): tf.Tensor4D {
  const k = Math.max(1, Math.floor(x.shape[1] / side));
  const up = x.shape[1] === side * k ? x : tf.image.resizeBilinear(x, [side * k, side * k], false, true);
  return k > 1 ? tf.avgPool(up, k, k, 'valid') : up;
}
