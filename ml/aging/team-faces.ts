/** The faces of a team photo to age: the ones found, the ones the user drew, and what each one's aging cannot do well. */
import type { RawImage, VisionHost } from '../vision/host.js';
import { detectFaces, interOcular, keypointsFromArray, type DetectedFace } from '../prep/detect.js';
import { poseFromKeypoints } from '../prep/prepare-face.js';
import { THRESHOLDS } from '../prep/quality.js';
import type { Point } from '../prep/geometry.js';
import { cutRegion, type Region } from './team-compose.js';
import { orderFaces } from './age-photo.js';
import { ARCFACE_112 } from '../prep/template.js';
import { iou } from '../../domain/box-overlap.js';

export type Box = [number, number, number, number];

/** A face below this gender probability is called uncertain, and the user is asked to set it. */
export const UNCERTAIN_GENDER = 0.7;

/** Why a face's aging may disappoint; `message` is for the user. */
export interface FaceWarning {
  readonly kind: 'tiny' | 'profile' | 'partial' | 'drawn' | 'gender';
  readonly message: string;
}

export interface TeamFace {
  /** Number in the photo: found faces 0.. left to right, then drawn ones in the order drawn. */
  readonly face: number;
  readonly detected: DetectedFace;
  /** Drawn by the user rather than found. */
  readonly drawn: boolean;
  /** Drawn, and no face was found inside the box: aligned from the box alone. */
  readonly fromBoxAlone: boolean;
  /** Drawn over this found face (SAME_FACE_IOU): aged in its place, so the found one is not aged as well. */
  readonly replaces?: number;
}

/** Flags the detector may set on a face (present once detection marks partial and profile faces). */
function detectorFlags(face: DetectedFace): readonly string[] {
  const flags = (face as DetectedFace & { flags?: readonly string[] }).flags;
  return Array.isArray(flags) ? flags : [];
}

/**
 * The warnings of a face that show before aging: tiny, profile, partly outside, drawn without a face found. A face not
 * numbered yet (face < 0) is called "this face".
 */
export function faceWarnings(face: TeamFace, outside: number | null = null): FaceWarning[] {
  const out: FaceWarning[] = [];
  const who = face.face < 0 ? 'this face' : `face ${face.face}`;
  const flags = detectorFlags(face.detected);
  const eyes = interOcular(face.detected.keypoints);
  if (eyes < THRESHOLDS.tinyInterOcular || flags.includes('tiny')) {
    out.push({ kind: 'tiny', message: `${who} is tiny (eyes ${Math.floor(eyes)} px apart, under the ${THRESHOLDS.tinyInterOcular} px the preparation asks for): its aging is coarse` });
  }
  const yaw = face.detected.pose.yaw;
  if (Math.abs(yaw) > THRESHOLDS.profileYaw || flags.includes('profile')) {
    out.push({ kind: 'profile', message: `${who} is in profile (turned ${Math.round(Math.abs(yaw))}°): the frontal aging may distort it` });
  }
  if (flags.includes('partial') || (outside !== null && outside > 0.2)) {
    out.push({ kind: 'partial', message: `${who} is partly outside the photo: only its visible part ages` });
  }
  if (face.fromBoxAlone) {
    out.push({ kind: 'drawn', message: `${who}: no face was found in the drawn box, so it is aligned from the box alone and its aging may sit off the face` });
  }
  return out;
}

/** The warning of an estimated gender below UNCERTAIN_GENDER (face < 0: "this face"); none for one given (null) or surer. */
export function genderWarnings(face: number, gender: string, probability: number | null): FaceWarning[] {
  if (probability === null || probability >= UNCERTAIN_GENDER) return [];
  return [{ kind: 'gender', message: `${face < 0 ? 'this face' : `face ${face}`}: gender uncertain (${gender}, probability ${probability.toFixed(2)}); set it if wrong` }];
}


function intersection(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

function moved(face: DetectedFace, dx: number, dy: number): DetectedFace {
  const at = (p: Point): Point => [p[0] + dx, p[1] + dy];
  const k = face.keypoints;
  const out: DetectedFace = {
    ...face,
    box: [face.box[0] + dx, face.box[1] + dy, face.box[2], face.box[3]],
    keypoints: { leftEye: at(k.leftEye), rightEye: at(k.rightEye), nose: at(k.nose), mouthLeft: at(k.mouthLeft), mouthRight: at(k.mouthRight) },
    landmarks: face.landmarks.map(at),
  };
  if (face.personMask) out.personMask = { ...face.personMask, region: { ...face.personMask.region, cx: face.personMask.region.cx + dx, cy: face.personMask.region.cy + dy } };
  return out;
}

/**
 * A face the user drew a box around: detection runs on the box grown to twice its size (so the face is large in what
 * the detector sees), and the found face that covers most of the box is mapped back to the photo. When none is found,
 * the five points are placed in the box by ArcFace's template (a 112 px face box) (no landmarks: the face keeps its shape).
 */
export async function faceFromBox(host: VisionHost, photo: RawImage, box: Box): Promise<{ face: DetectedFace; found: boolean }> {
  const [x, y, w, h] = box;
  if (!(w >= 4 && h >= 4) || x + w <= 0 || y + h <= 0 || x >= photo.width || y >= photo.height) {
    throw new Error(`the drawn box [${box.map((v) => Math.round(v)).join(', ')}] does not cover part of the ${photo.width}x${photo.height} photo`);
  }
  const cx = x + w / 2;
  const cy = y + h / 2;
  const side = Math.max(w, h) * 2;
  const r: Region = {
    x0: Math.max(0, Math.floor(cx - side / 2)),
    y0: Math.max(0, Math.floor(cy - side / 2)),
    x1: Math.min(photo.width, Math.ceil(cx + side / 2)),
    y1: Math.min(photo.height, Math.ceil(cy + side / 2)),
  };
  const cut = cutRegion(photo, r);
  const region = { width: cut.width, height: cut.height, channels: photo.channels, data: Buffer.from(cut.data.buffer, cut.data.byteOffset, cut.data.length) };
  const found = (await detectFaces(host, region))
    .map((f) => moved(f, r.x0, r.y0))
    .map((f) => ({ f, cover: intersection(f.box, box) / Math.min(f.box[2] * f.box[3], w * h) }))
    .filter((c) => c.cover > 0.3)
    .sort((a, b) => b.cover - a.cover)[0];
  if (found) return { face: found.f, found: true };
  const keypoints = keypointsFromArray(ARCFACE_112.map(([px, py]) => [x + (px / 112) * w, y + (py / 112) * h] as Point));
  return { face: { score: 0, box: [x, y, w, h], keypoints, landmarks: [], pose: poseFromKeypoints(keypoints) }, found: false };
}

/** A drawn box is taken for a face already in the list when it, or the face found in it, overlaps that face this much (IoU). */
export const SAME_FACE_IOU = 0.4;

/**
 * The photo's faces found by detection (left to right; or `known`, as given) followed by the drawn ones, numbered in
 * that order. A box drawn over a found face (SAME_FACE_IOU, with the box or with the face found in it) `replaces` it.
 */
export async function teamFaces(host: VisionHost, photo: RawImage, drawn: readonly Box[] = [], known?: readonly DetectedFace[]): Promise<TeamFace[]> {
  const found = known ? [...known] : orderFaces(await detectFaces(host, photo));
  const out: TeamFace[] = found.map((detected, face) => ({ face, detected, drawn: false, fromBoxAlone: false }));
  for (const box of drawn) {
    const { face, found: ok } = await faceFromBox(host, photo, box);
    const overlap = (f: DetectedFace): number => Math.max(iou(box, f.box), ok ? iou(face.box, f.box) : 0);
    const same = found.map((f, i) => ({ i, o: overlap(f) })).filter((c) => c.o >= SAME_FACE_IOU).sort((a, b) => b.o - a.o)[0];
    out.push({ face: out.length, detected: face, drawn: true, fromBoxAlone: !ok, ...(same ? { replaces: same.i } : {}) });
  }
  return out;
}

/** The chosen faces less the found ones that a chosen drawn face replaces: each face of the photo is aged once. */
export function withoutReplaced(chosen: readonly TeamFace[]): TeamFace[] {
  const replaced = new Set(chosen.flatMap((f) => (f.replaces === undefined ? [] : [f.replaces])));
  return chosen.filter((f) => !replaced.has(f.face));
}
