/** MediaPipe FaceLandmarker indices (478-point mesh). "Left"/"right" here are the image's, for an upright face. */
export const LM = {
  leftIris: 468, // subject's right iris centre
  rightIris: 473, // subject's left iris centre
  noseTip: 1,
  mouthLeft: 61,
  mouthRight: 291,
  leftCheek: 234,
  rightCheek: 454,
  forehead: 10,
  chin: 152,
} as const;

/** The face oval, in order around the face (MediaPipe FACEMESH_FACE_OVAL). */
export const FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
