import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
import { genderCode, makeCond } from '../cvae/cond.js';
import { CHRONOFACE_FACE_WINDOW, describeFaces, estimateAgeGender, descriptorDistance, SAME_PERSON_DISTANCE } from '../estimators/index.js';
import type { RawImage } from '../estimators/image.js';
import { blendSettings, type BlendSettings } from '../aging/age-face.js';
import { ageEvalFace } from './age-eval-face.js';
import { longitudinalCheck, type LongitudinalFigures } from './longitudinal.js';
import type { AgingModel } from '../aging/model.js';
import { joinHorizontally } from '../aging/writers.js';
import { recut, SCORE_SIZE } from './recut.js';
import { agingFigures, calibrated, differentPeopleShare, realFaceFit, realFaceSlope, type AgedFace, type AgingFigures } from './aging-metrics.js';
import { loadEvalFaces, loadFollowedFaces, readCrop, type EvalFace } from './dataset.js';
import { imageMetrics, type ImageMetrics } from './image-metrics.js';
import { loadCheckEstimators, type CheckEstimator } from '../estimators/check-age.js';
import { windowPixels } from '../estimators/framing.js';
import { mig, type MigResult } from './mig.js';
import { alignedFigures, colourChange } from './colour-change.js';
import { patchShare } from './patch-figure.js';
import { skinDetailFigures } from './skin-detail.js';
import { EVAL_AGE_BINS as AGE_BIN_LABELS, evalAgeBinIndex as ageBinIndex } from '../../domain/age-bins.js';

const SAMPLE_FACES = 6;

/** Blend settings (age-face.ts) left out default to the model's tuned values. */
export interface EvalOptions extends Partial<Readonly<BlendSettings>> {
  readonly split?: string;
  readonly limit?: number;
  /** Requested target ages (default 20..70 by 10), limited to the model's trained range. */
  readonly ages?: readonly number[];
  readonly ageShift?: boolean;
  /** Shape and texture change (default on), as `age` takes them. */
  readonly shape?: boolean;
  readonly texture?: boolean;
  /** Age young photos of followed people (FG-NET) to the ages of their later photos (default true when there are any). */
  readonly longitudinal?: boolean;
  /** A folder of independent age nets (estimators/check-age.ts) that score the same outputs as a second opinion. */
  readonly checkModels?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** Figures of a group of input faces, without the per-target breakdown but with the colour figure per target. */
export type GroupFigures = Omit<AgingFigures, 'byTarget'> & { readonly colourByTarget: { target: number; colour: number; colourAligned: number; detail: number; patch: number }[] };

export interface BinFigures {
  /** An age bin of the input face (EVAL_AGE_BINS), or a group of them ('children 0-9', 'adults 20-69'). */
  readonly bin: string;
  readonly faces: number;
  readonly reconstruction: ImageMetrics | null;
  readonly estimatorMae: number | null;
  readonly photo: GroupFigures | null;
  readonly decode: GroupFigures | null;
  /** The photo outputs read by each independent check estimator. */
  readonly check: { name: string; photo: GroupFigures }[];
}

export interface EvalReport {
  readonly model: { id: number | null; name: string; source: string; dir: string; size: number; ageRange: { min: number; max: number }; epoch: number; preset: string; metrics: Record<string, unknown> };
  readonly split: string;
  readonly faces: number;
  /** Faces that could not be evaluated (missing crop or photo file...), with why. */
  readonly skipped: { cropId: number; error: string }[];
  readonly targets: number[];
  readonly reconstruction: ImageMetrics;
  readonly mig: { mig: number; age: number; gender: number | null; details: MigResult };
  /** The estimators on the real faces (re-cut from the photos at 150 px). */
  readonly estimator: { ageMae: number; realSlope: number; genderAccuracy: number | null; differentPeopleShare: number; pairs: number };
  /** Outputs at the photo's resolution (what `age` ships), and the decoder's own crops. */
  readonly aging: { photo: AgingFigures; decode: AgingFigures };
  /** The photo outputs scored by each independent check estimator (--check-models), beside its MAE on the real faces. */
  readonly check: { name: string; ageMae: number; realSlope: number; photo: AgingFigures; decode: AgingFigures; photoCalibrated: AgingFigures | null }[];
  readonly byBin: BinFigures[];
  /** Children 0-9 and adults 20-69, each on its own line. */
  readonly byGroup: BinFigures[];
  /** Young photos aged to the age of a later photo of the same person, against that later face; null without such people. */
  readonly longitudinal: LongitudinalFigures | null;
  /** PNG grids, base64: per sample face, the input then the outputs at each target (top: photo outputs; bottom: decodes). */
  readonly samples: { cropId: number; age: number; png: string }[];
  /** The first face of each age bin: the photo, then its outputs at each target, at the photo's own resolution (PNG, base64). */
  readonly fullSamples: { cropId: number; age: number; bin: string; png: string }[];
  readonly seconds: number;
  readonly settings: BlendSettings & { ageShift: boolean; scoreSize: number; sameDistance: number };
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN;
}

function meanMetrics(ms: readonly ImageMetrics[]): ImageMetrics {
  return { mse: mean(ms.map((m) => m.mse)), l1: mean(ms.map((m) => m.l1)), psnr: mean(ms.map((m) => m.psnr)), ssim: mean(ms.map((m) => m.ssim)) };
}

export function defaultTargets(range: { min: number; max: number }, requested?: readonly number[]): number[] {
  const base = requested ?? [20, 30, 40, 50, 60, 70];
  const inRange = [...new Set(base.map((a) => Math.min(range.max, Math.max(range.min, a))))];
  if (inRange.length < 2) throw new Error(`the model's trained range ${range.min}-${range.max} leaves fewer than two target ages`);
  return inRange;
}

async function resized(img: RawImage, size: number): Promise<RawImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(size, size, { kernel: 'lanczos3' }).raw().toBuffer();
  return { data, width: size, height: size, channels: 3 };
}

/** The face window of a crop-sized image, at SCORE_SIZE px: how recut() frames the photo outputs. */
async function faceWindowCut(img: RawImage): Promise<RawImage> {
  const w = windowPixels(CHRONOFACE_FACE_WINDOW, img.width);
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left: w.x, top: w.y, width: w.side, height: w.side })
    .resize(SCORE_SIZE, SCORE_SIZE, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { data, width: SCORE_SIZE, height: SCORE_SIZE, channels: 3 };
}

async function sampleGrid(rows: RawImage[][]): Promise<string> {
  const joined = rows.map((r) => joinHorizontally(r, 2));
  const width = Math.max(...joined.map((j) => j.width));
  const height = joined.reduce((s, j) => s + j.height + 2, -2);
  const out = new Uint8Array(width * height * 3).fill(255);
  let y0 = 0;
  for (const j of joined) {
    for (let y = 0; y < j.height; y++) out.set(j.data.subarray(y * j.width * 3, (y + 1) * j.width * 3), ((y0 + y) * width) * 3);
    y0 += j.height + 2;
  }
  const png = await sharp(out, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return png.toString('base64');
}

interface FaceRecord {
  face: EvalFace;
  recon: ImageMetrics;
  mu: Float32Array;
  realAge: number;
  realGender: 'male' | 'female';
  realDescriptor: Float32Array;
  photo: AgedFace;
  decode: AgedFace;
  /** per check estimator: its reading of the real face, then of each photo output, then of each decode */
  check: number[][];
}

/** Reconstruction, MIG, and aging figures of a model on a split of the catalogue. */
export async function runEvaluation(db: Db, dataDir: string, model: AgingModel, options: EvalOptions = {}): Promise<EvalReport> {
  const t0 = performance.now();
  const split = options.split ?? 'test';
  const faces = loadEvalFaces(db, dataDir, split, options.limit ?? 200);
  if (faces.length < 2) throw new Error(`the ${split} split has ${faces.length} usable crop${faces.length === 1 ? '' : 's'}; evaluation needs at least two (run import and prepare first)`);
  const targets = defaultTargets(model.ageRange, options.ages);
  const S = model.size;
  const blend = blendSettings(model, options);
  const ageShift = options.ageShift ?? true;
  const records: FaceRecord[] = [];
  const samples: EvalReport['samples'] = [];
  const fullSamples: EvalReport['fullSamples'] = [];

  const skipped: { cropId: number; error: string }[] = [];
  const checkers: CheckEstimator[] = options.checkModels ? await loadCheckEstimators(options.checkModels) : [];
  try {
    for (const [k, face] of faces.entries()) {
      if (options.signal?.aborted) throw new Error('evaluation cancelled');
      try {
        await evaluateFace(face);
      } catch (err) {
        skipped.push({ cropId: face.cropId, error: err instanceof Error ? err.message : String(err) });
      }
      options.onProgress?.(k + 1, faces.length);
    }
  } finally {
    for (const c of checkers) c.dispose();
  }
  if (records.length < 2) throw new Error(`only ${records.length} of ${faces.length} faces could be evaluated: ${skipped.slice(0, 3).map((s) => `crop ${s.cropId}: ${s.error}`).join('; ')}`);

  async function evaluateFace(face: EvalFace): Promise<void> {
    const crop = await readCrop(face, S);
    // Reconstruction at the true age and gender, from the posterior mean; mu also feeds MIG.
    const { recon, mu } = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(crop, (v) => v / 127.5 - 1), [1, S, S, 3]);
      const cond = makeCond([face.age], [genderCode(face.gender)]);
      const enc = model.cvae.encode(x, cond);
      return { recon: model.cvae.decode(enc.mu, cond), mu: enc.mu };
    });
    const [rv, mv] = await Promise.all([recon.data<'float32'>(), mu.data<'float32'>()]);
    tf.dispose([recon, mu]);
    const a01 = Float32Array.from(crop, (v) => v / 255);
    const b01 = Float32Array.from(rv, (v) => Math.min(1, Math.max(0, (v + 1) / 2)));
    const reconMetrics = imageMetrics(a01, b01, S, S, 3);

    const { photo, aged, outputs, shapeOnly } = await ageEvalFace(model, face, crop, targets, { ...blend, ageShift, shape: options.shape, texture: options.texture });
    const realCut = await recut(photo, face.transform, face.cropSize);
    const outCuts = await Promise.all(outputs.map((o) => recut(o, face.transform, face.cropSize)));
    const decodeCuts = await Promise.all(aged.decodes.map((d) => resized(d, SCORE_SIZE)));
    const cuts = [realCut, ...outCuts];
    const colour = await alignedFigures(colourChange, photo, outputs, face.transform, face.cropSize, face.landmarks);
    const warped = shapeOnly();
    const colourAligned = await alignedFigures(colourChange, photo, outputs, face.transform, face.cropSize, face.landmarks, warped);
    const patch = await alignedFigures(patchShare, photo, outputs, face.transform, face.cropSize, face.landmarks, warped);
    const detail = await skinDetailFigures(photo, outputs, face.transform, face.cropSize, face.landmarks);
    const est = [...(await estimateAgeGender(cuts, 'tight')), ...(await estimateAgeGender(decodeCuts, 'aligned'))];
    const desc = [...(await describeFaces(cuts, 'tight')), ...(await describeFaces(decodeCuts, 'aligned'))];
    const n = targets.length;
    const check: number[][] = [];
    const decodeWindows = checkers.length ? await Promise.all(aged.decodes.map((d) => faceWindowCut(d))) : [];
    for (const c of checkers) check.push([...(await c.predictAges(cuts)), ...(await c.predictAges(decodeWindows))]);
    const realDescriptor = desc[0]!;
    records.push({
      face,
      recon: reconMetrics,
      mu: Float32Array.from(mv),
      realAge: est[0]!.age,
      realGender: est[0]!.gender,
      realDescriptor,
      photo: { sourceAge: face.age, targets, estimated: est.slice(1, 1 + n).map((e) => e.age), distances: desc.slice(1, 1 + n).map((d) => descriptorDistance(realDescriptor, d)), colour, colourAligned, detailInput: detail.input, detail: detail.outputs, patch },
      decode: { sourceAge: face.age, targets, estimated: est.slice(1 + n).map((e) => e.age), distances: desc.slice(1 + n).map((d) => descriptorDistance(realDescriptor, d)) },
      check,
    });
    const bin = AGE_BIN_LABELS[ageBinIndex(face.age)]!;
    if (!fullSamples.some((f) => f.bin === bin)) {
      const strip = joinHorizontally([photo, ...outputs], 4);
      fullSamples.push({ cropId: face.cropId, age: face.age, bin, png: (await sharp(strip.data, { raw: { width: strip.width, height: strip.height, channels: 3 } }).png().toBuffer()).toString('base64') });
    }
    if (samples.length < SAMPLE_FACES) samples.push({ cropId: face.cropId, age: face.age, png: await sampleGrid([[realCut, ...outCuts], [await resized({ data: crop, width: S, height: S, channels: 3 }, SCORE_SIZE), ...decodeCuts]]) });
  }

  const aging = { ...blend, ageShift, shape: options.shape, texture: options.texture };
  const longitudinal = options.longitudinal === false ? null : await longitudinalCheck(model, loadFollowedFaces(db, dataDir), aging, options.signal);
  const latents = records.map((r) => r.mu);
  const migAge = mig(latents, [{ name: 'age', values: records.map((r) => ageBinIndex(r.face.age)) }]);
  const known = records.filter((r) => r.face.gender !== 'unknown');
  const genders = new Set(known.map((r) => r.face.gender));
  const migGender = genders.size === 2 && known.length >= 2 ? mig(known.map((r) => r.mu), [{ name: 'gender', values: known.map((r) => (r.face.gender === 'male' ? 0 : 1)) }]) : null;
  const ids = differentPeopleShare(records.map((r) => r.realDescriptor), records.map((r) => r.face.person), SAME_PERSON_DISTANCE);

  const strip = (f: AgingFigures): GroupFigures => {
    const { byTarget, ...rest } = f;
    return { ...rest, colourByTarget: byTarget.map((t) => ({ target: t.target, colour: t.colour, colourAligned: t.colourAligned, detail: t.detail, patch: t.patch })) };
  };
  const groupFigures = (bin: string, rs: readonly FaceRecord[]): BinFigures => {
    if (rs.length === 0) return { bin, faces: 0, reconstruction: null, estimatorMae: null, photo: null, decode: null, check: [] };
    const check = checkers.map((c, i) => ({ name: c.name, photo: strip(agingFigures(rs.map((r) => ({ ...r.photo, estimated: r.check[i]!.slice(1, 1 + r.photo.targets.length) })))) }));
    return {
      bin,
      faces: rs.length,
      reconstruction: meanMetrics(rs.map((r) => r.recon)),
      estimatorMae: mean(rs.map((r) => Math.abs(r.realAge - r.face.age))),
      photo: strip(agingFigures(rs.map((r) => r.photo))),
      decode: strip(agingFigures(rs.map((r) => r.decode))),
      check,
    };
  };
  const byBin = AGE_BIN_LABELS.map((bin, b) => groupFigures(bin, records.filter((r) => ageBinIndex(r.face.age) === b)));
  const byGroup = [
    groupFigures('children 0-9', records.filter((r) => r.face.age < 10)),
    groupFigures('adults 20-69', records.filter((r) => r.face.age >= 20 && r.face.age < 70)),
  ];
  const labels = records.map((r) => r.face.age);
  const lo = Math.min(...targets);
  const hi = Math.max(...targets);
  const sc = model.sidecar;
  return {
    model: { id: model.choice.id, name: model.choice.name, source: model.choice.source, dir: model.choice.dir, size: S, ageRange: model.ageRange, epoch: sc.epoch, preset: sc.config?.preset ?? 'reference', metrics: { ...sc.metrics } },
    split,
    faces: records.length,
    skipped,
    targets,
    reconstruction: meanMetrics(records.map((r) => r.recon)),
    mig: { mig: (migAge.mig + (migGender?.mig ?? migAge.mig)) / 2, age: migAge.mig, gender: migGender?.mig ?? null, details: { mig: migAge.mig, factors: [...migAge.factors, ...(migGender?.factors ?? [])] } },
    estimator: {
      ageMae: mean(records.map((r) => Math.abs(r.realAge - r.face.age))),
      realSlope: realFaceSlope(labels, records.map((r) => r.realAge), lo, hi),
      genderAccuracy: known.length ? known.filter((r) => r.realGender === r.face.gender).length / known.length : null,
      differentPeopleShare: ids.share,
      pairs: ids.pairs,
    },
    aging: { photo: agingFigures(records.map((r) => r.photo)), decode: agingFigures(records.map((r) => r.decode)) },
    check: checkers.map((c, i) => {
      const real = records.map((r) => r.check[i]![0]!);
      const photo = records.map((r) => ({ ...r.photo, estimated: r.check[i]!.slice(1, 1 + r.photo.targets.length) }));
      const fit = realFaceFit(labels, real, lo, hi);
      const onItsScale = calibrated(photo, fit);
      return {
        name: c.name,
        ageMae: mean(records.map((r) => Math.abs(r.check[i]![0]! - r.face.age))),
        realSlope: fit?.slope ?? NaN,
        photo: agingFigures(photo),
        decode: agingFigures(records.map((r) => ({ ...r.decode, estimated: r.check[i]!.slice(1 + r.photo.targets.length) }))),
        photoCalibrated: onItsScale ? agingFigures(onItsScale) : null,
      };
    }),
    byBin,
    byGroup,
    longitudinal,
    samples,
    fullSamples: fullSamples.sort((a, b) => a.age - b.age),
    seconds: (performance.now() - t0) / 1000,
    settings: { ...blend, ageShift, scoreSize: SCORE_SIZE, sameDistance: SAME_PERSON_DISTANCE },
  };
}
