import { AgeGenderEstimator, type AgeGenderEstimate } from './age-gender.js';
import { FaceDescriptorNet } from './descriptor.js';
import type { RawImage } from './image.js';
import type { Framing } from './framing.js';

export { AgeGenderEstimator, type AgeGenderEstimate } from './age-gender.js';
export { FaceDescriptorNet, descriptorDistance, SAME_PERSON_DISTANCE } from './descriptor.js';
export { readRgb, type RawImage } from './image.js';
export { CHRONOFACE_FACE_WINDOW, windowFor, type Framing, type FaceWindow } from './framing.js';

let ageGender: Promise<AgeGenderEstimator> | undefined;
let descriptor: Promise<FaceDescriptorNet> | undefined;

function shared<T extends { load(): Promise<void> }>(make: () => T): Promise<T> {
  const inst = make();
  return inst.load().then(() => inst);
}

function forget(which: 'ageGender' | 'descriptor'): () => void {
  return () => {
    if (which === 'ageGender') ageGender = undefined;
    else descriptor = undefined;
  };
}

/** Age and gender of aligned face crops (any square size; batched). The net is loaded once per process.
 *  framing 'aligned' (default): Chronoface aligned crops, cut to their face window; 'tight': tight face crops used whole. */
export async function estimateAgeGender(crops: readonly RawImage[], framing: Framing = 'aligned'): Promise<AgeGenderEstimate[]> {
  ageGender ??= shared(() => new AgeGenderEstimator());
  ageGender.catch(forget('ageGender'));
  return (await ageGender).predict(crops, framing);
}

/** 128-d face descriptors of aligned face crops (batched); compare with descriptorDistance (< 0.6: same person). */
export async function describeFaces(crops: readonly RawImage[], framing: Framing = 'aligned'): Promise<Float32Array[]> {
  descriptor ??= shared(() => new FaceDescriptorNet());
  descriptor.catch(forget('descriptor'));
  return (await descriptor).predict(crops, framing);
}

/** Frees the shared nets (tests, or an app shutting the feature down). */
export async function disposeEstimators(): Promise<void> {
  const [a, d] = [ageGender, descriptor];
  ageGender = undefined;
  descriptor = undefined;
  (await a)?.dispose();
  (await d)?.dispose();
}
