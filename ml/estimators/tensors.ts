import * as tf from '@tensorflow/tfjs';
import { assertRawImage, type RawImage } from './image.js';
import { windowPixels, type FaceWindow } from './framing.js';

/**
 * RGB 0..255 float tensor [size, size, 3] of the window of a square crop (the whole image when no window), resized
 * bilinearly (half-pixel centres). Call inside tf.tidy.
 */
export function toSquareRgbTensor(img: RawImage, size: number, window?: FaceWindow): tf.Tensor3D {
  assertRawImage(img, 'crop');
  let t = tf.tensor3d(img.data, [img.height, img.width, img.channels], 'int32');
  if (img.channels === 4) t = tf.slice(t, [0, 0, 0], [img.height, img.width, 3]);
  let f = tf.cast(t, 'float32') as tf.Tensor3D;
  if (window && img.width === img.height) f = cropWindow(f, img.width, window);
  if (f.shape[0] !== size || f.shape[1] !== size) f = tf.image.resizeBilinear(f, [size, size], false, true);
  return f;
}

/** The window of an [S, S, C] or [N, S, S, C] tensor (differentiable: a slice). */
export function cropWindow<T extends tf.Tensor3D | tf.Tensor4D>(x: T, size: number, window: FaceWindow): T {
  const { x: x0, y: y0, side } = windowPixels(window, size);
  if (side === size) return x;
  if (x.rank === 3) return tf.slice(x, [y0, x0, 0], [side, side, -1]) as T;
  return tf.slice(x, [0, y0, x0, 0], [-1, side, side, -1]) as T;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
