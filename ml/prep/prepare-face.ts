import sharp from 'sharp';
import type { RawImage, VisionHost } from '../vision/host.js';
import type { DetectedFace, Keypoints5, Pose } from './detect.js';
import { applyAffine, distance, invertAffine, type Affine, type Point } from './geometry.js';
import { FACE_OVAL } from './landmarks.js';
import { claheRgb } from './lighting.js';
import { boxDownscale, centreWindow, compositeOnGrey, ellipsePolygon, feather, fillPolygon, personAlpha, shrinkPolygon } from './masks.js';
import { lumaStats, luminance, perceptualHash, qualityFlags, qualityScore, type QualityFlag, type QualitySignals } from './quality.js';
import { DEFAULT_PREP_SETTINGS, type PrepSettings } from './settings.js';
import { alignmentTransform, TEMPLATE_V1 } from './template.js';
import { warpAffine } from './warp.js';

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
  keypoints: Keypoints5;
  signals: QualitySignals;
  /** Every flag but 'duplicate', which needs the catalogue. */
  flags: QualityFlag[];
  quality: number;
  /** 64-bit DCT hash of the aligned crop before background and lighting, 16 hex digits. */
  phash: string;
}

/** A detected face, or hand-placed keypoints (landmarks, score and pose then optional). */
export type FaceInput = DetectedFace | { keypoints: Keypoints5; landmarks?: Point[]; score?: number; pose?: Pose };

const STATS_SIZE = 128;

/** Yaw and pitch guessed from five points (nose offset from the eye/mouth midline), for hand-placed points. */
export function poseFromKeypoints(k: Keypoints5): Pose {
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

/** Person alpha for the crop, from the segmenter run on a context window twice the crop's extent. */
async function backgroundAlpha(host: VisionHost, photo: RawImage, transform: Affine, size: number, settings: PrepSettings): Promise<Buffer> {
  const side = segmentContextSide(size);
  const k = side / (2 * size);
  // crop px -> context px: shift by half a crop (the crop sits in the middle), then scale to the context side.
  const toContext: Affine = [transform[0] * k, transform[1] * k, (transform[2] + size / 2) * k, transform[3] * k, transform[4] * k, (transform[5] + size / 2) * k];
  const context = await warpAffine(photo, toContext, side, settings.background.grey);
  const res = await host.segment({ width: side, height: side, channels: 3, data: context });
  if (res.width !== side || res.height !== side) throw new Error(`segmenter mask is ${res.width}x${res.height}, expected ${side}x${side}`);
  const conf = resizeMask(centreWindow(Buffer.from(res.maskBase64, 'base64'), side, side / 2, 1), side / 2, size);
  return personAlpha(conf, size, settings.background.threshold, (settings.background.feather * size) / 128);
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

  const [raw, alpha] = await Promise.all([
    warpAffine(photo, transform, size, grey),
    settings.background.enabled ? backgroundAlpha(host, photo, transform, size, settings) : Promise.resolve(null),
  ]);

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
    keypoints: face.keypoints,
    signals,
    flags,
    quality: qualityScore(signals, flags),
    phash: perceptualHash(stats.lum32),
  };
}

function outsideOf(inverse: Affine, size: number, width: number, height: number): number {
  let outside = 0;
  let total = 0;
  const step = Math.max(1, size / 64);
  for (let y = step / 2; y < size; y += step) {
    for (let x = step / 2; x < size; x += step) {
      const [sx, sy] = applyAffine(inverse, [x, y]);
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
