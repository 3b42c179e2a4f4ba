import { ageAlignedFace, pasteMask, photoFrames, type BlendSettings } from '../aging/age-face.js';
import type { AgingModel } from '../aging/model.js';
import { applyAffine } from '../prep/geometry.js';
import { loadPhoto } from '../prep/photo.js';
import { scaleTransform, type EvalFace } from './dataset.js';
import { cropFaceMask } from './face-mask.js';

/** Ways of aging an eval face: the blend settings, the age-shift vectors, shape and texture. */
export type EvalAgingOptions = BlendSettings & { readonly ageShift: boolean; readonly shape?: boolean; readonly texture?: boolean };

/**
 * Ages a catalogue face as `age` ages a photo (its stored crop, landmarks and alignment), at the photo's resolution.
 * `shapeOnly` gives the photo moved by each output's shape warp alone (no texture change), for the geometry-aligned colour figure.
 */
export async function ageEvalFace(model: AgingModel, face: EvalFace, crop: Uint8Array, targets: readonly number[], o: EvalAgingOptions) {
  const S = model.size;
  const transform = scaleTransform(face.transform, S / face.cropSize);
  const photo = await loadPhoto(face.photoPath);
  const landmarks = face.landmarks && face.landmarks.length >= 468 ? face.landmarks.map((p) => applyAffine(transform, p)) : null;
  const aligned = { crop, size: S, transform, faceMask: await cropFaceMask(S, transform, face.landmarks), landmarks };
  const g = face.gender === 'unknown' ? undefined : face.gender;
  const aged = await ageAlignedFace(model, aligned, { ...o, ages: targets, sourceAge: face.age, gender: g });
  const mask = pasteMask(model, aligned, o);
  const outputs = photoFrames(photo, aligned, aged, mask);
  return { photo, aged, outputs, shapeOnly: () => photoFrames(photo, aligned, { fields: aged.fields, deltas: aged.deltas.map((d) => new Float32Array(d.length)) }, mask) };
}

