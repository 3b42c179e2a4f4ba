import { FaceLandmarker } from '@mediapipe/tasks-vision';

/** MediaPipe's face-mesh triangulation over the 468 mesh points (the 10 iris points are not in it), as index triples. */
export const MESH_TRIANGLES: readonly (readonly [number, number, number])[] = (() => {
  const edges = FaceLandmarker.FACE_LANDMARKS_TESSELATION;
  const out: [number, number, number][] = [];
  for (let i = 0; i + 2 < edges.length; i += 3) out.push([edges[i]!.start, edges[i + 1]!.start, edges[i + 2]!.start]);
  return out;
})();

/** Points the mesh uses (the 478-point output's first 468). */
export const MESH_POINTS = 468;

/** The lips' points (outer and inner outline). */
export const LIP_POINTS: readonly number[] = [...new Set(FaceLandmarker.FACE_LANDMARKS_LIPS.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);

const pointsOf = (c: readonly { start: number; end: number }[]): number[] => [...new Set(c.flatMap((e) => [e.start, e.end]))].sort((a, b) => a - b);

/** Each eyebrow's points (left, then right). */
export const BROW_POINTS: readonly (readonly number[])[] = [FaceLandmarker.FACE_LANDMARKS_LEFT_EYEBROW, FaceLandmarker.FACE_LANDMARKS_RIGHT_EYEBROW].map(pointsOf);

/** Each eye's outline points (left, then right). */
export const EYE_POINTS: readonly (readonly number[])[] = [FaceLandmarker.FACE_LANDMARKS_LEFT_EYE, FaceLandmarker.FACE_LANDMARKS_RIGHT_EYE].map(pointsOf);
