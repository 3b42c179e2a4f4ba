import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/**
 * The slice of @vladmandic/face-api we use. Its bundled typings carry their own copy of the tfjs types, which are
 * not assignable to @tensorflow/tfjs's, so the module is loaded untyped and described here.
 * The node-wasm build requires @tensorflow/tfjs itself, so it shares our tfjs engine and backend.
 */
export interface NetInputLike {
  readonly batchSize: number;
}

export interface FaceApiNet {
  readonly isLoaded: boolean;
  loadFromDisk(dir: string): Promise<void>;
  dispose(throwOnRedispose?: boolean): void;
}

export interface AgeGenderNetLike extends FaceApiNet {
  forwardInput(input: NetInputLike): { age: tf.Tensor1D; gender: tf.Tensor2D };
}

export interface FaceRecognitionNetLike extends FaceApiNet {
  forwardInput(input: NetInputLike): tf.Tensor2D;
}

export interface FaceApiModule {
  readonly AgeGenderNet: new () => AgeGenderNetLike;
  readonly FaceRecognitionNet: new () => FaceRecognitionNetLike;
  readonly NetInput: new (inputs: tf.Tensor3D[], treatAsBatchInput?: boolean) => NetInputLike;
}

let cached: FaceApiModule | undefined;

export function faceApi(): FaceApiModule {
  cached ??= require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  return cached;
}

/** The package's model/ folder (weights ship inside the npm package: no network). CHRONOFACE_FACEAPI_MODELS overrides. */
export function faceApiModelDir(): string {
  const override = process.env.CHRONOFACE_FACEAPI_MODELS;
  if (override && override.length > 0) return path.resolve(override);
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}
