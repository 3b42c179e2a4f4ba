import { ageAlignedFace, withHair, pasteMask, photoFrames, type BlendSettings } from '../aging/age-face.js';
import { contextToCrop, segmentContextSide, type PersonContext } from '../prep/prepare-face.js';
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
  const aligned = await withHair(model, o, photo, { crop, size: S, transform, faceMask: await cropFaceMask(S, transform, face.landmarks), landmarks }, () => personFromCrop(crop, S));
  const g = face.gender === 'unknown' ? undefined : face.gender;
  const aged = await ageAlignedFace(model, aligned, { ...o, ages: targets, sourceAge: face.age, gender: g });
  const mask = pasteMask(model, aligned, o);
  const outputs = photoFrames(photo, aligned, aged, mask);
  return { photo, aged, outputs, shapeOnly: () => photoFrames(photo, aligned, { fields: aged.fields, deltas: aged.deltas.map((d) => new Float32Array(d.length)) }, mask) };
}

/**
 * The person in a stored crop's context window, as far as the crop tells: the catalogue keeps no segmenter mask, but
 * the crop was composited on the background grey (exactly (128, 128, 128) where it is not the person). Beyond the
 * crop's edge the person is taken to go on as at the nearest edge pixel: an unknown band counted as background would
 * stop the hair's greying at the crop's edge in a straight dark bar across the head (on the contact sheet), and its
 * colour, the hair's own, would be what hair must not look like.
 */
export function personFromCrop(crop: Uint8Array, size: number, grey = 128): PersonContext {
  const side = segmentContextSide(size);
  const [k, , o] = contextToCrop(size, side);
  const data = new Uint8Array(side * side);
  const inCrop = (c: number): number => Math.min(size - 1, Math.max(0, c));
  for (let y = 0; y < side; y++) {
    const v = inCrop(Math.floor((y + 0.5) * k + o));
    for (let x = 0; x < side; x++) {
      const u = inCrop(Math.floor((x + 0.5) * k + o));
      const p = (v * size + u) * 3;
      data[y * side + x] = crop[p] === grey && crop[p + 1] === grey && crop[p + 2] === grey ? 0 : 255;
    }
  }
  return { side, data };
}
