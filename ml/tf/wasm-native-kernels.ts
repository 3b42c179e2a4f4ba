import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { nativeKernels, type ConvKernels, type NativeStatus } from './native-kernels.js';
import { heapView, type WasmBackendLike } from './values.js';
import { geometry, override, type ConvGeometry, type KernelFn } from './wasm-kernels.js';

/**
 * The native addon's kernels registered on the wasm backend: Conv2D, FusedConv2D (bias only), both convolution
 * gradients, BatchMatMul, Add / Multiply by a value per channel or per image, and Sum over every axis but the last.
 * They read their inputs and write their outputs straight in the wasm heap, so nothing is copied. Each falls back to
 * the kernel it replaced for what the addon does not do (NCHW, a fused activation, other broadcasts, non-float data)
 * and while the native kernels are switched off. Two kernels of our own, training-mode BatchNorm + LeakyReLU forward
 * and backward, exist only here: batchNormTrain (ml/cvae/ops.ts) uses them when nativeOnWasm() says so.
 */

let enabled = true;

/** Switches the native kernels off (and on again) in this thread: the wasm kernels run instead. For tests and benches. */
export function setNativeKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The native kernels when they are loaded and switched on. */
export function activeNativeKernels(): ConvKernels | null {
  return enabled ? nativeKernels().kernels : null;
}

function dims(g: ConvGeometry): Int32Array {
  return Int32Array.from([g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.kH, g.kW, g.sH, g.sW, g.padTop, g.padLeft, g.dH, g.dW]);
}

const floats = (...ts: (TensorInfo | undefined)[]): boolean => ts.every((t) => !t || t.dtype === 'float32');
const nhwc = (format: unknown): boolean => format === undefined || format === 'NHWC' || format === 'channelsLast';
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

type Args = Parameters<KernelFn>[0];

/** Allocates the outputs, then takes the heap views (an allocation can move the heap) and runs `fill` on them. */
function runMany(args: Args, outShapes: number[][], ins: TensorInfo[], fill: (views: Float32Array[], outs: Float32Array[]) => void): TensorInfo[] {
  const b = args.backend as WasmBackendLike;
  const outs = outShapes.map((shape) => b.makeOutput(shape, 'float32'));
  fill(
    ins.map((t) => heapView(b, t, size(t.shape))),
    outs.map((t) => heapView(b, t, size(t.shape))),
  );
  return outs;
}

function run(args: Args, outShape: number[], ins: TensorInfo[], fill: (views: Float32Array[], out: Float32Array) => void): TensorInfo {
  return runMany(args, [outShape], ins, (views, [out]) => fill(views, out!))[0]!;
}

function conv2D(orig: KernelFn): KernelFn {
  return (args) => {
    const k = activeNativeKernels();
    const { x, filter, bias, preluActivationWeights } = args.inputs as NamedTensorInfoMap & { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs ?? {};
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    const biasOk = !bias || size(bias.shape) === filter.shape[3];
    if (!k || !nhwc(attrs.dataFormat) || activation !== 'linear' || preluActivationWeights || !biasOk || !floats(x, filter, bias)) return orig(args);
    const g = geometry(x.shape, filter.shape, attrs);
    const ins = bias ? [x, filter, bias] : [x, filter];
    return run(args, [g.batch, g.outH, g.outW, g.outC], ins, ([xv, fv, bv], y) => k.conv2d(xv!, fv!, bv ?? null, y, dims(g)));
  };
}

function conv2DBackpropInput(orig: KernelFn): KernelFn {
  return (args) => {
    const k = activeNativeKernels();
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs ?? {};
    if (!k || !nhwc(attrs.dataFormat) || !floats(dy, filter)) return orig(args);
    const inputShape = attrs.inputShape as number[];
    const g = geometry(inputShape, filter.shape, attrs);
    return run(args, inputShape, [dy, filter], ([dyv, fv], dx) => k.conv2dBackpropInput(dyv!, fv!, dx, dims(g)));
  };
}

function conv2DBackpropFilter(orig: KernelFn): KernelFn {
  return (args) => {
    const k = activeNativeKernels();
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs ?? {};
    if (!k || !nhwc(attrs.dataFormat) || !floats(x, dy)) return orig(args);
    const filterShape = attrs.filterShape as number[];
    const g = geometry(x.shape, filterShape, attrs);
    return run(args, filterShape, [x, dy], ([xv, dyv], dw) => k.conv2dBackpropFilter(xv!, dyv!, dw, dims(g)));
  };
}

function batchMatMul(orig: KernelFn): KernelFn {
  return (args) => {
    const k = activeNativeKernels();
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs ?? {};
    const ta = Boolean(attrs.transposeA);
    const tb = Boolean(attrs.transposeB);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batch = size(a.shape.slice(0, -2));
    // Broadcast batches (one side's batch 1, the other's not) stay with the wasm kernel.
    if (!k || !floats(a, b) || ra < 2 || rb < 2 || batch !== size(b.shape.slice(0, -2))) return orig(args);
    const m = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const kk = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outShape = [...a.shape.slice(0, -2), m, n];
    return run(args, outShape, [a, b], ([av, bv], c) => k.matmul(av!, bv!, c, batch, m, n, kk, ta, tb));
  };
}

/** How `small` broadcasts onto `big`: one value per channel ([C] or [1, ..., 1, C]), per image ([N, 1, ..., 1]), or neither. */
function broadcastKind(big: number[], small: number[]): 'channel' | 'row' | null {
  if (big.length < 2 || size(big) <= size(small)) return null;
  const c = big[big.length - 1]!;
  if (small.length >= 1 && small.length <= big.length && small[small.length - 1] === c && size(small) === c) return 'channel';
  if (small.length === big.length && small[0] === big[0] && size(small) === big[0]) return 'row';
  return null;
}

/**
 * Add and Multiply of a tensor by a value per channel (biases, BatchNorm-like scales) or per image (the loss's
 * per-image sums broadcast back): the stock kernels' broadcasting loops took 4-5 ms a step on a 128 px batch.
 */
function broadcastBinary(op: 0 | 1): (orig: KernelFn) => KernelFn {
  return (orig) => (args) => {
    const k = activeNativeKernels();
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!k || !floats(a, b)) return orig(args);
    const kindA = broadcastKind(a.shape, b.shape);
    const kindB = kindA ? null : broadcastKind(b.shape, a.shape);
    const kind = kindA ?? kindB;
    if (!kind) return orig(args);
    const [x, v] = kindA ? [a, b] : [b, a];
    const rows = kind === 'row' ? x.shape[0]! : size(x.shape) / x.shape[x.shape.length - 1]!;
    return run(args, x.shape, [x, v], ([xv, vv], out) => k.broadcast(xv!, vv!, out, rows, size(x.shape) / rows, op, kind === 'row'));
  };
}

/** The sum over every axis but the last (bias gradients): the stock kernel transposes the whole tensor first. */
function sum(orig: KernelFn): KernelFn {
  return (args) => {
    const k = activeNativeKernels();
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs ?? {};
    const r = x.shape.length;
    const axes = ([] as number[]).concat(attrs.axis as number | number[]).map((ax) => (ax < 0 ? ax + r : ax));
    const leading = r >= 2 && axes.length === r - 1 && [...axes].sort((p, q) => p - q).every((ax, i) => ax === i);
    if (!k || !floats(x) || !leading) return orig(args);
    const c = x.shape[r - 1]!;
    const outShape = attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), c] : [c];
    return run(args, outShape, [x], ([xv], out) => k.sumRows(xv!, out, size(x.shape) / c, c));
  };
}

export const BATCH_NORM_TRAIN = 'ChronofaceBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'ChronofaceBatchNormTrainGrad';

function loaded(): ConvKernels {
  const k = activeNativeKernels();
  if (!k) throw new Error('the native kernels are not loaded or are switched off');
  return k;
}

/** inputs x (NHWC), gamma, beta; attrs eps, leak (1: no activation) -> [y, xhat, mean, variance, rstd] */
const batchNormTrainKernel: KernelFn = (args) => {
  const k = loaded();
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const attrs = args.attrs as { eps: number; leak: number };
  const c = x.shape[x.shape.length - 1]!;
  const rows = size(x.shape) / c;
  const outs = runMany(args, [x.shape, x.shape, [c], [c], [c]], [x, gamma, beta], ([xv, g, b], [y, xhat, mean, variance, rstd]) =>
    k.batchNormForward(xv!, g!, b!, y!, xhat!, mean!, variance!, rstd!, rows, c, attrs.eps, attrs.leak),
  );
  return outs as unknown as TensorInfo;
};

/** inputs dy, xhat, gamma, beta, rstd; attrs leak -> [dx, dgamma, dbeta] */
const batchNormTrainGradKernel: KernelFn = (args) => {
  const k = loaded();
  const { dy, xhat, gamma, beta, rstd } = args.inputs as Record<'dy' | 'xhat' | 'gamma' | 'beta' | 'rstd', TensorInfo>;
  const leak = (args.attrs as { leak: number }).leak;
  const c = dy.shape[dy.shape.length - 1]!;
  const rows = size(dy.shape) / c;
  const outs = runMany(args, [dy.shape, [c], [c]], [dy, xhat, gamma, beta, rstd], ([d, h, g, b, r], [dx, dg, db]) =>
    k.batchNormBackward(d!, h!, g!, b!, r!, dx!, dg!, db!, rows, c, leak),
  );
  return outs as unknown as TensorInfo;
};

/**
 * Whether the native kernels serve this thread's wasm backend now (the addon loaded and switched on): then
 * batchNormTrain runs as the BatchNorm kernels and dense layers as plain matrix products.
 */
export function nativeOnWasm(): boolean {
  return registered?.kernels != null && enabled && tf.getBackend() === 'wasm';
}

let registered: NativeStatus | null = null;

/**
 * Puts the native convolutions in front of the wasm ones and registers the BatchNorm kernels (after registerWasmTrainingKernels, whose kernels become the
 * fallback). Returns whether the addon loaded and why; without it nothing is registered.
 */
export function registerNativeKernels(): NativeStatus {
  if (registered) return registered;
  registered = nativeKernels();
  if (!registered.kernels) return registered;
  const wrap = (name: string, make: (orig: KernelFn) => KernelFn): void =>
    override(name, (orig) => {
      if (!orig) throw new Error(`wasm backend has no ${name} kernel`);
      return make(orig);
    });
  wrap('Conv2D', conv2D);
  wrap('FusedConv2D', conv2D);
  wrap('Conv2DBackpropInput', conv2DBackpropInput);
  wrap('Conv2DBackpropFilter', conv2DBackpropFilter);
  wrap('BatchMatMul', batchMatMul);
  wrap('Add', broadcastBinary(0));
  wrap('Multiply', broadcastBinary(1));
  wrap('Sum', sum);
  for (const [kernelName, kernelFunc] of [
    [BATCH_NORM_TRAIN, batchNormTrainKernel],
    [BATCH_NORM_TRAIN_GRAD, batchNormTrainGradKernel],
  ] as const)
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc } as unknown as KernelConfig);
  return registered;
}
