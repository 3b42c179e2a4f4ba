import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * Training kernels for the WASM backend, all expressed as forward convolutions so XNNPACK does the work:
 * - Conv2DBackpropFilter (missing from tfjs-backend-wasm, tfjs#8474): batch and channels swapped, the stride as a dilation.
 * - Conv2DBackpropInput (the stock kernel is a scalar loop): one convolution per output phase (sub-pixel), fused.
 * - BatchMatMul with transposed operands (the stock kernel leaves XNNPACK for a slow loop): transpose first.
 */

interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

type Attrs = NamedAttrMap;

function kernel(name: string): (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: Attrs }) => TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: Attrs }) => TensorInfo;
}

/** Runs wasm kernels directly (inside a kernel the engine does not track intermediates), disposing temporaries. */
class KernelScope {
  private readonly temps: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackendLike) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: Attrs = {}): TensorInfo {
    const out = kernel(name)({ inputs, backend: this.backend, attrs });
    this.temps.push(out);
    return out;
  }

  track(t: TensorInfo): void {
    this.temps.push(t);
  }

  /** Disposes every temporary except `keep`. */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== keep) this.backend.disposeData(t.dataId);
    return keep;
  }
}

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  padTop: number;
  padLeft: number;
  dH: number;
  dW: number;
}

export function geometry(xShape: number[], filterShape: number[], attrs: Attrs): ConvGeometry {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') throw new Error(`wasm conv gradients support NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    (attrs.dilations as [number, number] | number | undefined) ?? 1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
  };
}

/** dW[i,j,ci,co] = sum_{n,a,b} x[n, a*sH+i-top, b*sW+j-left, ci] * dy[n,a,b,co], as conv2d(x^T, dy^T) dilated by the stride. */
function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: Attrs }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs ?? {};
  const filterShape = attrs.filterShape as number[];
  const g = geometry(x.shape, filterShape, attrs);
  const s = new KernelScope(args.backend as WasmBackendLike);
  let padBottom = (g.outH - 1) * g.sH + g.kH - g.inH - g.padTop;
  let padRight = (g.outW - 1) * g.sW + g.kW - g.inW - g.padLeft;
  let xin = x;
  if (padBottom < 0 || padRight < 0) {
    // Rows/columns past the last window never contribute: crop them.
    const h = g.inH + Math.min(0, padBottom);
    const w = g.inW + Math.min(0, padRight);
    xin = s.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [g.batch, h, w, g.inC] });
    padBottom = Math.max(0, padBottom);
    padRight = Math.max(0, padRight);
  }
  const xT = s.run('Transpose', { x: xin }, { perm: [3, 1, 2, 0] });
  const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = s.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [g.padTop, padBottom],
        [g.padLeft, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [g.sH, g.sW],
      dimRoundingMode: undefined as unknown as string,
    },
  );
  const out = s.run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  return s.finish(out);
}

/**
 * dx of a strided conv, sub-pixel form: each output phase (h mod s, w mod s) is a small convolution of dy; all phases
 * are one Conv2D with s*s*inC output channels followed by DepthToSpace, so no multiply touches an inserted zero.
 */
function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: Attrs }): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs ?? {};
  const inputShape = attrs.inputShape as number[];
  const g = geometry(inputShape, filter.shape, attrs);
  const backend = args.backend as WasmBackendLike & {
    readSync(dataId: object): Float32Array;
    makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
  };
  const s = new KernelScope(backend);
  // Output row h = sH*m + p takes filter row k when (p + padTop - k) is a multiple of sH, from dy row m + (p + padTop - k)/sH.
  const offsets = (stride: number, pad: number, k: number): { d: number[][]; min: number; max: number } => {
    const d: number[][] = [];
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < stride; p++) {
      const row: number[] = [];
      for (let kk = 0; kk < k; kk++) {
        const t = p + pad - kk;
        if (((t % stride) + stride) % stride !== 0) {
          row.push(NaN);
          continue;
        }
        const off = t / stride;
        row.push(off);
        min = Math.min(min, off);
        max = Math.max(max, off);
      }
      d.push(row);
    }
    return { d, min, max };
  };
  const oh = offsets(g.sH, g.padTop, g.kH);
  const ow = offsets(g.sW, g.padLeft, g.kW);
  const tH = oh.max - oh.min + 1;
  const tW = ow.max - ow.min + 1;
  const phases = g.sH * g.sW;
  const w = backend.readSync(filter.dataId);
  const big = new Float32Array(tH * tW * g.outC * phases * g.inC);
  for (let ph = 0; ph < g.sH; ph++)
    for (let pw = 0; pw < g.sW; pw++)
      for (let kh = 0; kh < g.kH; kh++) {
        const dh = oh.d[ph]![kh]!;
        if (Number.isNaN(dh)) continue;
        for (let kw = 0; kw < g.kW; kw++) {
          const dw = ow.d[pw]![kw]!;
          if (Number.isNaN(dw)) continue;
          const th = dh - oh.min;
          const tw = dw - ow.min;
          for (let ci = 0; ci < g.inC; ci++)
            for (let co = 0; co < g.outC; co++) {
              const src = ((kh * g.kW + kw) * g.inC + ci) * g.outC + co;
              const dst = ((th * tW + tw) * g.outC + co) * phases * g.inC + (ph * g.sW + pw) * g.inC + ci;
              big[dst] = w[src]!;
            }
        }
      }
  const bigFilter = backend.makeOutput([tH, tW, g.outC, phases * g.inC], 'float32', undefined, big);
  s.track(bigFilter);
  const mH = Math.ceil(g.inH / g.sH);
  const mW = Math.ceil(g.inW / g.sW);
  let dyIn = dy;
  let padTop = -oh.min;
  let padLeft = -ow.min;
  let padBottom = mH - 1 + tH - g.outH - padTop;
  let padRight = mW - 1 + tW - g.outW - padLeft;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    // Rare geometries (padding larger than the filter reach): crop dy, then pad what remains.
    const top = Math.max(0, -padTop);
    const left = Math.max(0, -padLeft);
    const h = g.outH - top + Math.min(0, padBottom);
    const wd = g.outW - left + Math.min(0, padRight);
    dyIn = s.run('Slice', { x: dy }, { begin: [0, top, left, 0], size: [g.batch, h, wd, g.outC] });
    padTop = Math.max(0, padTop);
    padLeft = Math.max(0, padLeft);
    padBottom = Math.max(0, padBottom);
    padRight = Math.max(0, padRight);
  }
  const conv = s.run(
    'Conv2D',
    { x: dyIn, filter: bigFilter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined as unknown as string,
    },
  );
  let out: TensorInfo;
  if (phases === 1) out = conv;
  else {
    if (g.sH !== g.sW) throw new Error('Conv2DBackpropInput: unequal strides are not supported on wasm');
    // DepthToSpace as reshape + transpose (the stock wasm DepthToSpace is a slow scalar loop).
    const r6 = s.run('Reshape', { x: conv }, { shape: [g.batch, mH, mW, g.sH, g.sW, g.inC] });
    const t6 = s.run('Transpose', { x: r6 }, { perm: [0, 1, 3, 2, 4, 5] });
    out = s.run('Reshape', { x: t6 }, { shape: [g.batch, mH * g.sH, mW * g.sW, g.inC] });
    if (mH * g.sH !== g.inH || mW * g.sW !== g.inW) {
      out = s.run('Slice', { x: out }, { begin: [0, 0, 0, 0], size: [g.batch, g.inH, g.inW, g.inC] });
    }
  }
  return s.finish(out);
}

export type KernelFn = (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: Attrs }) => TensorInfo;

/** The stock wasm BatchMatMul is 20-30x slower with a transposed operand: transpose explicitly first. */
function batchMatMulWithTransposes(orig: KernelFn): KernelFn {
  return (args) => {
    const attrs = args.attrs ?? {};
    if (!attrs.transposeA && !attrs.transposeB) return orig(args);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const s = new KernelScope(args.backend as WasmBackendLike);
    const swapLast = (t: TensorInfo): TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      perm[r - 1] = r - 2;
      perm[r - 2] = r - 1;
      return s.run('Transpose', { x: t }, { perm });
    };
    const a2 = attrs.transposeA ? swapLast(a) : a;
    const b2 = attrs.transposeB ? swapLast(b) : b;
    const out = orig({ inputs: { ...args.inputs, a: a2, b: b2 }, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    s.track(out);
    return s.finish(out);
  };
}

export function override(name: string, make: (orig: KernelFn | null) => KernelFn): void {
  const orig = tf.getKernel(name, 'wasm');
  if (orig) tf.unregisterKernel(name, 'wasm');
  const config = {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: make(orig ? (orig.kernelFunc as unknown as KernelFn) : null),
    ...(orig?.setupFunc ? { setupFunc: orig.setupFunc } : {}),
    ...(orig?.disposeFunc ? { disposeFunc: orig.disposeFunc } : {}),
  };
  tf.registerKernel(config as unknown as KernelConfig);
}

/**
 * Identity shares its input's data, as Reshape does, instead of copying it: tensors are never written in place, and
 * the autodiff's copies of activations cost 12 ms a step at 128 px.
 */
function identityShared(args: { inputs: NamedTensorInfoMap; backend: unknown }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  (args.backend as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let registered = false;

/** Registers the conv-form gradient kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  override('Conv2DBackpropFilter', () => conv2DBackpropFilter);
  // The stock kernel's setup (cwrap) is kept harmlessly; ours does not use it.
  override('Conv2DBackpropInput', () => conv2DBackpropInput);
  override('Identity', (orig) => (args) => ((args.inputs as { x: TensorInfo }).x.dtype === 'string' && orig ? orig(args) : identityShared(args)));
  override('BatchMatMul', (orig) => {
    if (!orig) throw new Error('wasm backend has no BatchMatMul kernel');
    return batchMatMulWithTransposes(orig);
  });
}
