import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_SUBDIRS } from '../../db/data-dir.js';

export type VisionModelName = 'face_landmarker.task' | 'blaze_face_short_range.tflite' | 'selfie_segmenter.tflite';

const BASE_URL = 'https://storage.googleapis.com/mediapipe-models/';

export const VISION_MODELS: Readonly<Record<VisionModelName, { url: string; sha256: string; bytes: number }>> = {
  'face_landmarker.task': {
    url: `${BASE_URL}face_landmarker/face_landmarker/float16/1/face_landmarker.task`,
    sha256: '64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff',
    bytes: 3_758_596,
  },
  'blaze_face_short_range.tflite': {
    url: `${BASE_URL}face_detector/blaze_face_short_range/float16/1/blaze_face_short_range.tflite`,
    sha256: 'b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f',
    bytes: 229_746,
  },
  'selfie_segmenter.tflite': {
    url: `${BASE_URL}image_segmenter/selfie_segmenter/float16/1/selfie_segmenter.tflite`,
    sha256: '191ac9529ae506ee0beefa6b2c945a172dab9d07d1e802a290a4e4038226658b',
    bytes: 249_537,
  },
};

export const VISION_MODEL_NAMES = Object.keys(VISION_MODELS) as VisionModelName[];

export interface ModelProgress {
  file: VisionModelName;
  received: number;
  total: number;
}

export interface ResolveModelOptions {
  dataDir?: string;
  onProgress?: (p: ModelProgress) => void;
  env?: NodeJS.ProcessEnv;
  /** Injected for tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
}

/** Where a downloaded model is kept: <dataDir>/models/mediapipe. */
export function dataDirModelsFolder(dataDir: string): string {
  return path.join(dataDir, DATA_SUBDIRS.visionModels);
}

/** CHRONOFACE_MODELS_DIR, then <dataDir>/models/mediapipe, else a sha256-checked download into the latter. */
export async function resolveModelFile(name: VisionModelName, opts: ResolveModelOptions = {}): Promise<string> {
  const spec = VISION_MODELS[name];
  if (!spec) throw new Error(`unknown vision model "${String(name)}"`);
  const env = opts.env ?? process.env;
  const candidates: string[] = [];
  if (env.CHRONOFACE_MODELS_DIR) candidates.push(path.join(env.CHRONOFACE_MODELS_DIR, name));
  if (opts.dataDir) candidates.push(path.join(dataDirModelsFolder(opts.dataDir), name));
  for (const file of candidates) {
    if (fs.existsSync(file) && fs.statSync(file).size === spec.bytes) return file;
  }
  if (!opts.dataDir) {
    throw new ModelUnavailableError(
      `vision model ${name} not found${candidates.length ? ` (looked in ${candidates.join(', ')})` : ''}; ` +
        `set CHRONOFACE_MODELS_DIR to a folder holding it, or give a data directory so it can be downloaded from ${spec.url}`,
    );
  }
  const target = path.join(dataDirModelsFolder(opts.dataDir), name);
  return download(name, target, opts);
}

async function download(name: VisionModelName, target: string, opts: ResolveModelOptions): Promise<string> {
  const spec = VISION_MODELS[name];
  const doFetch = opts.fetchImpl ?? fetch;
  const manual = `download ${spec.url} and put it at ${target} (or in the folder named by CHRONOFACE_MODELS_DIR)`;
  let res: Response;
  try {
    res = await doFetch(spec.url);
  } catch (err) {
    throw new ModelUnavailableError(`vision model ${name} is missing and could not be downloaded (${(err as Error).message}); ${manual}`);
  }
  if (!res.ok || !res.body) {
    throw new ModelUnavailableError(`vision model ${name} is missing and the download failed (HTTP ${res.status}); ${manual}`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.part`;
  const hash = createHash('sha256');
  const total = Number(res.headers.get('content-length')) || spec.bytes;
  let received = 0;
  const fd = fs.openSync(tmp, 'w');
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      fs.writeSync(fd, value);
      received += value.length;
      opts.onProgress?.({ file: name, received, total });
    }
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new ModelUnavailableError(`downloading vision model ${name} failed (${(err as Error).message}); ${manual}`);
  }
  fs.closeSync(fd);
  const digest = hash.digest('hex');
  if (digest !== spec.sha256) {
    fs.rmSync(tmp, { force: true });
    throw new ModelUnavailableError(`downloaded ${name} has sha256 ${digest}, expected ${spec.sha256}; ${manual}`);
  }
  fs.renameSync(tmp, target);
  return target;
}

/** sha256 of a file, hex. */
export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
