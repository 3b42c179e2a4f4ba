import * as tf from '@tensorflow/tfjs';

export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** Adam as in PyTorch (betas 0.9/0.999, eps 1e-8, bias-corrected), with state that can be saved and restored. */
export class Adam {
  private t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Per-parameter learning-rate multipliers (default 1). */
  private scales: number[];

  constructor(
    private readonly params: readonly tf.Variable[],
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.scales = params.map(() => 1);
  }

  setLrScales(scales: readonly number[]): void {
    if (scales.length !== this.params.length) throw new Error(`${scales.length} learning-rate scales for ${this.params.length} parameters`);
    this.scales = [...scales];
  }

  get step(): number {
    return this.t;
  }

  /** grads in the same order as params. */
  apply(grads: readonly tf.Tensor[]): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = Math.sqrt(1 - this.beta2 ** this.t);
    // p -= lr/bc1 * m / (sqrt(v)/bc2 + eps)  ==  p -= (lr*bc2/bc1) * m / (sqrt(v) + eps*bc2): fewer passes.
    const stepSize = (this.lr * bc2) / bc1;
    const epsHat = this.eps * bc2;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        const m = this.m[i]!;
        const v = this.v[i]!;
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(p, tf.div(tf.mul(m1, stepSize * this.scales[i]!), tf.add(tf.sqrt(v1), epsHat))));
      });
    });
  }

  getState(): AdamState {
    return { step: this.t, m: this.m.map((x) => x.dataSync() as Float32Array), v: this.v.map((x) => x.dataSync() as Float32Array) };
  }

  setState(s: AdamState): void {
    if (s.m.length !== this.m.length || s.v.length !== this.v.length) throw new Error('optimizer state does not match the model');
    this.t = s.step;
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(s.m[i]!, x.shape)));
      this.v.forEach((x, i) => x.assign(tf.tensor(s.v[i]!, x.shape)));
    });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
