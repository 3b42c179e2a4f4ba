/** Backend names, importable without loading TensorFlow.js (the CLI validates options with them). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPref = 'auto' | BackendName;
export const BACKEND_PREFS: readonly BackendPref[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export function isBackendPref(v: string): v is BackendPref {
  return (BACKEND_PREFS as readonly string[]).includes(v);
}
