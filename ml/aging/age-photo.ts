import path from 'node:path';
import type { VisionHost } from '../vision/host.js';
import { detectFaces, type DetectedFace } from '../prep/detect.js';
import { loadPhoto, type Photo } from '../prep/photo.js';
import { prepareFace, type PreparedFace } from '../prep/prepare-face.js';
import type { RawImage } from '../estimators/image.js';
import { applyAffine } from '../prep/geometry.js';
import { ageAlignedFace, withHair, type AgeFaceOptions, type Gender } from './age-face.js';
import { estimateAgeGender } from '../estimators/index.js';
import { composeFaces, composeInput, streamFrames, type ComposedFrameSink } from './team-compose.js';
import { faceWarnings, genderWarnings, type FaceWarning } from './team-faces.js';
import type { ClampedAges } from './ages.js';
import type { AgingModel } from './model.js';

export class NoFaceError extends Error {
  override readonly name = 'NoFaceError';
}

/** Faces numbered left to right (by the centre of their box), the order `--face N` uses. */
export function orderFaces(faces: readonly DetectedFace[]): DetectedFace[] {
  return [...faces].sort((a, b) => a.box[0] + a.box[2] / 2 - (b.box[0] + b.box[2] / 2));
}

/** Index (in left-to-right order) of the largest face by box area. */
export function largestFace(faces: readonly DetectedFace[]): number {
  let best = -1;
  let area = -1;
  faces.forEach((f, i) => {
    const a = f.box[2] * f.box[3];
    if (a > area) {
      area = a;
      best = i;
    }
  });
  return best;
}

/** 'detect' loads the photo and finds its faces; each aged face then goes through 'align', 'decode' and 'compose' (onto the photo). */
export type AgePhotoStage = 'detect' | 'align' | 'decode' | 'compose';

export interface AgePhotoOptions extends AgeFaceOptions {
  /** Face number (left to right from 0); default the largest. */
  readonly face?: number;
  /** Every face of the photo (folder runs); `face` then picks one. */
  readonly allFaces?: boolean;
  /** Called as each stage starts, with the face it works on (null while detecting). */
  readonly onStage?: (stage: AgePhotoStage, face: number | null) => void;
}

/** What an aged face was aged from and to, and what its aging may not have done well: the same on every path. */
export interface AgedFaceSource {
  readonly sourceAge: number;
  readonly sourceAgeEstimated: boolean;
  readonly gender: Gender;
  readonly genderEstimated: boolean;
  /** The estimator's probability of `gender` (null when the gender was given). */
  readonly genderProbability: number | null;
  readonly ages: ClampedAges;
  /** What its aging may not do well: tiny, profile, partly outside, an uncertain gender. */
  readonly warnings: FaceWarning[];
}

export interface AgedPhotoFace extends AgedFaceSource {
  /** Left-to-right index of the face in the photo. */
  readonly face: number;
  readonly box: [number, number, number, number];
  readonly prepared: PreparedFace;
  readonly cropFrames: RawImage[];
  readonly decodes: RawImage[];
}

export interface AgedPhoto {
  readonly width: number;
  readonly height: number;
  readonly faceCount: number;
  readonly faces: AgedPhotoFace[];
  /**
   * Wall-clock ms per stage; ageMs = faceMs (source age/gender estimate, encode, decodes) + pasteMs (composing the
   * photo frames); writeMs is the time the frames spent in their sinks (the writers).
   */
  readonly timings: { loadMs: number; detectMs: number; prepareMs: number; faceMs: number; pasteMs: number; ageMs: number; writeMs: number };
}

/**
 * Where one face's photo frames go, made when the face is aged (`faces` is how many faces this run ages): told which
 * pixels change before the first frame, then each frame at the photo's own resolution in turn, as it is composed.
 */
export type PhotoFrameSinks = (face: AgedPhotoFace, faces: number) => ComposedFrameSink;

/** The source age and gender to age a face from: as given, else estimated from its aligned crop. */
export async function sourceOf(crop: RawImage, given: { sourceAge?: number | undefined; gender?: Gender | undefined }): Promise<{ sourceAge: number; gender: Gender; genderProbability: number | null }> {
  let { sourceAge, gender } = given;
  let genderProbability: number | null = null;
  if (sourceAge === undefined || gender === undefined) {
    const [est] = await estimateAgeGender([crop]);
    sourceAge ??= Math.round(est!.age);
    if (gender === undefined) {
      gender = est!.gender;
      genderProbability = est!.genderProbability;
    }
  }
  return { sourceAge, gender, genderProbability };
}

/**
 * Detects the faces of a photo, aligns the chosen one(s) exactly as the model's training crops, ages them, and hands
 * each face's frames to its sink one target age at a time (the team path's composing, with the face alone).
 */
export async function agePhoto(host: VisionHost, model: AgingModel, input: string | Buffer | Photo, options: AgePhotoOptions, sinks: PhotoFrameSinks): Promise<AgedPhoto> {
  options.onStage?.('detect', null);
  const t0 = performance.now();
  const photo = typeof input === 'string' || Buffer.isBuffer(input) ? await loadPhoto(input) : input;
  const t1 = performance.now();
  const faces = orderFaces(await detectFaces(host, photo));
  const t2 = performance.now();
  if (faces.length === 0) throw new NoFaceError(`no face found in ${typeof input === 'string' ? path.basename(input) : 'the photo'}`);
  let chosen: number[];
  if (options.face !== undefined) {
    if (!Number.isInteger(options.face) || options.face < 0 || options.face >= faces.length) {
      throw new Error(`face ${options.face} does not exist: the photo has ${faces.length} face${faces.length === 1 ? '' : 's'} (numbered 0 to ${faces.length - 1}, left to right)`);
    }
    chosen = [options.face];
  } else {
    chosen = options.allFaces ? faces.map((_, i) => i) : [largestFace(faces)];
  }
  const out: AgedPhotoFace[] = [];
  let prepareMs = 0;
  let faceMs = 0;
  let pasteMs = 0;
  let writeMs = 0;
  for (const idx of chosen) {
    const face = faces[idx]!;
    options.onStage?.('align', idx);
    const tp = performance.now();
    const prepared = await prepareFace(host, photo, face, model.prep, { faceCount: faces.length });
    const ta = performance.now();
    prepareMs += ta - tp;
    const landmarks = face.landmarks.length >= 468 ? face.landmarks.map((p) => applyAffine(prepared.transform, p)) : null;
    const aligned = await withHair(model, options, photo, { crop: prepared.crop, size: prepared.size, transform: prepared.transform, faceMask: prepared.faceMask, landmarks }, () => prepared.personContext);
    options.onStage?.('decode', idx);
    const source = await sourceOf({ data: prepared.crop, width: prepared.size, height: prepared.size, channels: 3 }, options);
    const aged = await ageAlignedFace(model, aligned, { ...options, sourceAge: source.sourceAge, gender: source.gender });
    const tb = performance.now();
    faceMs += tb - ta;
    const warnings = [...faceWarnings({ face: idx, detected: face, drawn: false, fromBoxAlone: false }, prepared.signals.outside), ...genderWarnings(idx, source.gender, source.genderProbability)];
    const done: AgedPhotoFace = {
      face: idx,
      box: face.box,
      sourceAge: source.sourceAge,
      sourceAgeEstimated: options.sourceAge === undefined,
      gender: source.gender,
      genderEstimated: source.genderProbability !== null,
      genderProbability: source.genderProbability,
      ages: aged.ages,
      warnings,
      prepared,
      cropFrames: aged.cropFrames,
      decodes: aged.decodes,
    };
    options.onStage?.('compose', idx);
    const ms = await streamFrames(photo, composeFaces([composeInput(model, aligned, aged, options)], photo.width, photo.height), aged.ages.ages.length, sinks(done, chosen.length));
    pasteMs += ms.composeMs;
    writeMs += ms.writeMs;
    out.push(done);
  }
  return { width: photo.width, height: photo.height, faceCount: faces.length, faces: out, timings: { loadMs: t1 - t0, detectMs: t2 - t1, prepareMs, faceMs, pasteMs, ageMs: faceMs + pasteMs, writeMs } };
}
