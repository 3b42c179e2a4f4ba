import type { FaceRegion, FaceSegmentRequest, PageFace } from '../../contract/vision-page.js';
import { asBuffer, type RawImage, type VisionHost, type VisionInput } from '../vision/host.js';
import sharp from 'sharp';
import { KEYPOINT_NAMES, type KeypointName, type Keypoints } from '../../domain/keypoints.js';
import { prominence } from '../../domain/face.js';
import { distance, type Point } from './geometry.js';
import { LM } from './landmarks.js';
import type { Photo } from './photo.js';

/** Degrees. yaw: turn left/right; pitch: nod; roll: in-plane tilt of the eye line. */
export interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Person confidence over a turned square of the photo (source px), segmented in the detection call. */
export interface PersonMask {
  region: FaceRegion;
  side: number;
  /** side * side, 0..255. */
  data: Buffer;
}

export interface DetectedFace {
  score: number;
  box: [number, number, number, number];
  keypoints: Keypoints;
  landmarks: Point[];
  pose: Pose;
  personMask?: PersonMask;
}

/** Longest side the page sees; larger photos are downscaled for detection and the coordinates mapped back. */
export const DEFAULT_DETECT_MAX_SIDE = 1024;
/** Score used when the landmarker found a face the separate detector missed. */
const UNMATCHED_SCORE = 0.5;

export function keypointsToArray(k: Keypoints): Point[] {
  return KEYPOINT_NAMES.map((n) => k[n]);
}

export function keypointsFromArray(points: readonly Point[]): Keypoints {
  if (points.length !== 5) throw new Error(`five keypoints are needed, got ${points.length}`);
  return { leftEye: points[0]!, rightEye: points[1]!, nose: points[2]!, mouthLeft: points[3]!, mouthRight: points[4]! };
}

export function keypointsFromLandmarks(lm: readonly Point[]): Keypoints {
  const at = (i: number): Point => {
    const p = lm[i];
    if (!p) throw new Error(`landmark ${i} missing`);
    return [p[0], p[1]];
  };
  return { leftEye: at(LM.leftIris), rightEye: at(LM.rightIris), nose: at(LM.noseTip), mouthLeft: at(LM.mouthLeft), mouthRight: at(LM.mouthRight) };
}

type Vec3 = [number, number, number];

/** Head pose from the 3D mesh: the face plane's normal gives yaw and pitch, the eye line gives roll. */
export function poseFromPoints(points3: readonly number[], keypoints: Keypoints): Pose {
  const p = (i: number): Vec3 => [points3[i * 3]!, points3[i * 3 + 1]!, points3[i * 3 + 2]!];
  const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const xAxis = sub(p(LM.rightCheek), p(LM.leftCheek));
  const yAxis = sub(p(LM.chin), p(LM.forehead));
  const n: Vec3 = [
    xAxis[1] * yAxis[2] - xAxis[2] * yAxis[1],
    xAxis[2] * yAxis[0] - xAxis[0] * yAxis[2],
    xAxis[0] * yAxis[1] - xAxis[1] * yAxis[0],
  ];
  const deg = 180 / Math.PI;
  const yaw = Math.atan2(n[0], n[2]) * deg;
  const pitch = Math.atan2(-n[1], Math.hypot(n[0], n[2])) * deg;
  const { leftEye: l, rightEye: r } = keypoints;
  const roll = Math.atan2(r[1] - l[1], r[0] - l[0]) * deg;
  return { yaw, pitch, roll };
}

function landmarkBox(lm: readonly Point[]): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of lm) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX - minX, maxY - minY];
}

/** A page face, scaled from detection pixels to source pixels. */
export function faceFromPage(face: PageFace, sx: number, sy: number): DetectedFace {
  const pts = face.points;
  const landmarks: Point[] = [];
  const scaled: number[] = new Array<number>(pts.length);
  for (let i = 0; i < pts.length; i += 3) {
    const x = pts[i]! * sx;
    const y = pts[i + 1]! * sy;
    landmarks.push([x, y]);
    scaled[i] = x;
    scaled[i + 1] = y;
    scaled[i + 2] = pts[i + 2]! * sx;
  }
  const keypoints = keypointsFromLandmarks(landmarks);
  const box: [number, number, number, number] = face.box
    ? [face.box[0] * sx, face.box[1] * sy, face.box[2] * sx, face.box[3] * sy]
    : landmarkBox(landmarks);
  const out: DetectedFace = { score: face.score ?? UNMATCHED_SCORE, box, keypoints, landmarks, pose: poseFromPoints(scaled, keypoints) };
  if (face.mask) {
    const data = asBuffer(face.mask.data);
    const r = face.mask.region;
    // Detection input keeps the photo's aspect (one scale), so the square stays a square.
    const region: FaceRegion = { cx: r.cx * sx, cy: r.cy * sy, side: r.side * sx, angle: r.angle };
    if (data.length === face.mask.side * face.mask.side) out.personMask = { region, side: face.mask.side, data };
  }
  return out;
}

/** Index of the most prominent face (largest and most central), or -1 when there is none. */
export function primaryFaceIndex(faces: readonly DetectedFace[], width: number, height: number): number {
  let best = -1;
  let bestScore = -Infinity;
  faces.forEach((f, i) => {
    const s = prominence(f.box, width, height);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  });
  return best;
}

/** What the page gets: the file's own bytes when possible, else (downscaled) pixels. */
async function detectionInput(photo: RawImage & Partial<Pick<Photo, 'direct'>>, maxSide: number): Promise<VisionInput> {
  const long = Math.max(photo.width, photo.height);
  if (long <= maxSide) return photo.direct ?? photo;
  const k = maxSide / long;
  const width = Math.max(1, Math.round(photo.width * k));
  const height = Math.max(1, Math.round(photo.height * k));
  const data = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: photo.channels } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, channels: photo.channels, data };
}

/** Faces in source pixels (after EXIF orientation), largest and most central first. */
export async function detectFaces(
  host: VisionHost,
  photo: RawImage & Partial<Pick<Photo, 'direct'>>,
  opts: { maxSide?: number; segmentFace?: FaceSegmentRequest } = {},
): Promise<DetectedFace[]> {
  const input = await detectionInput(photo, opts.maxSide ?? DEFAULT_DETECT_MAX_SIDE);
  const res = await host.detect(input, opts.segmentFace ? { segmentFace: opts.segmentFace } : undefined);
  const sx = photo.width / res.width;
  const sy = photo.height / res.height;
  const faces = res.faces.map((f) => faceFromPage(f, sx, sy));
  return faces
    .map((f) => ({ f, p: prominence(f.box, photo.width, photo.height) }))
    .sort((a, b) => b.p - a.p)
    .map((x) => x.f);
}

export function interOcular(k: Keypoints): number {
  return distance(k.leftEye, k.rightEye);
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const roundPoint = (p: Point): Point => [round2(p[0]), round2(p[1])];

/** The face object of `chronoface detect --json`. */
export function faceToJson(face: DetectedFace): {
  score: number;
  box: [number, number, number, number];
  keypoints: Record<KeypointName, Point>;
  landmarks: Point[];
} {
  return {
    score: Math.round(face.score * 10000) / 10000,
    box: face.box.map(round2) as [number, number, number, number],
    keypoints: {
      leftEye: roundPoint(face.keypoints.leftEye),
      rightEye: roundPoint(face.keypoints.rightEye),
      nose: roundPoint(face.keypoints.nose),
      mouthLeft: roundPoint(face.keypoints.mouthLeft),
      mouthRight: roundPoint(face.keypoints.mouthRight),
    },
    landmarks: face.landmarks.map(roundPoint),
  };
}
