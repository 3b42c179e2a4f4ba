import type { RawImage } from '../estimators/image.js';
import { CHRONOFACE_FACE_WINDOW } from '../estimators/index.js';
import { warpAffine } from '../prep/warp.js';
import type { EvalFace } from './dataset.js';

/** Side at which face windows are re-cut from full-resolution outputs for the estimators (the descriptor net's input). */
export const SCORE_SIZE = 150;

/** The face window (framing.ts) of the aligned crop, cut again from a full-resolution image at SCORE_SIZE px. */
export async function recut(photo: RawImage, transform: EvalFace['transform'], cropSize: number): Promise<RawImage> {
  const w = CHRONOFACE_FACE_WINDOW;
  const k = SCORE_SIZE / (w.side * cropSize);
  const t: EvalFace['transform'] = [
    transform[0] * k,
    transform[1] * k,
    (transform[2] - (w.cx - w.side / 2) * cropSize) * k,
    transform[3] * k,
    transform[4] * k,
    (transform[5] - (w.cy - w.side / 2) * cropSize) * k,
  ];
  const buf = Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.length);
  const data = await warpAffine({ data: buf, width: photo.width, height: photo.height, channels: 3 }, t, SCORE_SIZE);
  return { data, width: SCORE_SIZE, height: SCORE_SIZE, channels: 3 };
}

