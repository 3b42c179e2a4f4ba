import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm has no DepthwiseConv2dNativeBackpropInput, which a loss through face-api's age net (separable
 * convolutions) needs. For the case those nets use (stride 1, dilation 1, 'same' padding, odd kernel, multiplier 1)
 * the input gradient is the depthwise convolution of dy with the spatially flipped filter, run here with the
 * backend's own DepthwiseConv2dNative kernel. Other geometries get a clear error.
 */
type KernelFn = (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }) => TensorInfo;

function wasmKernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as KernelFn;
}

const NAME = 'DepthwiseConv2dNativeBackpropInput';

function same(v: unknown, n: number): boolean {
  return Array.isArray(v) ? v.every((x) => x === n) : v === n || v === undefined;
}

const kernelFunc: KernelFn = ({ inputs, backend, attrs = {} }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const [kH, kW, , mult] = filter.shape as [number, number, number, number];
  if (!same(attrs.strides, 1) || !same(attrs.dilations, 1) || attrs.pad !== 'same' || kH % 2 === 0 || kW % 2 === 0 || mult !== 1) {
    throw new Error(`${NAME} on wasm supports stride 1, dilation 1, 'same' padding, odd kernels and multiplier 1 only`);
  }
  const b = backend as { disposeData(id: object): boolean };
  const flipped = wasmKernel('Reverse')({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
  const out = wasmKernel('DepthwiseConv2dNative')({
    inputs: { x: dy, filter: flipped },
    backend,
    attrs: { strides: [1, 1], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string },
  });
  b.disposeData(flipped.dataId);
  return out;
};

/** Registers the kernel on wasm when the backend lacks it (idempotent). */
export function registerWasmDepthwiseGrad(): void {
  if (tf.getKernel(NAME, 'wasm')) return;
  tf.registerKernel({ kernelName: NAME, backendName: 'wasm', kernelFunc } as unknown as KernelConfig);
}
