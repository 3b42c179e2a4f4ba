import type { FaceRegion, FaceSegmentRequest, PageDetectResult, PageFace } from '../../contract/vision-page.js';
import { asBuffer, DEFAULT_MAX_FACES, type RawImage, type VisionHost, type VisionInput } from '../vision/host.js';
import sharp from 'sharp';
import { KEYPOINT_NAMES, type KeypointName, type Keypoints } from '../../domain/keypoints.js';
import { prominence, type Box } from '../../domain/face.js';
import { iou } from '../../domain/box-overlap.js';
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

/** partial: the face runs past the photo's edge; profile: the head is turned by PROFILE_YAW or more. */
export type FaceFlag = 'partial' | 'profile';

export interface DetectedFace {
  score: number;
  box: [number, number, number, number];
  keypoints: Keypoints;
  landmarks: Point[];
  pose: Pose;
  personMask?: PersonMask;
  /** Set when the face is partial or in profile (see FaceFlag). */
  flags?: FaceFlag[];
}

export interface DetectOptions {
  /** Longest side of the first, whole-photo pass (DEFAULT_DETECT_MAX_SIDE). */
  maxSide?: number;
  segmentFace?: FaceSegmentRequest;
  /** At most this many faces, the most prominent (DEFAULT_MAX_DETECTED_FACES). */
  maxFaces?: number;
  /** The search for faces of every size: 'auto' (default) runs it when the first pass found no face, several, or one
   *  small enough to hint at a group; 'always' and 'never' decide for every photo. */
  search?: 'auto' | 'always' | 'never';
  /** Width of the smallest face the search finds, photo px (DEFAULT_MIN_FACE). */
  minFace?: number;
}

/** Faces returned at most, unless the caller asks for another cap. */
export const DEFAULT_MAX_DETECTED_FACES = 256;
/** The search finds faces this wide (photo px) and wider. */
export const DEFAULT_MIN_FACE = 40;
/** The search sees photos of up to this many pixels at full resolution; larger ones are downscaled to it first. */
export const SEARCH_MAX_PIXELS = 36_000_000;
/** A lone face narrower than this fraction of the photo's longer side still sends the photo to the search. */
const LONE_FACE_FRACTION = 0.2;
/** Tile detections scoring less are not faces. */
const SEARCH_MIN_SCORE = 0.5;
/** A search face that the first pass could have seen needs this score. */
const LARGE_FACE_MIN_SCORE = 0.75;
/** A search face whose landmarks overlap a first-pass face's by more than this is that face. */
const SAME_FACE_IOU = 0.5;
/** |yaw| from this many degrees makes a face 'profile'. */
export const PROFILE_YAW = 45;

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

/** Whether the search for faces of every size should look at a photo whose first pass found `faces`. */
export function needsSearch(faces: readonly DetectedFace[], width: number, height: number): boolean {
  if (faces.length !== 1) return true;
  return faces[0]!.box[2] < LONE_FACE_FRACTION * Math.max(width, height);
}

/** The face's flags: partial when its landmarks run past the photo's edges, profile when its yaw is large. */
export function faceFlags(face: DetectedFace, width: number, height: number): FaceFlag[] {
  const [x, y, w, h] = landmarkBox(face.landmarks);
  const slack = 0.02 * Math.max(w, h);
  const flags: FaceFlag[] = [];
  if (x < -slack || y < -slack || x + w > width + slack || y + h > height + slack) flags.push('partial');
  if (Math.abs(face.pose.yaw) >= PROFILE_YAW) flags.push('profile');
  return flags;
}

/** The photo the search looks at: its pixels, downscaled when they are more than SEARCH_MAX_PIXELS. Pixels rather
 *  than the file's bytes: a bitmap the page decodes lives on its (software) GPU, and reading it back cost seconds. */
async function searchInput(photo: RawImage): Promise<VisionInput> {
  const pixels = photo.width * photo.height;
  if (pixels <= SEARCH_MAX_PIXELS) return photo;
  return detectionInput(photo, Math.floor(Math.max(photo.width, photo.height) * Math.sqrt(SEARCH_MAX_PIXELS / pixels)));
}

function facesOf(res: PageDetectResult, photo: RawImage): DetectedFace[] {
  return res.faces.map((f) => faceFromPage(f, photo.width / res.width, photo.height / res.height));
}

/**
 * Faces in source pixels (after EXIF orientation), largest and most central first. A first pass sees the whole photo
 * at maxSide (BlazeFace at 128 x 128 finds faces from about a sixth of the photo); photos that need it (see
 * DetectOptions.search) then get the search for faces of every size, whose faces join the first pass's.
 */
export async function detectFaces(
  host: VisionHost,
  photo: RawImage & Partial<Pick<Photo, 'direct'>>,
  opts: DetectOptions = {},
): Promise<DetectedFace[]> {
  const maxFaces = opts.maxFaces ?? DEFAULT_MAX_DETECTED_FACES;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new Error(`maxFaces must be a whole number of at least 1, got ${maxFaces}`);
  const input = await detectionInput(photo, opts.maxSide ?? DEFAULT_DETECT_MAX_SIDE);
  const faces = facesOf(await host.detect(input, opts.segmentFace ? { segmentFace: opts.segmentFace } : undefined), photo);
  const search = opts.search ?? 'auto';
  if (search === 'always' || (search === 'auto' && needsSearch(faces, photo.width, photo.height))) {
    const big = await searchInput(photo);
    const k = big.width / photo.width;
    // The page caps by score; the cap below keeps the most prominent, so the page looks further when asked for few.
    const pageCap = Math.max(maxFaces, DEFAULT_MAX_DETECTED_FACES);
    const request = { minFace: (opts.minFace ?? DEFAULT_MIN_FACE) * k, maxFaces: pageCap, minScore: SEARCH_MIN_SCORE };
    // Every page searches a band of each scale's tiles; a face on the seam between two bands may come back twice.
    const of = host.parallelism;
    const parts = await Promise.all(Array.from({ length: of }, (_, index) => host.findFaces(big, of > 1 ? { ...request, part: { index, of } } : request)));
    const found = parts.flatMap((res) => facesOf(res, photo)).sort((a, b) => b.score - a.score);
    const known: Box[] = faces.map((f) => landmarkBox(f.landmarks));
    const firstPassFull = faces.length >= DEFAULT_MAX_FACES;
    for (const f of found) {
      // A face big enough for the first pass that the first pass missed (it stopped at no cap) is suspect: an
      // upside-down face the mesh then misreads, say. Only a confident detection of one counts.
      if (!firstPassFull && f.box[2] >= LONE_FACE_FRACTION * Math.max(photo.width, photo.height) && f.score < LARGE_FACE_MIN_SCORE) continue;
      const box = landmarkBox(f.landmarks);
      if (known.some((b) => iou(b, box) > SAME_FACE_IOU)) continue;
      known.push(box);
      faces.push(f);
    }
  }
  return faces
    .map((f) => {
      const flags = faceFlags(f, photo.width, photo.height);
      return { f: flags.length > 0 ? { ...f, flags } : f, p: prominence(f.box, photo.width, photo.height) };
    })
    .sort((a, b) => b.p - a.p)
    .slice(0, maxFaces)
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
  flags?: FaceFlag[];
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
    ...(face.flags ? { flags: face.flags } : {}),
  };
}
