import { IMAGE_SIZES, type ImageSize, type TrainPreset } from '../../domain/training.js';

export interface CvaeConfig {
  preset: TrainPreset;
  imageSize: ImageSize;
  latentDim: number;
  channels: number[];
  condDim: 2;
  /** Per-channel scale and shift computed from the condition after each decoder BatchNorm. */
  film: boolean;
}

export class CvaeConfigError extends Error {
  override readonly name = 'CvaeConfigError';
}

export function isImageSize(n: number): n is ImageSize {
  return (IMAGE_SIZES as readonly number[]).includes(n);
}

export function makeCvaeConfig(p: { imageSize?: number; preset?: TrainPreset; film?: boolean } = {}): CvaeConfig {
  const imageSize = p.imageSize ?? 128;
  if (!isImageSize(imageSize)) throw new CvaeConfigError(`image size must be 64, 128 or 256, got ${imageSize}`);
  const preset = p.preset ?? 'reference';
  if (preset !== 'reference' && preset !== 'film') throw new CvaeConfigError(`preset must be "reference" or "film", got "${String(preset)}"`);
  return { preset, imageSize, latentDim: 256, channels: [16, 32, 64, 128], condDim: 2, film: p.film ?? preset === 'film' };
}

/** Side of the smallest feature map (the image size over 2^blocks). */
export function bottleneckSide(c: CvaeConfig): number {
  return c.imageSize / 2 ** c.channels.length;
}
