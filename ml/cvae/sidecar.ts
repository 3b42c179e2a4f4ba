import type { CvaeConfig } from './config.js';
import { AGE_SCALE, GENDER_CODE } from './cond.js';

export interface AgeBin {
  lo: number;
  /** exclusive */
  hi: number;
  count: number;
  /** Mean posterior mean (mu) of the training faces in the bin; empty when count is 0. */
  mu: number[];
}

export interface CvaeMetrics {
  trainLoss?: number;
  valLoss?: number;
  valMse?: number;
  valPsnr?: number;
  valKl?: number;
}

export interface CvaeSidecar {
  format: 'chronoface-cvae';
  version: 1;
  config: CvaeConfig;
  imageSize: number;
  /** crops.settings_json of the training crops (the most common one): how faces were aligned and cropped. */
  prep: Record<string, unknown> | null;
  ageRange: { min: number; max: number };
  ageScale: typeof AGE_SCALE;
  genderCoding: typeof GENDER_CODE;
  datasetFingerprint: string;
  epoch: number;
  metrics: CvaeMetrics;
  ageBins: AgeBin[];
  training: Record<string, unknown>;
  /** How outputs are carried onto photos, tuned by evaluation (AgeFaceOptions' defaults for this model). */
  aging?: { detail?: number; gain?: number; shift?: number; maskGrow?: number; chroma?: number; tone?: number; prototype?: number };
  createdAt: string;
}

export function emptySidecar(config: CvaeConfig): CvaeSidecar {
  return {
    format: 'chronoface-cvae',
    version: 1,
    config,
    imageSize: config.imageSize,
    prep: null,
    ageRange: { min: 0, max: 100 },
    ageScale: AGE_SCALE,
    genderCoding: GENDER_CODE,
    datasetFingerprint: '',
    epoch: 0,
    metrics: {},
    ageBins: [],
    training: {},
    createdAt: new Date().toISOString(),
  };
}

/** Mean latent of the bin holding `age`, or of the nearest non-empty bin. */
export function ageBinMean(sidecar: CvaeSidecar, age: number): number[] | null {
  const bins = sidecar.ageBins.filter((b) => b.count > 0 && b.mu.length > 0);
  if (bins.length === 0) return null;
  const dist = (b: AgeBin): number => (age < b.lo ? b.lo - age : age >= b.hi ? age - b.hi + 1e-9 : 0);
  let best = bins[0]!;
  for (const b of bins) if (dist(b) < dist(best)) best = b;
  return best.mu;
}

/** The reference's age shift: binMean(toAge) - binMean(fromAge), to add to z. */
export function ageShiftVector(sidecar: CvaeSidecar, fromAge: number, toAge: number): number[] | null {
  const a = ageBinMean(sidecar, fromAge);
  const b = ageBinMean(sidecar, toAge);
  if (!a || !b) return null;
  return b.map((v, i) => v - a[i]!);
}
