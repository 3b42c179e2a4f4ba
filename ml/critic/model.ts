import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemIO } from '../tf/file-io.js';
import { mulberry32 } from '../cvae/rng.js';

/**
 * A small age regressor ("critic") trained on the same crops as the CVAE, used only as a training signal: the CVAE's
 * age loss asks it how old a decode looks. It reads the crop average-pooled to 64 px, which also cancels the
 * period-2 checkerboards a decoder could otherwise grow to fool it.
 */
export const CRITIC_INPUT = 64;
export const CRITIC_CHANNELS = [32, 64, 128, 256] as const;
export const CRITIC_FORMAT = 'chronoface-age-critic';
const AGE_MID = 45;
const AGE_SPREAD = 25;
const LEAK = 0.2;

interface Spec {
  name: string;
  shape: number[];
  fanIn: number;
}

function specs(): Spec[] {
  const out: Spec[] = [];
  let cin = 3;
  CRITIC_CHANNELS.forEach((ch, i) => {
    out.push({ name: `conv${i}/kernel`, shape: [3, 3, cin, ch], fanIn: 9 * cin });
    out.push({ name: `conv${i}/bias`, shape: [ch], fanIn: 0 });
    cin = ch;
  });
  out.push({ name: 'head/kernel', shape: [cin, 1], fanIn: cin });
  out.push({ name: 'head/bias', shape: [1], fanIn: 0 });
  return out;
}

export type CriticValues = Map<string, Float32Array>;

/** He-uniform kernels, zero biases. */
export function initCriticValues(seed: number): CriticValues {
  const rand = mulberry32(seed);
  const values: CriticValues = new Map();
  for (const s of specs()) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (s.fanIn > 0) {
      const b = Math.sqrt(6 / s.fanIn);
      for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * b;
    }
    values.set(s.name, v);
  }
  return values;
}

export class AgeCritic {
  readonly params = new Map<string, tf.Tensor>();

  constructor(values: CriticValues, trainable: boolean) {
    for (const s of specs()) {
      const v = values.get(s.name);
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (!v || v.length !== n) throw new Error(`age critic weight "${s.name}" is missing or has the wrong size`);
      const t = tf.tensor(v, s.shape, 'float32');
      this.params.set(s.name, trainable ? tf.variable(t, true) : t);
      if (trainable) t.dispose();
    }
  }

  private p<T extends tf.Tensor>(name: string): T {
    return this.params.get(name) as T;
  }

  variables(): tf.Variable[] {
    return [...this.params.values()].filter((t): t is tf.Variable => t instanceof tf.Variable);
  }

  /** images: NHWC in [-1, 1], any square side that is a multiple of 64. Returns ages in years. */
  predict(images: tf.Tensor4D): tf.Tensor1D {
    const side = images.shape[1];
    if (side % CRITIC_INPUT !== 0 || images.shape[2] !== side) throw new Error(`the age critic needs square images whose side is a multiple of ${CRITIC_INPUT}, got ${images.shape.slice(1, 3).join('x')}`);
    const k = side / CRITIC_INPUT;
    let h: tf.Tensor4D = k > 1 ? tf.avgPool(images, k, k, 'valid') : images;
    CRITIC_CHANNELS.forEach((_, i) => {
      h = tf.leakyRelu(tf.add(tf.conv2d(h, this.p<tf.Tensor4D>(`conv${i}/kernel`), 2, 'same'), this.p(`conv${i}/bias`)), LEAK) as tf.Tensor4D;
    });
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const y = tf.add(tf.matMul(pooled, this.p<tf.Tensor2D>('head/kernel')), this.p('head/bias'));
    return tf.add(tf.mul(tf.reshape(y, [-1]), AGE_SPREAD), AGE_MID) as tf.Tensor1D;
  }

  readValues(): CriticValues {
    const out: CriticValues = new Map();
    for (const [name, t] of this.params) out.set(name, t.dataSync() as Float32Array);
    return out;
  }

  dispose(): void {
    tf.dispose([...this.params.values()]);
    this.params.clear();
  }
}

export interface CriticInfo {
  trainImages: number;
  valImages: number;
  valMae: number;
  epochs: number;
  seconds: number;
}

export async function saveCritic(dir: string, values: CriticValues, info: CriticInfo): Promise<void> {
  const all = specs();
  const data = new Float32Array(all.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0));
  let off = 0;
  for (const s of all) {
    data.set(values.get(s.name)!, off);
    off += values.get(s.name)!.length;
  }
  await fileSystemIO(dir).save({
    format: CRITIC_FORMAT,
    generatedBy: 'chronoface',
    convertedBy: null,
    modelTopology: { input: CRITIC_INPUT, channels: CRITIC_CHANNELS, info },
    weightSpecs: all.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' as const })),
    weightData: data.buffer as ArrayBuffer,
  });
}

export function hasCritic(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json'));
}

export async function loadCriticValues(dir: string): Promise<{ values: CriticValues; info: CriticInfo }> {
  if (!hasCritic(dir)) throw new Error(`no age critic in ${dir}`);
  const a = await fileSystemIO(dir).load();
  if (a.format !== CRITIC_FORMAT) throw new Error(`${dir} does not hold an age critic (format "${String(a.format)}")`);
  const buf = a.weightData as ArrayBuffer;
  const values: CriticValues = new Map();
  let off = 0;
  for (const s of a.weightSpecs ?? []) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    values.set(s.name, new Float32Array(buf.slice(off, off + n * 4)));
    off += n * 4;
  }
  return { values, info: (a.modelTopology as { info: CriticInfo }).info };
}
