import * as tf from '@tensorflow/tfjs';

/**
 * Reading and rewriting tensor values without the copies of dataSync()/tf.tensor(): on wasm, views straight into the
 * module's heap (copying 6 M parameters through fresh JavaScript arrays cost more than the Adam arithmetic itself).
 * Other backends fall back to the ordinary copies.
 */

export interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function wasmBackend(): WasmBackendLike | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendLike) : null;
}

/** A float32 view of a tensor's values on the wasm heap (valid until the next allocation, which can move the heap). */
export function heapView(b: WasmBackendLike, t: tf.TensorInfo, size: number): Float32Array {
  const entry = b.dataIdMap.get(t.dataId);
  if (!entry) throw new Error('tensor has no data on the wasm backend');
  return new Float32Array(b.wasm.HEAPU8.buffer, entry.memoryOffset, size);
}

/** Copies a float32 tensor's values into `target` at `offset`. */
export function readInto(t: tf.Tensor, target: Float32Array, offset = 0): void {
  if (t.dtype !== 'float32') throw new Error(`readInto: float32 only, got ${t.dtype}`);
  const b = wasmBackend();
  target.set(b ? heapView(b, t, t.size) : (t.dataSync() as Float32Array), offset);
}

/**
 * Gives `v` new values computed from its current ones: `write(current, next)` must fill `next` (and may not allocate
 * tensors: on wasm both arrays are views of the heap, which an allocation can move).
 */
export function rewriteVariable(v: tf.Variable, write: (current: Float32Array, next: Float32Array) => void): void {
  const b = wasmBackend();
  if (!b) {
    const next = new Float32Array(v.size);
    write(v.dataSync() as Float32Array, next);
    v.assign(tf.tensor(next, v.shape, 'float32'));
    return;
  }
  const out = tf.engine().makeTensorFromTensorInfo(b.makeOutput(v.shape, 'float32'));
  write(heapView(b, v, v.size), heapView(b, out, v.size));
  v.assign(out);
  out.dispose();
}
