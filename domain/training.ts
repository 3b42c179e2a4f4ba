/** Age balancing by decade: none, resample the bins equally ('sampler'), or weight the loss ('weights'). */
export const BALANCES = ['none', 'sampler', 'weights'] as const;
export type Balance = (typeof BALANCES)[number];

/** The network: 'reference' (the published CVAE exactly) or 'film' (the same plus FiLM conditioning in every decoder block). */
export const TRAIN_PRESETS = ['reference', 'film'] as const;
export type TrainPreset = (typeof TRAIN_PRESETS)[number];

/** Side of the square images a model is trained on, in pixels. */
export const IMAGE_SIZES = [64, 128, 256] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];
