import * as tf from '@tensorflow/tfjs';
import { assertRawImage, type RawImage } from './image.js';

/** RGB 0..255 float tensor [h, w, 3] of an image, resized (bilinear, half-pixel centres) to size x size. Call inside tf.tidy. */
export function toSquareRgbTensor(img: RawImage, size: number): tf.Tensor3D {
  assertRawImage(img, 'crop');
  let t = tf.tensor3d(img.data, [img.height, img.width, img.channels], 'int32');
  if (img.channels === 4) t = tf.slice(t, [0, 0, 0], [img.height, img.width, 3]);
  let f = tf.cast(t, 'float32') as tf.Tensor3D;
  if (img.width !== size || img.height !== size) f = tf.image.resizeBilinear(f, [size, size], false, true);
  return f;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
