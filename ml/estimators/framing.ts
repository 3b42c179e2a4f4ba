/**
 * The estimators were trained on tight face crops; Chronoface's aligned crops (template chronoface-v1) are looser, with
 * hair, forehead and chin. Measured on 80 UTKFace faces re-cut through the alignment: the whole crop gives an age MAE of
 * 11.6 y and 40 % of different-person pairs below 0.6; this window (side 1/1.45 of the crop, centred 6 % below the
 * middle) gives 6.9 y, gender 92 % and 2.6 %, close to the nets on UTKFace's own tight chips (5.6 y, 92 %, 2.3 %).
 */
export interface FaceWindow {
  /** Centre and side, in units of the crop side. */
  readonly cx: number;
  readonly cy: number;
  readonly side: number;
}

export const CHRONOFACE_FACE_WINDOW: FaceWindow = Object.freeze({ cx: 0.5, cy: 0.56, side: 1 / 1.45 });
export const FULL_WINDOW: FaceWindow = Object.freeze({ cx: 0.5, cy: 0.5, side: 1 });

/** 'aligned': a Chronoface aligned crop (the default); 'tight': an already tight face crop used whole. */
export type Framing = 'aligned' | 'tight';

export function windowFor(framing: Framing = 'aligned'): FaceWindow {
  return framing === 'tight' ? FULL_WINDOW : CHRONOFACE_FACE_WINDOW;
}

/** Integer pixel bounds of the window in a size x size image. */
export function windowPixels(w: FaceWindow, size: number): { x: number; y: number; side: number } {
  const side = Math.max(1, Math.min(size, Math.round(w.side * size)));
  const clampStart = (c: number): number => Math.max(0, Math.min(size - side, Math.round(c * size - side / 2)));
  return { x: clampStart(w.cx), y: clampStart(w.cy), side };
}
