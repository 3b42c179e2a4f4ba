import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-kernels.js';
import { registerNativeKernels } from './wasm-native-kernels.js';

import type { BackendName, BackendPref } from './backend-names.js';

export { BACKEND_PREFS, isBackendPref, type BackendName, type BackendPref } from './backend-names.js';

export interface BackendInfo {
  backend: BackendName;
  reason: string;
}

const require = createRequire(import.meta.url);
let current: { pref: BackendPref; info: BackendInfo } | null = null;

/** Folder holding the tfjs-backend-wasm .wasm files (Node resolves them from disk, not a URL). */
export function wasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string | null> {
  try {
    await import(pkg);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg} failed to load: ${message(err)}`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend did not initialise`;
  return null;
}

/** What runs the convolutions on wasm: the native addon when it loads, else XNNPACK (and why). */
let wasmKernels = '';

async function tryWasm(): Promise<string | null> {
  try {
    setWasmPaths(wasmDir());
    registerWasmTrainingKernels();
    const native = registerNativeKernels();
    wasmKernels = native.kernels ? native.reason : `conv gradients as XNNPACK convolutions; ${native.reason}`;
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not initialise';
    return null;
  } catch (err) {
    return `the wasm backend failed: ${message(err)}`;
  }
}

/**
 * Chooses the TensorFlow.js backend: tfjs-node-gpu, then tfjs-node, then wasm, then cpu; `pref` forces one.
 * Returns the backend and why it was chosen (what was tried and why it was passed over).
 */
export async function initBackend(pref: BackendPref = 'auto'): Promise<BackendInfo> {
  if (current && (current.pref === pref || pref === 'auto')) return current.info;
  const skipped: string[] = [];
  const order: BackendName[] = pref === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [pref];
  for (const name of order) {
    let failure: string | null;
    if (name === 'tensorflow-gpu') failure = await tryNative('@tensorflow/tfjs-node-gpu');
    else if (name === 'tensorflow') failure = await tryNative('@tensorflow/tfjs-node');
    else if (name === 'wasm') failure = await tryWasm();
    else failure = (await tf.setBackend('cpu')) ? null : 'the cpu backend did not initialise';
    if (failure === null) {
      await tf.ready();
      const why =
        pref === 'auto'
          ? skipped.length > 0
            ? `auto: ${skipped.join('; ')}`
            : 'auto: first choice'
          : `forced with --backend ${pref}`;
      const detail = name === 'wasm' ? ` (WebAssembly SIMD, one thread per process; ${wasmKernels})` : '';
      const info: BackendInfo = { backend: name, reason: `${why}${detail}` };
      current = { pref, info };
      return info;
    }
    if (pref !== 'auto') throw new Error(`backend "${pref}" is not available: ${failure}`);
    skipped.push(failure);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}
