import * as tf from '@tensorflow/tfjs';
import type { KnownGender } from '../../domain/gender.js';
import { faceApi, faceApiModelDir, type AgeGenderNetLike } from './face-api.js';
import { FaceApiModel } from './face-api-model.js';
import type { RawImage } from './image.js';
import { chunks, toSquareRgbTensor } from './tensors.js';
import { windowFor, type Framing } from './framing.js';

export const AGE_GENDER_INPUT_SIZE = 112;

export interface AgeGenderEstimate {
  /** Apparent age in years. */
  readonly age: number;
  readonly gender: KnownGender;
  /** Probability of the chosen gender, 0.5..1. */
  readonly genderProbability: number;
  /** Probability of male, 0..1. */
  readonly probMale: number;
}

/** face-api's age/gender net (TinyXception, 112 px) run directly on aligned face crops. */
export class AgeGenderEstimator extends FaceApiModel<AgeGenderNetLike> {
  constructor(modelDir = faceApiModelDir(), private readonly batchSize = 16) {
    super((api) => new api.AgeGenderNet(), modelDir);
  }

  /** One estimate per crop, in order. Aligned crops are cut to their face window (framing.ts) and resized to 112 px. */
  async predict(crops: readonly RawImage[], framing: Framing = 'aligned'): Promise<AgeGenderEstimate[]> {
    const window = windowFor(framing);
    const net = this.requireNet();
    const out: AgeGenderEstimate[] = [];
    for (const batch of chunks(crops, this.batchSize)) {
      const { age, gender } = tf.tidy(() => {
        const input = new (faceApi().NetInput)(batch.map((c) => toSquareRgbTensor(c, AGE_GENDER_INPUT_SIZE, window)), true);
        return net.forwardInput(input);
      });
      const [ages, genders] = await Promise.all([age.data(), gender.data()]);
      tf.dispose([age, gender]);
      for (let i = 0; i < batch.length; i++) {
        const probMale = genders[i * 2]!;
        const male = probMale > 0.5;
        out.push({ age: ages[i]!, gender: male ? 'male' : 'female', genderProbability: male ? probMale : 1 - probMale, probMale });
      }
    }
    return out;
  }
}
