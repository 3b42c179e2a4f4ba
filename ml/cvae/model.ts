import * as tf from '@tensorflow/tfjs';
import { bottleneckSide, type CvaeConfig } from './config.js';
import { mulberry32 } from './rng.js';
import { BN_EPS, batchNormTrain, dense, leaky, tanh } from './ops.js';
import { emptySidecar, type CvaeSidecar } from './sidecar.js';

export { BN_EPS } from './ops.js';
export const BN_MOMENTUM = 0.1;

export interface ParamSpec {
  name: string;
  shape: number[];
  /** uniform(-b, b) with b = 1/sqrt(fanIn) (PyTorch's default), or a constant. */
  init: { fanIn: number } | { value: number };
  trainable: boolean;
}

/** Every parameter of the network in a fixed order (the order of flat gradient vectors and saved weights). */
export function paramSpecs(c: CvaeConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const side = bottleneckSide(c);
  const last = c.channels[c.channels.length - 1]!;
  const flat = side * side * last;
  const bn = (prefix: string, ch: number): void => {
    specs.push({ name: `${prefix}/gamma`, shape: [ch], init: { value: 1 }, trainable: true });
    specs.push({ name: `${prefix}/beta`, shape: [ch], init: { value: 0 }, trainable: true });
    specs.push({ name: `${prefix}/moving_mean`, shape: [ch], init: { value: 0 }, trainable: false });
    specs.push({ name: `${prefix}/moving_variance`, shape: [ch], init: { value: 1 }, trainable: false });
  };
  let cin = 3;
  c.channels.forEach((ch, i) => {
    specs.push({ name: `enc/conv${i}/kernel`, shape: [3, 3, cin, ch], init: { fanIn: 9 * cin }, trainable: true });
    specs.push({ name: `enc/conv${i}/bias`, shape: [ch], init: { fanIn: 9 * cin }, trainable: true });
    bn(`enc/bn${i}`, ch);
    cin = ch;
  });
  // mu and logvar heads share one matrix: columns [0, latent) are mu, [latent, 2 latent) logvar.
  specs.push({ name: 'enc/head/kernel', shape: [flat + c.condDim, 2 * c.latentDim], init: { fanIn: flat + c.condDim }, trainable: true });
  specs.push({ name: 'enc/head/bias', shape: [2 * c.latentDim], init: { fanIn: flat + c.condDim }, trainable: true });
  specs.push({ name: 'dec/fc/kernel', shape: [c.latentDim + c.condDim, flat], init: { fanIn: c.latentDim + c.condDim }, trainable: true });
  specs.push({ name: 'dec/fc/bias', shape: [flat], init: { fanIn: c.latentDim + c.condDim }, trainable: true });
  const outs = [...c.channels].reverse().slice(1).concat([3]);
  let din = last;
  outs.forEach((ch, i) => {
    // Conv2DTranspose filters are [kh, kw, out, in]; PyTorch's fan-in for them is out*k*k.
    specs.push({ name: `dec/deconv${i}/kernel`, shape: [3, 3, ch, din], init: { fanIn: 9 * ch }, trainable: true });
    specs.push({ name: `dec/deconv${i}/bias`, shape: [ch], init: { fanIn: 9 * ch }, trainable: true });
    if (i < outs.length - 1) {
      bn(`dec/bn${i}`, ch);
      if (c.film) {
        specs.push({ name: `dec/film${i}/kernel`, shape: [c.condDim, 2 * ch], init: { value: 0 }, trainable: true });
        specs.push({ name: `dec/film${i}/bias`, shape: [2 * ch], init: { value: 0 }, trainable: true });
      }
    }
    din = ch;
  });
  return specs;
}

export function initialValues(specs: readonly ParamSpec[], seed: number): Map<string, Float32Array> {
  const rand = mulberry32(seed);
  const out = new Map<string, Float32Array>();
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if ('value' in s.init) v.fill(s.init.value);
    else {
      const b = 1 / Math.sqrt(s.init.fanIn);
      for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * b;
    }
    out.set(s.name, v);
  }
  return out;
}

let instances = 0;

export interface TrainForward {
  recon: tf.Tensor4D;
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
  z: tf.Tensor2D;
}

/** The conditional VAE: parameters as tf.Variables, the forward pass written out (no Layers API). */
export class Cvae {
  readonly specs: ParamSpec[];
  readonly vars = new Map<string, tf.Variable>();
  sidecar: CvaeSidecar;
  /** Filled during training-mode passes: [mean, variance] of each BatchNorm, in spec order, kept for the caller. */
  private moments: tf.Tensor1D[] | null = null;

  constructor(
    readonly config: CvaeConfig,
    values: Map<string, Float32Array>,
  ) {
    this.specs = paramSpecs(config);
    const id = ++instances;
    for (const s of this.specs) {
      const v = values.get(s.name);
      if (!v) throw new Error(`model weights lack "${s.name}"`);
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (v.length !== n) throw new Error(`weight "${s.name}" has ${v.length} values, expected ${n} (${s.shape.join('x')})`);
      this.vars.set(s.name, tf.tidy(() => tf.variable(tf.tensor(v, s.shape, 'float32'), s.trainable, `cvae${id}/${s.name}`)));
    }
    this.sidecar = emptySidecar(config);
  }

  private v(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  trainableVariables(): tf.Variable[] {
    return this.specs.filter((s) => s.trainable).map((s) => this.v(s.name));
  }

  bnNames(): string[] {
    return this.specs.filter((s) => s.name.endsWith('/moving_mean')).map((s) => s.name.slice(0, -'/moving_mean'.length));
  }

  /** BatchNorm, then LeakyReLU when `activate` (fused in training when the native kernels run). */
  private batchNorm(x: tf.Tensor4D, prefix: string, training: boolean, activate: boolean): tf.Tensor4D {
    const gamma = this.v(`${prefix}/gamma`) as tf.Tensor1D;
    const beta = this.v(`${prefix}/beta`) as tf.Tensor1D;
    if (training) return batchNormTrain(x, gamma, beta, this.moments, activate);
    const y = tf.batchNorm4d(x, this.v(`${prefix}/moving_mean`) as tf.Tensor1D, this.v(`${prefix}/moving_variance`) as tf.Tensor1D, beta, gamma, BN_EPS);
    return activate ? leaky(y) : y;
  }

  private encodeWith(images: tf.Tensor4D, cond: tf.Tensor2D, training: boolean): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    let h: tf.Tensor4D = images;
    this.config.channels.forEach((_, i) => {
      const y = tf.fused.conv2d({ x: h, filter: this.v(`enc/conv${i}/kernel`) as tf.Tensor4D, strides: 2, pad: 'same', bias: this.v(`enc/conv${i}/bias`) });
      h = this.batchNorm(y, `enc/bn${i}`, training, true);
    });
    const flat = tf.concat([tf.reshape(h, [h.shape[0], -1]), cond], 1) as tf.Tensor2D;
    const head = dense(flat, this.v('enc/head/kernel') as tf.Tensor2D, this.v('enc/head/bias') as tf.Tensor1D);
    const [mu, logvar] = tf.split(head, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mu, logvar };
  }

  private decodeWith(z: tf.Tensor2D, cond: tf.Tensor2D, training: boolean): tf.Tensor4D {
    const side = bottleneckSide(this.config);
    const n = z.shape[0];
    const fc = dense(tf.concat([z, cond], 1) as tf.Tensor2D, this.v('dec/fc/kernel') as tf.Tensor2D, this.v('dec/fc/bias') as tf.Tensor1D);
    let h = tf.reshape(fc, [n, side, side, this.config.channels[this.config.channels.length - 1]!]) as tf.Tensor4D;
    const blocks = this.config.channels.length;
    for (let i = 0; i < blocks; i++) {
      const kernel = this.v(`dec/deconv${i}/kernel`) as tf.Tensor4D;
      const outC = kernel.shape[2];
      const s = h.shape[1] * 2;
      const y = tf.add(tf.conv2dTranspose(h, kernel, [n, s, s, outC], 2, 'same'), this.v(`dec/deconv${i}/bias`)) as tf.Tensor4D;
      if (i === blocks - 1) return tanh(y);
      if (!this.config.film) {
        h = this.batchNorm(y, `dec/bn${i}`, training, true);
        continue;
      }
      // FiLM: the condition's per-channel scale and shift between the BatchNorm and its LeakyReLU.
      const b = this.batchNorm(y, `dec/bn${i}`, training, false);
      const fp = tf.fused.matMul({ a: cond, b: this.v(`dec/film${i}/kernel`) as tf.Tensor2D, bias: this.v(`dec/film${i}/bias`) });
      const [scale, shift] = tf.split(fp, 2, 1);
      h = leaky(tf.add(tf.mul(b, tf.reshape(tf.add(scale!, 1), [n, 1, 1, outC])), tf.reshape(shift!, [n, 1, 1, outC])) as tf.Tensor4D);
    }
    throw new Error('unreachable');
  }

  /** images: NHWC in [-1,1]; cond: [[age/100, gender]]. Inference mode (BatchNorm moving statistics). */
  encode(images: tf.Tensor4D, cond: tf.Tensor2D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
    this.checkImages(images);
    return tf.tidy(() => this.encodeWith(images, cond, false));
  }

  /** z: [N, latentDim]; returns [N,S,S,3] in [-1,1]. */
  decode(z: tf.Tensor2D, cond: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => this.decodeWith(z, cond, false));
  }

  reconstruct(images: tf.Tensor4D, cond: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => this.decodeWith(this.encodeWith(images, cond, false).mu, cond, false));
  }

  /** Training-mode pass: batch statistics, z = mu + eps * exp(logvar / 2). */
  forwardTrain(images: tf.Tensor4D, cond: tf.Tensor2D, eps: tf.Tensor2D): TrainForward {
    this.checkImages(images);
    const { mu, logvar } = this.encodeWith(images, cond, true);
    const z = tf.add(mu, tf.mul(eps, tf.exp(tf.mul(logvar, 0.5)))) as tf.Tensor2D;
    return { recon: this.decodeWith(z, cond, true), mu, logvar, z };
  }

  /** Decoder in training mode, for extra loss terms that decode the same z at another age. */
  decodeTrain(z: tf.Tensor2D, cond: tf.Tensor2D): tf.Tensor4D {
    return this.decodeWith(z, cond, true);
  }

  /** Starts collecting BatchNorm batch moments of training-mode passes; returns them with stopMoments(). */
  startMoments(): void {
    this.moments = [];
  }

  stopMoments(): tf.Tensor1D[] {
    const m = this.moments ?? [];
    this.moments = null;
    return m;
  }

  /** Moving statistics update from batch moments [mean0, var0, mean1, var1, ...] (bnNames order). */
  updateMovingStats(moments: readonly Float32Array[]): void {
    const names = this.bnNames();
    if (moments.length < names.length * 2) return;
    tf.tidy(() => {
      names.forEach((p, i) => {
        const mm = this.v(`${p}/moving_mean`);
        const mv = this.v(`${p}/moving_variance`);
        mm.assign(tf.add(tf.mul(mm, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(moments[2 * i]!), BN_MOMENTUM)));
        mv.assign(tf.add(tf.mul(mv, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(moments[2 * i + 1]!), BN_MOMENTUM)));
      });
    });
  }

  /** Current values of every parameter (spec order). */
  readValues(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const s of this.specs) out.set(s.name, this.v(s.name).dataSync() as Float32Array);
    return out;
  }

  setValues(values: Map<string, Float32Array>): void {
    tf.tidy(() => {
      for (const s of this.specs) {
        const v = values.get(s.name);
        if (v) this.v(s.name).assign(tf.tensor(v, s.shape, 'float32'));
      }
    });
  }

  parameterCount(trainableOnly = true): number {
    return this.specs.filter((s) => !trainableOnly || s.trainable).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  }

  private checkImages(images: tf.Tensor4D): void {
    const s = this.config.imageSize;
    if (images.rank !== 4 || images.shape[1] !== s || images.shape[2] !== s || images.shape[3] !== 3) {
      throw new Error(`images must be [N,${s},${s},3], got [${images.shape.join(',')}]`);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

export function createCvae(config: CvaeConfig, seed: number): Cvae {
  return new Cvae(config, initialValues(paramSpecs(config), seed));
}
