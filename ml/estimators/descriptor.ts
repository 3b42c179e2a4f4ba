import * as tf from '@tensorflow/tfjs';
import { faceApi, faceApiModelDir, type FaceRecognitionNetLike } from './face-api.js';
import { FaceApiModel } from './face-api-model.js';
import type { RawImage } from './image.js';
import { chunks, toSquareRgbTensor } from './tensors.js';
import { windowFor, type Framing } from './framing.js';

export const DESCRIPTOR_INPUT_SIZE = 150;
/** face-api's usual threshold: descriptors closer than this are taken as the same person. */
export const SAME_PERSON_DISTANCE = 0.6;

/** face-api's face-recognition net (ResNet-34-like, 150 px, 128-d descriptor) run directly on aligned crops. */
export class FaceDescriptorNet extends FaceApiModel<FaceRecognitionNetLike> {
  constructor(modelDir = faceApiModelDir(), private readonly batchSize = 8) {
    super((api) => new api.FaceRecognitionNet(), modelDir);
  }

  /** One 128-d descriptor per crop, in order. Aligned crops are cut to their face window and resized to 150 px. */
  async predict(crops: readonly RawImage[], framing: Framing = 'aligned'): Promise<Float32Array[]> {
    const window = windowFor(framing);
    const net = this.requireNet();
    const out: Float32Array[] = [];
    for (const batch of chunks(crops, this.batchSize)) {
      const desc = tf.tidy(() => net.forwardInput(new (faceApi().NetInput)(batch.map((c) => toSquareRgbTensor(c, DESCRIPTOR_INPUT_SIZE, window)), true)));
      const flat = await desc.data();
      desc.dispose();
      for (let i = 0; i < batch.length; i++) out.push(Float32Array.from(flat.subarray(i * 128, (i + 1) * 128)));
    }
    return out;
  }
}

export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
