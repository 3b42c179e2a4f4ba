import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { FileCheck, readJsonFile } from '../io/model-file.js';
import { fileSystemIO, MODEL_JSON, WEIGHTS_BIN } from '../tf/file-io.js';
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

/** The model's sidecar, checked: a file cut short, a NaN, or age bins out of order fail with a ModelFileError naming it. */
export function readSidecar(dir: string): CvaeSidecar {
  const file = path.join(dir, SIDECAR_JSON);
  if (!fs.existsSync(file)) throw new Error(`no model sidecar at ${file}`);
  const c = new FileCheck(file);
  const s = c.object(readJsonFile(file), 'the file');
  if (s.format !== MODEL_FORMAT || s.version !== 1) c.fail(`not a Chronoface model sidecar (format ${String(s.format)}, version ${String(s.version)})`);
  const config = c.object(s.config, 'config');
  const latentDim = c.number(config.latentDim, 'config.latentDim', { min: 1, max: 65_536, integer: true });
  c.number(s.imageSize, 'imageSize', { min: 8, max: 1024, integer: true });
  const range = c.object(s.ageRange, 'ageRange');
  const min = c.number(range.min, 'ageRange.min', { min: 0, max: 120 });
  c.number(range.max, 'ageRange.max', { min: min + 1e-9, max: 120 });
  if (!Array.isArray(s.ageBins)) c.fail('ageBins should be an array');
  let lastHi = -Infinity;
  (s.ageBins as unknown[]).forEach((b, i) => {
    const bin = c.object(b, `ageBins[${i}]`);
    const lo = c.number(bin.lo, `ageBins[${i}].lo`);
    c.number(bin.hi, `ageBins[${i}].hi`, { min: lo + 1e-9 });
    if (lo < lastHi) c.fail(`ageBins[${i}] starts at ${lo}, inside the bin before it (which ends at ${lastHi})`);
    lastHi = bin.hi as number;
    const count = c.number(bin.count, `ageBins[${i}].count`, { min: 0, integer: true });
    c.numbers(bin.mu, `ageBins[${i}].mu`, count > 0 ? latentDim : undefined);
  });
  if (s.aging !== undefined) {
    const aging = c.object(s.aging, 'aging');
    for (const [k, v] of Object.entries(aging)) {
      // The lightness block is an object of its own, checked where aging reads it (parseLightness, naming the file).
      if (k !== 'lightness') c.number(v, `aging.${k}`, { min: 0, max: 10 });
    }
  }
  return s as unknown as CvaeSidecar;
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
  const manifest: FileCheck = new FileCheck(path.join(dir, MODEL_JSON));
  const specs = artifacts.weightSpecs ?? [];
  const byteLength = (spec: (typeof specs)[number]): number => {
    if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0)) manifest.fail(`weight ${spec.name}: invalid shape ${JSON.stringify(spec.shape)}`);
    return spec.shape.reduce((a, b) => a * b, 1) * (spec.quantization?.dtype === 'float16' ? 2 : 4);
  };
  const declared = specs.reduce((a, spec) => a + byteLength(spec), 0);
  if (declared !== buf.byteLength) new FileCheck(path.join(dir, WEIGHTS_BIN)).fail(`${buf.byteLength} bytes, but ${MODEL_JSON} declares ${declared}`);
  const expected = new Map(paramSpecs(merged).map((p) => [p.name, p.shape]));
  const values = new Map<string, Float32Array>();
  let off = 0;
  for (const spec of specs) {
    const want = expected.get(spec.name);
    if (!want) manifest.fail(`weight ${spec.name} is not part of this model's config`);
    if (values.has(spec.name)) manifest.fail(`weight ${spec.name} is listed twice`);
    if (want.join('x') !== spec.shape.join('x')) manifest.fail(`weight ${spec.name} has shape ${spec.shape.join('x')}, the config needs ${want.join('x')}`);
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
    new FileCheck(path.join(dir, WEIGHTS_BIN)).finite(values.get(spec.name)!, spec.name);
  }
  const missing = [...expected.keys()].filter((n) => !values.has(n));
  if (missing.length > 0) manifest.fail(`lacks ${missing.length} weight${missing.length === 1 ? '' : 's'} the config needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  return { config: merged, values };
}

/** Loads a saved model (initBackend() first). Its outputs equal the saved model's exactly. */
export async function loadCvae(dir: string): Promise<Cvae> {
  const { config, values } = await loadCvaeValues(dir);
  const model = new Cvae(config, values);
  model.sidecar = fs.existsSync(path.join(dir, SIDECAR_JSON)) ? readSidecar(dir) : model.sidecar;
  return model;
}
