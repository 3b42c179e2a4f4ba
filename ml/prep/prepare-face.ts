import sharp from 'sharp';
import type { FaceSegmentRequest } from '../../contract/vision-page.js';
import { asBuffer, type RawImage, type VisionHost } from '../vision/host.js';
import type { QualityFlag } from '../../domain/crop-flags.js';
import type { Keypoints } from '../../domain/keypoints.js';
import type { DetectedFace, PersonMask, Pose } from './detect.js';
import { applyAffine, composeAffine, distance, invertAffine, type Affine, type Point } from './geometry.js';
import { FACE_OVAL } from './landmarks.js';
import { claheRgb } from './lighting.js';
import { boxDownscale, centreWindow, compositeOnGrey, ellipsePolygon, feather, fillPolygon, personAlpha, shrinkPolygon } from './masks.js';
import { lumaStats, luminance, perceptualHash, qualityFlags, qualityScore, type QualitySignals } from './quality.js';
import { DEFAULT_PREP_SETTINGS, type PrepSettings } from './settings.js';
import { alignmentTransform, TEMPLATE_V1 } from './template.js';
import { warpAffine } from './warp.js';

/** The segmenter's person confidence (0..255) over the context window round a crop (contextToCrop), side x side. */
export interface PersonContext {
  readonly side: number;
  readonly data: Uint8Array;
}

export interface PreparedFace {
  size: number;
  /** RGB, size * size * 3, background and lighting applied per the settings. */
  crop: Buffer;
  png: Buffer;
  /** Source px -> crop px. */
  transform: Affine;
  /** Crop px -> source px. */
  inverse: Affine;
  /** size * size, 0..255 feathered face oval (crop space), for pasting an output back onto the photo. */
  faceMask: Buffer;
  /**
   * The segmenter's person confidence (0..255) over the context window (CONTEXT_EXTENT crop sides round the crop's
   * centre, side x side; contextToCrop maps it to crop px), or null when the background is not segmented.
   */
  personContext: PersonContext | null;
  keypoints: Keypoints;
  signals: QualitySignals;
  /** Every flag but 'duplicate', which needs the catalogue. */
  flags: QualityFlag[];
  quality: number;
  /** 64-bit DCT hash of the aligned crop before background and lighting, 16 hex digits. */
  phash: string;
}

/** A detected face, or hand-placed keypoints (landmarks, score and pose then optional). */
export type FaceInput = DetectedFace | { keypoints: Keypoints; landmarks?: Point[]; score?: number; pose?: Pose; personMask?: PersonMask };

const STATS_SIZE = 128;

/** Yaw and pitch guessed from five points (nose offset from the eye/mouth midline), for hand-placed points. */
export function poseFromKeypoints(k: Keypoints): Pose {
  const iod = Math.max(1e-6, distance(k.leftEye, k.rightEye));
  const ex = (k.rightEye[0] - k.leftEye[0]) / iod;
  const ey = (k.rightEye[1] - k.leftEye[1]) / iod;
  const mid: Point = [(k.leftEye[0] + k.rightEye[0] + k.mouthLeft[0] + k.mouthRight[0]) / 4, (k.leftEye[1] + k.rightEye[1] + k.mouthLeft[1] + k.mouthRight[1]) / 4];
  const dx = ((k.nose[0] - mid[0]) * ex + (k.nose[1] - mid[1]) * ey) / iod;
  const deg = 180 / Math.PI;
  return { yaw: Math.asin(Math.max(-1, Math.min(1, dx * 1.6))) * deg, pitch: 0, roll: Math.atan2(ey, ex) * deg };
}

/** The face outline in crop px: the landmarks' face oval, else an ellipse around the template. */
function faceOutline(face: FaceInput, transform: Affine, size: number): Point[] {
  if (face.landmarks && face.landmarks.length >= 468) return FACE_OVAL.map((i) => applyAffine(transform, face.landmarks![i]!));
  const eyeY = TEMPLATE_V1[0]![1] * size;
  const mouthY = TEMPLATE_V1[3]![1] * size;
  return ellipsePolygon(0.5 * size, (eyeY + mouthY) / 2 + 0.02 * size, 0.3 * size, 0.42 * size);
}

async function statsAt128(raw: Buffer, size: number, outline: Point[]): Promise<{ brightness: number; contrast: number; blur: number; lum32: Float32Array }> {
  const img = size === STATS_SIZE ? raw : await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).resize(STATS_SIZE, STATS_SIZE, { kernel: 'cubic' }).raw().toBuffer();
  const k = STATS_SIZE / size;
  const inner = fillPolygon(shrinkPolygon(outline.map(([x, y]) => [x * k, y * k] as Point), 0.9), STATS_SIZE);
  const lum = luminance(img, STATS_SIZE * STATS_SIZE);
  const stats = lumaStats(lum, STATS_SIZE, inner);
  return { ...stats, lum32: boxDownscale(lum, STATS_SIZE, STATS_SIZE / 32) };
}

/** Side of the context window sent to the segmenter (which works at 256x256 inside): half resolution for 128/256 crops
 *  keeps the transfer and warping cheap; the mask is feathered anyway. */
export function segmentContextSide(size: number): number {
  return Math.min(256, Math.max(128, size));
}

/** The context window the segmenter sees is this many crop sides round the crop's centre. */
export const CONTEXT_EXTENT = 2;

/** Context-window px (side x side) -> crop px. */
export function contextToCrop(size: number, side: number): Affine {
  const k = (CONTEXT_EXTENT * size) / side;
  const o = ((CONTEXT_EXTENT - 1) / 2) * size;
  return [k, 0, -o, 0, k, -o];
}

/** Bilinear resize of a square single-channel image. */
function resizeMask(src: Buffer, from: number, to: number): Buffer {
  if (from === to) return src;
  const out = Buffer.allocUnsafe(to * to);
  const k = from / to;
  for (let y = 0; y < to; y++) {
    const fy = Math.min(from - 1, Math.max(0, (y + 0.5) * k - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(from - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < to; x++) {
      const fx = Math.min(from - 1, Math.max(0, (x + 0.5) * k - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(from - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * from + x0]! * (1 - wx) + src[y0 * from + x1]! * wx;
      const bottom = src[y1 * from + x0]! * (1 - wx) + src[y1 * from + x1]! * wx;
      out[y * to + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return out;
}

/** What detection is asked to segment so prepareFace needs no second page call: a square about twice the crop's
 *  extent, around the template's centre (the same context the separate segmenter call sees). */
export function faceSegmentRequest(settings: PrepSettings = DEFAULT_PREP_SETTINGS): FaceSegmentRequest {
  const [le, re] = [TEMPLATE_V1[0]!, TEMPLATE_V1[1]!];
  const eyeDistance = Math.hypot(re[0] - le[0], re[1] - le[1]);
  const eyeHeight = (le[1] + re[1]) / 2;
  return {
    extent: 2 / eyeDistance,
    down: (0.5 - eyeHeight) / eyeDistance,
    maskSide: Math.min(256, Math.round(segmentContextSide(settings.size) * 1.25)),
    grey: settings.background.grey,
  };
}

/** The crop's person confidence sampled (bilinear) from a detection-time mask, or null when the mask's region does not
 *  hold the whole crop. */
export function confidenceFromMask(mask: PersonMask, inverse: Affine, size: number): Buffer | null {
  const { cx, cy, side: rs, angle } = mask.region;
  const n = mask.side;
  if (!(rs > 0) || mask.data.length !== n * n) return null;
  // source px -> mask px (continuous, pixel centres at +0.5): turn about the centre by -angle, scale, shift.
  const k = n / rs;
  const cos = Math.cos(angle) * k;
  const sin = Math.sin(angle) * k;
  const toMask: Affine = [cos, sin, n / 2 - (cos * cx + sin * cy), -sin, cos, n / 2 - (-sin * cx + cos * cy)];
  const m = composeAffine(toMask, inverse);
  for (const corner of [[0, 0], [size, 0], [0, size], [size, size]] as Point[]) {
    const [u, v] = applyAffine(m, corner);
    if (u < -1e-6 * n || v < -1e-6 * n || u > n * (1 + 1e-6) || v > n * (1 + 1e-6)) return null;
  }
  // crop pixel centre -> mask index coordinates: a*x + b*y + c, d*x + e*y + f.
  const [a, b, c0, d, e, f0] = m;
  const c = c0 - 0.5;
  const f = f0 - 0.5;
  const out = Buffer.allocUnsafe(size * size);
  const src = mask.data;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = a * (x + 0.5) + b * (y + 0.5) + c;
      const py = d * (x + 0.5) + e * (y + 0.5) + f;
      const fx = px < 0 ? 0 : px > n - 1 ? n - 1 : px;
      const fy = py < 0 ? 0 : py > n - 1 ? n - 1 : py;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = x0 + 1 < n ? x0 + 1 : x0;
      const y1 = y0 + 1 < n ? y0 + 1 : y0;
      const wx = fx - x0;
      const wy = fy - y0;
      const top = src[y0 * n + x0]! * (1 - wx) + src[y0 * n + x1]! * wx;
      const bottom = src[y1 * n + x0]! * (1 - wx) + src[y1 * n + x1]! * wx;
      out[y * size + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return out;
}

/** Person alpha for the crop: from the mask segmented at detection when it covers the crop, else from the segmenter
 *  run on a context window twice the crop's extent; with the person confidence over that window. */
async function backgroundAlpha(host: VisionHost, photo: RawImage, face: FaceInput, transform: Affine, size: number, settings: PrepSettings): Promise<{ alpha: Buffer; context: PreparedFace['personContext'] }> {
  const sigma = (settings.background.feather * size) / 128;
  const side = segmentContextSide(size);
  const inverse = invertAffine(transform);
  const fromMask = face.personMask ? confidenceFromMask(face.personMask, inverse, size) : null;
  if (fromMask) {
    const context = confidenceFromMask(face.personMask!, composeAffine(inverse, contextToCrop(size, side)), side);
    return { alpha: personAlpha(fromMask, size, settings.background.threshold, sigma), context: context ? { side, data: context } : null };
  }
  const toContext = composeAffine(invertAffine(contextToCrop(size, side)), transform);
  const context = await warpAffine(photo, toContext, side, settings.background.grey);
  const res = await host.segment({ width: side, height: side, channels: 3, data: context });
  if (res.width !== side || res.height !== side) throw new Error(`segmenter mask is ${res.width}x${res.height}, expected ${side}x${side}`);
  const conf = resizeMask(centreWindow(asBuffer(res.mask), side, side / 2, 1), side / 2, size);
  return { alpha: personAlpha(conf, size, settings.background.threshold, sigma), context: { side, data: Uint8Array.from(res.mask) } };
}

/** Aligns, cleans and scores one face of a photo. The same call serves training data and photos dropped in later. */
export async function prepareFace(
  host: VisionHost,
  photo: RawImage,
  face: FaceInput,
  settings: PrepSettings = DEFAULT_PREP_SETTINGS,
  ctx: { faceCount?: number } = {},
): Promise<PreparedFace> {
  const size = settings.size;
  const grey = settings.background.grey;
  const transform = alignmentTransform(face.keypoints, size);
  const inverse = invertAffine(transform);
  const outline = faceOutline(face, transform, size);

  const [raw, person] = await Promise.all([
    warpAffine(photo, transform, size, grey),
    settings.background.enabled ? backgroundAlpha(host, photo, face, transform, size, settings) : Promise.resolve(null),
  ]);
  const alpha = person?.alpha ?? null;

  const faceHard = fillPolygon(shrinkPolygon(outline, 0.97), size);
  const faceMask = feather(faceHard, size, size / 40);
  if (alpha) for (let i = 0; i < alpha.length; i++) if (faceMask[i]! > alpha[i]!) alpha[i] = faceMask[i]!;

  const stats = await statsAt128(raw, size, outline);
  let crop = raw;
  if (settings.lighting.enabled) crop = claheRgb(crop, size, size, settings.lighting);
  if (alpha) crop = compositeOnGrey(crop, alpha, grey);
  const png = await sharp(crop, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();

  const pose = face.pose ?? poseFromKeypoints(face.keypoints);
  let faceArea = 1;
  if (alpha) {
    let s = 0;
    for (let i = 0; i < alpha.length; i++) s += alpha[i]!;
    faceArea = s / (255 * alpha.length);
  }
  const signals: QualitySignals = {
    score: face.score ?? 1,
    faceCount: ctx.faceCount ?? 1,
    yaw: round(pose.yaw, 2),
    pitch: round(pose.pitch, 2),
    roll: round(pose.roll, 2),
    interOcular: round(distance(face.keypoints.leftEye, face.keypoints.rightEye), 2),
    blur: round(stats.blur, 2),
    brightness: round(stats.brightness, 2),
    contrast: round(stats.contrast, 2),
    outside: round(outsideOf(inverse, size, photo.width, photo.height), 4),
    faceArea: round(faceArea, 4),
  };
  const flags = qualityFlags(signals);
  return {
    size,
    crop,
    png,
    transform,
    inverse,
    faceMask,
    personContext: person?.context ?? null,
    keypoints: face.keypoints,
    signals,
    flags,
    quality: qualityScore(signals, flags),
    phash: perceptualHash(stats.lum32),
  };
}

function outsideOf(inverse: Affine, size: number, width: number, height: number): number {
  const [a, b, c, d, e, f] = inverse;
  let outside = 0;
  let total = 0;
  const step = Math.max(1, size / 64);
  for (let y = step / 2; y < size; y += step) {
    for (let x = step / 2; x < size; x += step) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      total++;
      if (sx < 0 || sy < 0 || sx >= width || sy >= height) outside++;
    }
  }
  return outside / total;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
