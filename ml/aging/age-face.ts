import * as tf from '@tensorflow/tfjs';
import { genderCode, makeCond } from '../cvae/cond.js';
import { ageShiftVector } from '../cvae/sidecar.js';
import type { Affine } from '../prep/geometry.js';
import { estimateAgeGender } from '../estimators/index.js';
import type { RawImage } from '../estimators/image.js';
import type { AgingModel, PrototypeSource } from './model.js';
import type { Point } from '../prep/geometry.js';
import { warpCropImage, type WarpField } from '../shape/warp-field.js';
import { prototypeChange } from './prototype-change.js';
import { MESH_POINTS } from '../shape/mesh.js';
import { warpPasteBack } from './warp-paste.js';
import { clampAges, type ClampedAges } from './ages.js';
import { pasteBack } from './paste-back.js';
import { growMask } from './mask-grow.js';
import { averagedDecodes, averagingVariants, changeAveraging, mirrorImages } from './change-average.js';
import { detailForSource, gainForSource, keepTone, scaleChroma, textureShare, withoutCheckerboard } from './change-filters.js';
import { templatePoints } from '../prep/template.js';
import path from 'node:path';
import { cropChroma, DEFAULT_FEATURE_SPREAD, shapeWeight, lightnessChange, lightnessWeights, lineGains, maskWidth, parseLightness, type LightnessSettings, type LightnessWeights } from './detail-change.js';
import { scaleOwnDetail, type DetailBand } from './detail-paste.js';
import { beardLift } from './beard-lift.js';
import { brightCeiling } from './bright-cap.js';
import { greyBeardDarken } from './grey-beard.js';
import { browKeep } from './brow-keep.js';
import { featureZone, sharpFeatureZone } from './feature-zones.js';
import { greyHair, hairPlan, hairShare, type HairPlan } from './hair-grey.js';
import type { PersonContext } from '../prep/prepare-face.js';
import { faceSoftness } from './photo-grain.js';
import { DETAIL_ENERGY_FILE, detailRatioMap, loadDetailEnergy, type DetailEnergy } from './detail-energy.js';
import { bankLift, bankSkin, DEFAULT_BANK_MATCH, modelDetailBank } from './bank-lift.js';
import type { DetailBank } from './detail-bank.js';
import { modelPart } from './model-part.js';

export type Gender = 'male' | 'female';

/** The blurs (shares of the face's width) the bright-skin level is read after (pores and grain do not count) and the skin round a pixel is (wider than lines and folds). */
const BRIGHT_BLUR = 0.02;
const BRIGHT_LOCAL = 0.06;

/** An aligned face ready for aging (what prep's prepareFace returns, or a stored crop with its transform). */
export interface AlignedFace {
  /** RGB, size * size * 3. */
  readonly crop: Uint8Array;
  readonly size: number;
  /** Source px -> crop px. */
  readonly transform: Affine;
  /** size * size feathered face mask, 0..255. */
  readonly faceMask: Uint8Array;
  /** MediaPipe's landmarks in crop px (at least the 468 mesh points); without them the face keeps its shape. */
  readonly landmarks?: readonly Point[] | null;
  /** The hair round the head (hair-grey.ts), when the aging greys it; null or absent: the hair is kept. */
  readonly hair?: HairPlan | null;
}

export interface AgeFaceOptions {
  readonly ages: readonly number[];
  /** Known source age; estimated from the crop when missing. */
  readonly sourceAge?: number;
  readonly gender?: Gender;
  /** Decode from a sample of the posterior instead of its mean. */
  readonly sample?: boolean;
  readonly seed?: number;
  /** Move z by the sidecar's per-age-bin latent means (default true when the sidecar has them). */
  readonly ageShift?: boolean;
  /** Multiplies that move (default: the model's sidecar, else 1). */
  readonly shift?: number;
  /** Multiplies the change decode(target) - decode(source) (default: the model's sidecar, else 1). */
  readonly gain?: number;
  /**
   * Share of the skin's own detail that the decoder cannot draw (crop - decode at the source age) kept inside the mask:
   * 1 carries only the change onto the photo (residual transfer), 0 shows the decode itself on the skin. The eyes, nose
   * and mouth keep their detail, and detail finer than the crop's resolution always stays. Default: the model's
   * sidecar, else 1.
   */
  readonly detail?: number;
  /** Share of the change's colour (its difference from grey) that is kept; 1 keeps all of it. Default: the model's sidecar, else 1. */
  readonly chroma?: number;
  /** Share of the change's broad shading (wider than 1/8 of the crop) that is kept; 1 keeps all. Default: the model's sidecar, else 1. */
  readonly tone?: number;
  /** Grows the face mask by this share of the crop side before paste-back (mask-grow.ts). Default: the model's sidecar, else 0. */
  readonly maskGrow?: number;
  /** Warp the face from its age's prototype shape towards the target age's (default true when the model has prototypes). */
  readonly shape?: boolean;
  /** Add the texture change: the decoder's, and the prototypes' (default true). */
  readonly texture?: boolean;
  /** Weight of the prototype texture difference within the texture change. Default: the model's sidecar, else 1. */
  readonly prototype?: number;
  /**
   * Age in lightness and detail (detail-change.ts): the settings, or null for the older blend (the decoder's whole
   * change, with `detail`, `chroma` and `tone`). Default: the model's sidecar (`aging.lightness`), else null.
   */
  readonly lightness?: LightnessSettings | null;
  /**
   * Make the crop frames, the decodes and the detail gains (default true). The team's frames need only the changes
   * and the warp fields: without them, cropFrames and decodes are empty and detailGains are null.
   */
  readonly cropFrames?: boolean;
}

/** How the decoder's change is carried onto the face, with every setting resolved. */
export type BlendSettings = Required<Pick<AgeFaceOptions, 'shift' | 'gain' | 'detail' | 'chroma' | 'tone' | 'maskGrow' | 'prototype' | 'lightness'>>;

const parsedLightness = new WeakMap<AgingModel, LightnessSettings | null>();
const toldWithout = new Set<string>();

const loadedEnergy = new WeakMap<AgingModel, DetailEnergy | null>();

/**
 * The model's table of real faces' detail by age (detail-energy.ts), loaded once: a bad file is an error naming it; a
 * model without one keeps the face's own lines at every age, and says so once.
 */
export function modelDetailEnergy(model: AgingModel): DetailEnergy | null {
  return modelPart(loadedEnergy, model, DETAIL_ENERGY_FILE, loadDetailEnergy, "the face's own lines are kept at every target age");
}

/**
 * The model's lightness settings (sidecar `aging.lightness`), checked once per model: a bad value is an error naming
 * the file. A model without them ages with the older blend, and says so once.
 */
export function modelLightness(model: AgingModel): LightnessSettings | null {
  if (parsedLightness.has(model)) return parsedLightness.get(model)!;
  const file = path.join(model.choice.dir, 'sidecar.json');
  const l = parseLightness((model.sidecar.aging as { lightness?: unknown } | undefined)?.lightness, file);
  parsedLightness.set(model, l);
  if (!l && !toldWithout.has(file)) {
    toldWithout.add(file);
    console.warn(`note: ${file} has no aging.lightness settings; aging with the older blend (the decoder's whole change)`);
  }
  return l;
}

/** The blend settings in force: the options, else the model's tuned values (sidecar `aging`), else plain residual transfer. */
export function blendSettings(model: AgingModel, options: Partial<BlendSettings>): BlendSettings {
  const tuned = model.sidecar.aging ?? {};
  return {
    shift: options.shift ?? tuned.shift ?? 1,
    gain: options.gain ?? tuned.gain ?? 1,
    detail: options.detail ?? tuned.detail ?? 1,
    chroma: options.chroma ?? tuned.chroma ?? 1,
    tone: options.tone ?? tuned.tone ?? 1,
    maskGrow: options.maskGrow ?? tuned.maskGrow ?? 0,
    prototype: options.prototype ?? tuned.prototype ?? 1,
    lightness: options.lightness !== undefined ? options.lightness : modelLightness(model),
  };
}

export interface AgedFaceResult {
  readonly sourceAge: number;
  readonly sourceAgeEstimated: boolean;
  readonly gender: Gender;
  readonly genderEstimated: boolean;
  readonly ages: ClampedAges;
  /** Crop-size frames: the aligned crop plus the change, one per target age. */
  readonly cropFrames: RawImage[];
  /** The decoder's own outputs at the target ages (crop size). */
  readonly decodes: RawImage[];
  /** Per target age, the shape change (crop space), or null when the face keeps its shape. */
  readonly fields: (WarpField | null)[];
  /** Where the prototypes came from, when used: this model's own, or the default model's. */
  readonly prototypes: PrototypeSource | null;
  /**
   * Per target age, the gain on the face's own fine detail (crop space, the output's geometry; detail-paste.ts), or
   * null; `detailSigmas` the width in crop px of the blur that detail is measured against, per target age.
   */
  readonly detailGains: (Float32Array | null)[];
  readonly detailSigmas: number[];
  /** Per target age, how that detail is measured (edge-preserving, fine grain kept) going younger; {} otherwise. */
  readonly detailBands: DetailBand[];
  /** Per target age, the share of the hair greyed (> 0) or coloured back (< 0) (hair-grey.ts hairShare); 0: kept. */
  readonly hairShares: number[];
}

function toBytes(values: Float32Array, offset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = (values[offset + i]! + 1) * 127.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Deterministic standard normals (mulberry32 + Box-Muller). */
function normals(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/**
 * Decodes an aligned face at the target ages. Returns the decodes, the crop-space changes to carry onto the photo
 * (in 0..255 units: gain x (decode at the target - decode at the source), plus the faded detail; see `detail`) and the
 * crop frames (crop + change).
 */
export async function ageAlignedFace(model: AgingModel, face: AlignedFace, options: AgeFaceOptions): Promise<AgedFaceResult & { deltas: Float32Array[] }> {
  const size = model.size;
  if (face.size !== size) throw new Error(`the aligned face is ${face.size} px but the model expects ${size} px`);
  const ages = clampAges(options.ages, model.ageRange);
  let sourceAge = options.sourceAge;
  let gender = options.gender;
  const needEstimate = sourceAge === undefined || gender === undefined;
  if (needEstimate) {
    const [est] = await estimateAgeGender([{ data: face.crop, width: size, height: size, channels: 3 }]);
    sourceAge ??= Math.round(est!.age);
    gender ??= est!.gender;
  }
  const sourceForCond = Math.min(model.ageRange.max, Math.max(model.ageRange.min, sourceAge!));
  const g = genderCode(gender);
  const latentDim = model.cvae.config.latentDim;
  const useShift = options.ageShift ?? true;
  const blend = blendSettings(model, options);
  const shifts = ages.ages.map((t) => (useShift ? ageShiftVector(model.sidecar, sourceForCond, t)?.map((v) => v * blend.shift) ?? null : null));
  const n = ages.ages.length;

  const useTexture = options.texture ?? true;
  const light = useTexture ? blend.lightness : null;
  // Going older, the decoder's change is averaged over variants of the face (change-average.ts): only the source and
  // the older targets that use the decoder's change (both ages 20 or under use none) are decoded again.
  const older = [0, ...ages.ages.flatMap((t, k) => (t > sourceForCond && textureShare(sourceForCond, t) > 0 ? [k + 1] : []))];
  const averaging = older.length > 1 ? changeAveraging(light) : null;
  const variants = averagingVariants(averaging);
  const out = tf.tidy(() => {
    const own = new Float32Array(face.crop.length);
    for (let i = 0; i < own.length; i++) own[i] = face.crop[i]! / 127.5 - 1;
    const mirrored = variants.some((v) => v.mirrored);
    const x = tf.tensor4d(mirrored ? concat(own, mirrorImages(own, 1, size)) : own, [mirrored ? 2 : 1, size, size, 3]);
    const { mu, logvar } = model.cvae.encode(x, makeCond(mirrored ? [sourceForCond, sourceForCond] : [sourceForCond], mirrored ? [g, g] : [g]));
    let z: tf.Tensor2D = mu;
    if (options.sample) z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.tensor2d(normals(latentDim, options.seed ?? 1), [1, latentDim])));
    const shiftRows = new Float32Array((n + 1) * latentDim);
    shifts.forEach((s, i) => {
      if (s) shiftRows.set(s, (i + 1) * latentDim);
    });
    const sd = tf.exp(tf.mul(logvar, 0.5));
    // Every variant's decodes in one batch: all rows for the first, the source and older targets for the others.
    const every = Array.from({ length: n + 1 }, (_, r) => r);
    const rowsOf = (v: number): number[] => (v === 0 ? every : older);
    const zs = tf.concat(
      variants.map(({ mirrored: m, sample }, v) => {
        let zv = tf.slice(z, [m ? 1 : 0, 0], [1, latentDim]);
        // Antithetic pairs (+e, -e): their mean decode stays at z's to first order, only the mottles average.
        const k = averaging ? (sample % 2 === 1 ? averaging.spread : -averaging.spread) : 0;
        if (sample > 0) zv = tf.add(zv, tf.mul(tf.slice(sd, [m ? 1 : 0, 0], [1, latentDim]), tf.tensor2d(normals(latentDim, 7919 * Math.ceil(sample / 2)).map((v) => v * k), [1, latentDim])));
        const rows = rowsOf(v);
        const shift = new Float32Array(rows.length * latentDim);
        rows.forEach((r, i) => shift.set(shiftRows.subarray(r * latentDim, (r + 1) * latentDim), i * latentDim));
        return tf.add(tf.tile(zv, [rows.length, 1]), tf.tensor2d(shift, [rows.length, latentDim]));
      }),
    ) as tf.Tensor2D;
    const rowAges = [sourceForCond, ...ages.ages];
    const conds = variants.flatMap((_, v) => rowsOf(v).map((r) => rowAges[r]!));
    const cond = makeCond(conds, new Array<number>(conds.length).fill(g));
    return model.cvae.decode(zs, cond);
  });
  const all = await out.data<'float32'>();
  out.dispose();
  const raw = all.subarray(0, (n + 1) * size * size * 3);
  // The changes are taken between decodes without their period-2 checkerboard (transposed convolutions draw one, and
  // it reads as skin texture): a [1, 2, 1] / 4 filter each way removes exactly that frequency.
  const filtered = withoutCheckerboard(all, all.length / (size * size * 3), size);
  const values = averaging ? averagedDecodes(filtered, n + 1, size, averaging, older) : filtered;

  const px = size * size * 3;
  const protos = model.prototypes;
  const useShape = options.shape ?? true;
  const protoTexture = useTexture ? blend.prototype : 0;
  const faceWidth = maskWidth(face.faceMask, size);
  const energy = light ? modelDetailEnergy(model) : null;
  const change =
    protos && face.landmarks && face.landmarks.length >= MESH_POINTS && (useShape || protoTexture > 0)
      ? prototypeChange(protos.data, size, face.crop, face.landmarks, gender!, sourceForCond, ages.ages, {
          shape: useShape,
          texture: light ? (protoTexture > 0 ? 1 : 0) : protoTexture,
          faceMask: face.faceMask,
          shapeWeights: ages.ages.map((t) => shapeWeight(light?.shapeGap, sourceForCond, t)),
        })
      : null;
  const skin = light ? fadeMap(size, 1, face.faceMask) : null;
  const ownChroma = light ? cropChroma(face.crop, size * size) : null;
  const brightSigmas = { level: BRIGHT_BLUR * faceWidth, local: BRIGHT_LOCAL * faceWidth };
  // The ceiling on lightening going younger (the same margins at every target: made once, on the first younger one).
  let ceiling: Float32Array | undefined;
  const softness = light?.sharpMatch ? faceSoftness(face.crop, size, Uint8Array.from(face.faceMask, (m) => (m >= 200 ? 1 : 0))) : 0;
  const features = (light?.featureShield || light?.childShadeFeatures) && face.landmarks && face.landmarks.length >= MESH_POINTS ? featureZone(face.landmarks, size, (light.featureSpread ?? DEFAULT_FEATURE_SPREAD) * faceWidth) : null;
  let bank: DetailBank | null | undefined;
  let bankSkinMap: Float32Array | undefined;
  const detailGains: (Float32Array | null)[] = [];
  const detailSigmas: number[] = [];
  const detailBands: DetailBand[] = [];
  // The skin that smoothing going younger may touch (made once, on the first younger target).
  let youngSkin: Float32Array | null = null;
  const decodes: RawImage[] = [];
  const deltas: Float32Array[] = [];
  const cropFrames: RawImage[] = [];
  const gain = gainForSource(blend.gain, sourceForCond);
  // With prototypes the shape and their texture grow a child up, so the child keeps its own skin detail like anyone.
  const fade = fadeMap(size, 1 - (change ? blend.detail : detailForSource(blend.detail, sourceForCond)), face.faceMask);
  const { chroma, tone } = blend;
  const makeFrames = options.cropFrames ?? true;
  for (let k = 0; k < n; k++) {
    const off = (k + 1) * px;
    if (makeFrames) decodes.push({ data: toBytes(raw, off, px), width: size, height: size, channels: 3 });
    let delta: Float32Array = new Float32Array(px);
    let gains: Float32Array | null = null;
    let sigma = 0;
    let band: DetailBand = {};
    if (light) {
      const t = ages.ages[k]!;
      const w = lightnessWeights(light, sourceForCond, t, gender === 'male');
      if (w.bank && bank === undefined && face.landmarks && face.landmarks.length >= MESH_POINTS) bank = modelDetailBank(model);
      const lines = w.bank && bank ? bankLift(bank, { crop: face.crop, size, landmarks: face.landmarks!, skin: (bankSkinMap ??= bankSkin(face.faceMask, face.landmarks!, size, faceWidth)), gender: gender!, sourceAge: sourceForCond, targetAge: t, weight: w.bank, candidates: light.bankMatch ?? DEFAULT_BANK_MATCH, soften: (w.soften ?? 0) * softness }) : null;
      const lift = sumPlanes(youngerLift(face, size, skin, faceWidth, ownChroma!, w), lines);
      delta = lightnessChange(light, { size, decodes: values, target: k + 1, gain: blend.gain, prototype: change?.textures[k] ?? null, faceWidth, features, weights: { ...w, prototype: w.prototype * protoTexture }, crop: { rgb: face.crop, chroma: ownChroma! }, lift, ceiling: w.cap && skin ? (ceiling ??= brightCeiling(face.crop, size, skin, brightSigmas, w.cap)) : undefined, softness });
      if (skin && (w.lines > 0 || w.smooth > 0)) {
        const ratio = energy ? detailRatioMap(energy, gender!, sourceForCond, t, size) : new Float32Array(size * size).fill(1);
        if (w.smooth > 0 && !youngSkin) youngSkin = face.landmarks && face.landmarks.length >= MESH_POINTS ? keepBrows(face.faceMask, face.landmarks, size, (light.youngerFeatures ?? 0) * faceWidth) : skin;
        gains = lineGains(ratio, w.smooth > 0 ? youngSkin! : skin, energy ? w.lines : 0, t >= sourceForCond, w.smooth);
      }
      sigma = w.linesBlur * faceWidth;
      if (w.smooth > 0) band = { edge: w.edge, keep: w.keep * faceWidth, skinMean: w.skinMean, colour: w.colourFade };
      else if ((w.core ?? 0) > 0) band = { core: w.core };
    } else if (useTexture) {
      const share = change?.fields[k] ? textureShare(sourceForCond, ages.ages[k]!) : 1;
      for (let i = 0; i < px; i++) {
        const source = (values[i]! + 1) * 127.5;
        delta[i] = share * (gain * (values[off + i]! - values[i]!) * 127.5 + fade[(i / 3) | 0]! * (source - face.crop[i]!));
      }
      const proto = change?.textures[k];
      if (proto) for (let i = 0; i < px; i++) delta[i] = delta[i]! + proto[i]!;
      if (chroma !== 1) scaleChroma(delta, chroma);
      keepTone(delta, size, tone, size / 8);
    }
    const field = change?.fields[k] ?? null;
    deltas.push(delta);
    const shownGains = gains && field ? warpCropImage(gains, size, 1, field) : gains;
    detailGains.push(shownGains);
    detailSigmas.push(sigma);
    detailBands.push(band);
    if (!makeFrames) continue;
    const base = field ? warpCropImage(face.crop, size, 3, field) : face.crop;
    const shown = field ? warpCropImage(delta, size, 3, field) : delta;
    const frame = new Uint8Array(px);
    for (let i = 0; i < px; i++) {
      const v = base[i]! + shown[i]!;
      frame[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    const cropFrame = { data: frame, width: size, height: size, channels: 3 };
    cropFrames.push(shownGains ? scaleOwnDetail(cropFrame, shownGains, size, [1, 0, 0, 0, 1, 0], sigma, band) : cropFrame);
  }
  const fields = change ? change.fields : ages.ages.map(() => null);
  return {
    sourceAge: sourceAge!,
    sourceAgeEstimated: options.sourceAge === undefined,
    gender: gender!,
    genderEstimated: options.gender === undefined,
    ages,
    cropFrames,
    decodes,
    deltas,
    fields,
    prototypes: change ? protos!.source : null,
    detailGains,
    detailSigmas,
    detailBands,
    hairShares: ages.ages.map((t) => hairShare(light?.hairGrey ?? 0, sourceForCond, t)),
  };
}


/** Going younger, a man's beard shadow lifted (beard-lift.ts) and his grey facial hair darkened (grey-beard.ts), in levels per crop pixel; null when neither applies. */
function youngerLift(face: AlignedFace, size: number, skin: Float32Array | null, faceWidth: number, chroma: Float32Array, w: LightnessWeights): Float32Array | null {
  const lift = w.beard > 0 && skin ? beardLift(face.crop, size, skin, faceWidth, w.beard) : null;
  const grey = (w.greyBeard ?? 0) > 0 && face.landmarks && face.landmarks.length >= MESH_POINTS ? greyBeardDarken(face.crop, size, face.faceMask, face.landmarks, chroma, w.greyBeard!) : null;
  if (!grey) return lift;
  if (lift) for (let i = 0; i < grey.length; i++) grey[i] = grey[i]! + lift[i]!;
  return grey;
}

/** Two optional lightness lifts (the younger face's, the bank's lines) as one; null when neither. */
function sumPlanes(a: Float32Array | null, b: Float32Array | null): Float32Array | null {
  if (!a || !b) return a ?? b;
  for (let i = 0; i < b.length; i++) b[i] = b[i]! + a[i]!;
  return b;
}

/**
 * The skin that smoothing going younger may touch: the skin map with the eyes left to the mesh's own eye and brow
 * outlines (brow-keep.ts) instead of the template's wide spots, so crow's feet and the folds under the eyes fade too;
 * with `featureSigma` (crop px) it fades off round the eyes, brows, lips and nostrils as well (sharpFeatureZone).
 */
function keepBrows(faceMask: Uint8Array, landmarks: readonly Point[], size: number, featureSigma = 0): Float32Array {
  const keep = browKeep(landmarks, size);
  const sharp = featureSigma > 0 ? sharpFeatureZone(landmarks, size, featureSigma) : null;
  const skin = fadeMap(size, 1, faceMask, false);
  for (let i = 0; i < skin.length; i++) skin[i] = skin[i]! * keep[i]! * (sharp ? 1 - sharp[i]! : 1);
  return skin;
}

/** Where the eyes, nose and mouth sit in every aligned crop (template.ts), with the spread of each, in crop sides. */
const FEATURES: readonly { point: number | [number, number]; sigma: number }[] = [
  { point: 0, sigma: 0.07 },
  { point: 1, sigma: 0.07 },
  { point: 2, sigma: 0.05 },
  { point: [3, 4], sigma: 0.06 },
  { point: 3, sigma: 0.04 },
  { point: 4, sigma: 0.04 },
];

/**
 * Per crop pixel, how much of the face's own detail fades (1 - detail): all of it on the skin, where age shows, and
 * none at the eyes, nose and mouth, which carry most of who the person is. Only inside the face mask (squared, so
 * it falls off before the mask's edge): beyond the face the decoder draws what training crops had there, often the
 * grey of their padding, and swapping the photo's hair for that would leave a pale band.
 */
export function fadeMap(size: number, fade: number, faceMask: Uint8Array, eyes = true): Float32Array {
  const out = new Float32Array(size * size).fill(fade);
  if (fade === 0) return out;
  const pts = templatePoints(size);
  const centres = FEATURES.filter(({ point }) => eyes || (point !== 0 && point !== 1)).map(({ point, sigma }) => {
    const [x, y] = typeof point === 'number' ? pts[point]! : [(pts[point[0]]![0] + pts[point[1]]![0]) / 2, (pts[point[0]]![1] + pts[point[1]]![1]) / 2];
    return { x, y, inv: 1 / (2 * (sigma * size) ** 2) };
  });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let keep = 0;
      for (const c of centres) keep = Math.max(keep, Math.exp(-((x + 0.5 - c.x) ** 2 + (y + 0.5 - c.y) ** 2) * c.inv));
      const m = faceMask[y * size + x]! / 255;
      out[y * size + x] = fade * (1 - keep) * m * m;
    }
  }
  return out;
}

/**
 * The face with its hair plan (hair-grey.ts) when the aging greys hair (`hairGrey` in the lightness settings in
 * force), else with none: `person` gives the segmenter's confidence over its context window (prepareFace's
 * personContext), asked for only then.
 */
export async function withHair(model: AgingModel, options: Pick<AgeFaceOptions, 'lightness' | 'texture'>, photo: RawImage, face: AlignedFace, person: () => PersonContext | null): Promise<AlignedFace> {
  if (options.texture === false || !((blendSettings(model, options).lightness?.hairGrey ?? 0) > 0)) return { ...face, hair: null };
  return { ...face, hair: await hairPlan(photo, face.transform, face.landmarks, face.faceMask, face.size, person()) };
}

/** The mask paste-back uses: the face mask, grown by options.maskGrow (else the model's tuned value). */
export function pasteMask(model: AgingModel, face: AlignedFace, options: Pick<AgeFaceOptions, 'maskGrow'>): Uint8Array {
  return growMask(face.faceMask, face.size, blendSettings(model, options).maskGrow);
}

/** The photo-resolution frames: each crop-space change (ageAlignedFace's deltas) carried onto the photo inside `mask`, in the geometry of its warp. */
export function photoFrames(
  photo: RawImage,
  face: AlignedFace,
  aged: Pick<AgedFaceResult, 'fields'> & Partial<Pick<AgedFaceResult, 'detailGains' | 'detailSigmas' | 'detailBands' | 'hairShares'>> & { deltas: readonly Float32Array[] },
  mask: Uint8Array = face.faceMask,
): RawImage[] {
  return aged.deltas.map((data, k) => {
    const field = aged.fields[k];
    const frame = field ? warpPasteBack(photo, { size: face.size, data }, mask, face.transform, field) : pasteBack(photo, { size: face.size, data }, mask, face.transform);
    const gains = aged.detailGains?.[k];
    const out = gains ? scaleOwnDetail(frame, gains, face.size, face.transform, aged.detailSigmas?.[k] ?? 1, aged.detailBands?.[k]) : frame;
    const share = aged.hairShares?.[k] ?? 0;
    // The hair's own paste (in place: the frame is a copy of the photo), after the face's: it reads each pixel as the
    // face's paste left it, so skin the warp moved over hair stays skin.
    if (face.hair && share !== 0) greyHair(out, face.hair, face.transform, share, photo);
    return out;
  });
}
