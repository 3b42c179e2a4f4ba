import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { fileSystemIO } from '../tf/file-io.js';
import { makeCvaeConfig, type CvaeConfig } from './config.js';
import { Cvae, paramSpecs } from './model.js';
import type { CvaeSidecar } from './sidecar.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';

export const SIDECAR_JSON = 'sidecar.json';
export const MODEL_FORMAT = 'chronoface-cvae';

export interface SaveOptions {
  /** Store weights as float16 (tfjs `quantization: {dtype: 'float16'}`): half the size, for shipping. */
  readonly float16?: boolean;
}

/** Saves weights (spec order) in the tfjs format plus the sidecar. Needs no tf backend. */
export async function saveCvaeValues(dir: string, config: CvaeConfig, values: Map<string, Float32Array>, sidecar: CvaeSidecar, options: SaveOptions = {}): Promise<void> {
  const specs = paramSpecs(config);
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v) throw new Error(`cannot save: weight "${s.name}" is missing`);
    data.set(v, off);
    off += v.length;
  }
  await fileSystemIO(dir).save({
    format: MODEL_FORMAT,
    generatedBy: 'chronoface',
    convertedBy: null,
    modelTopology: { config },
    weightSpecs: specs.map((s) => ({
      name: s.name,
      shape: s.shape,
      dtype: 'float32' as const,
      ...(options.float16 ? { quantization: { dtype: 'float16' as const } } : {}),
    })),
    weightData: (options.float16 ? encodeFloat16(data) : data).buffer as ArrayBuffer,
  });
  await writeFileAtomic(path.join(dir, SIDECAR_JSON), JSON.stringify({ ...sidecar, config }, null, 1));
}

export async function saveCvae(model: Cvae, dir: string): Promise<void> {
  await saveCvaeValues(dir, model.config, model.readValues(), model.sidecar);
}

export function readSidecar(dir: string): CvaeSidecar {
  const file = path.join(dir, SIDECAR_JSON);
  if (!fs.existsSync(file)) throw new Error(`no model sidecar at ${file}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CvaeSidecar;
}

/** Reads weights by name (no tf backend needed). */
export async function loadCvaeValues(dir: string): Promise<{ config: CvaeConfig; values: Map<string, Float32Array> }> {
  const artifacts = await fileSystemIO(dir).load();
  if (artifacts.format !== MODEL_FORMAT) throw new Error(`${dir} does not hold a Chronoface CVAE (format "${String(artifacts.format)}")`);
  const topo = artifacts.modelTopology as { config?: CvaeConfig };
  if (!topo.config) throw new Error(`${dir}/model.json has no model config`);
  const config = makeCvaeConfig(topo.config);
  const merged = { ...config, ...topo.config };
  const buf = artifacts.weightData as ArrayBuffer;
  const values = new Map<string, Float32Array>();
  let off = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const quant = spec.quantization?.dtype;
    if (quant === 'float16') {
      values.set(spec.name, decodeFloat16(new Uint16Array(buf.slice(off, off + n * 2))));
      off += n * 2;
    } else if (quant === undefined) {
      values.set(spec.name, new Float32Array(buf.slice(off, off + n * 4)));
      off += n * 4;
    } else {
      throw new Error(`weight ${spec.name}: quantization ${quant} is not supported`);
    }
  }
  return { config: merged, values };
}

/** Loads a saved model (initBackend() first). Its outputs equal the saved model's exactly. */
export async function loadCvae(dir: string): Promise<Cvae> {
  const { config, values } = await loadCvaeValues(dir);
  const model = new Cvae(config, values);
  model.sidecar = fs.existsSync(path.join(dir, SIDECAR_JSON)) ? readSidecar(dir) : model.sidecar;
  return model;
}
