import { createRequire } from 'node:module';

/** The addon's functions (native/kernels/src/addon.cc). Every array is read and written in place, without copies. */
export interface ConvKernels {
  /** instruction set in use: 'avx512', 'avx2' or 'generic', and why */
  readonly isa: string;
  readonly reason: string;
  /** dims: [n, h, w, ci, oh, ow, co, kh, kw, sh, sw, padTop, padLeft, dh, dw]; x NHWC, w [kh, kw, ci, co], y NHWC */
  conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, dims: Int32Array): void;
  /** dx (the shape of x) from dy (the shape of y) */
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /** dw [kh, kw, ci, co] from x and dy */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array): void;
  /** c = op(a) op(b) for `batch` row-major matrices, c [m x n] (op: transposed when ta / tb) */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, ta: boolean, tb: boolean): void;
  /** out[r, c] = x[r, c] op b[c], or op b[r] when perRow; op 0 adds, 1 multiplies */
  broadcast(x: Float32Array, b: Float32Array, out: Float32Array, rows: number, columns: number, op: 0 | 1, perRow: boolean): void;
  /** out[c] = the sum over rows of x[r, c] */
  sumRows(x: Float32Array, out: Float32Array, rows: number, channels: number): void;
  /** training-mode BatchNorm over rows x channels (NHWC), then LeakyReLU(leak) (1: none) */
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, xhat: Float32Array, mean: Float32Array, variance: Float32Array, rstd: Float32Array, rows: number, channels: number, eps: number, leak: number): void;
  /** its gradient from dy at the LeakyReLU's output */
  batchNormBackward(dy: Float32Array, xhat: Float32Array, gamma: Float32Array, beta: Float32Array, rstd: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, channels: number, leak: number): void;
  /** m, v updated in place; out = p - step * m / (sqrt(v) + eps) with g = g0 (+ g1) */
  adam(p: Float32Array, out: Float32Array, m: Float32Array, v: Float32Array, g0: Float32Array, g1: Float32Array | null, b1: number, b2: number, step: number, eps: number): void;
}

/**
 * Chronoface's optional native addon (native/kernels): convolutions, their gradients and Adam in C++ with AVX-512 or
 * AVX2, built at install when a compiler is there. `CHRONOFACE_NATIVE_KERNELS=off` turns it off.
 */
export interface NativeStatus {
  kernels: ConvKernels | null;
  /** what runs and why, for the run's backend line */
  reason: string;
}

const require = createRequire(import.meta.url);
let status: NativeStatus | null = null;

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export function nativeKernels(): NativeStatus {
  if (status) return status;
  if (process.env.CHRONOFACE_NATIVE_KERNELS === 'off') {
    status = { kernels: null, reason: 'native kernels off (CHRONOFACE_NATIVE_KERNELS=off)' };
    return status;
  }
  try {
    const k = require('chronoface-kernels') as ConvKernels;
    status = { kernels: k, reason: `native ${k.isa} kernels for convolutions, matrix products, BatchNorm + LeakyReLU and Adam (${k.reason})` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'MODULE_NOT_FOUND' ? 'not built at install (see native/kernels/build/failed.txt)' : `failed to load: ${firstLine(err)}`;
    status = { kernels: null, reason: `native kernels ${why}` };
  }
  return status;
}
