import sharp from 'sharp';
import { describeFaces, descriptorDistance } from '../estimators/index.js';
import { joinHorizontally } from '../aging/writers.js';
import type { AgingModel } from '../aging/model.js';
import { readCrop, type EvalFace } from './dataset.js';
import { recut } from './recut.js';
import { ageEvalFace, type EvalAgingOptions } from './age-eval-face.js';
import { loadPhoto } from '../prep/photo.js';

/** A young photo and a later photo of the same person, at least this many years apart. */
const MIN_GAP = 10;
const PAIRS_PER_PERSON = 8;
const SAMPLE_PAIRS = 6;

export interface LongitudinalPair {
  readonly person: string;
  readonly fromCrop: number;
  readonly toCrop: number;
  readonly fromAge: number;
  readonly toAge: number;
  /** Descriptor distance to the real later face: of the young input, and of the input aged to the later age. */
  readonly inputDistance: number;
  readonly agedDistance: number;
}

export interface LongitudinalFigures {
  readonly pairs: LongitudinalPair[];
  readonly meanInputDistance: number;
  readonly meanAgedDistance: number;
  /** Share of pairs whose aged face is nearer the real later face than the input is. */
  readonly nearerShare: number;
  /** Input, aged, real later face (re-cut face windows), PNG base64. */
  readonly samples: { person: string; fromAge: number; toAge: number; png: string }[];
  readonly skipped: { cropId: number; error: string }[];
}

/** Per person, young-to-later pairs: each photo up to 30 years old with every photo MIN_GAP or more years later, spread. */
export function longitudinalPairs(faces: readonly EvalFace[]): [EvalFace, EvalFace][] {
  const byPerson = new Map<string, EvalFace[]>();
  for (const f of faces) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f]);
  const out: [EvalFace, EvalFace][] = [];
  for (const list of byPerson.values()) {
    const all: [EvalFace, EvalFace][] = [];
    for (const a of list) for (const b of list) if (a.age <= 30 && b.age - a.age >= MIN_GAP) all.push([a, b]);
    const step = all.length > PAIRS_PER_PERSON ? all.length / PAIRS_PER_PERSON : 1;
    for (let k = 0; k < Math.min(PAIRS_PER_PERSON, all.length); k++) out.push(all[Math.floor(k * step)]!);
  }
  return out;
}

/**
 * The longitudinal check: a young photo aged to the age of a later photo of the same person should come nearer that
 * later face (face-api's descriptor) than the young photo is.
 */
export async function longitudinalCheck(model: AgingModel, faces: readonly EvalFace[], o: EvalAgingOptions, signal?: AbortSignal): Promise<LongitudinalFigures | null> {
  const pairs = longitudinalPairs(faces);
  if (pairs.length === 0) return null;
  const out: LongitudinalPair[] = [];
  const samples: LongitudinalFigures['samples'] = [];
  const skipped: LongitudinalFigures['skipped'] = [];
  for (const [young, later] of pairs) {
    if (signal?.aborted) throw new Error('evaluation cancelled');
    try {
      const target = Math.min(model.ageRange.max, Math.max(model.ageRange.min, later.age));
      const crop = await readCrop(young, model.size);
      const { photo, outputs } = await ageEvalFace(model, young, crop, [target], o);
      const cuts = [
        await recut(photo, young.transform, young.cropSize),
        await recut(outputs[0]!, young.transform, young.cropSize),
        await recut(await loadPhoto(later.photoPath), later.transform, later.cropSize),
      ];
      const [input, aged, real] = await describeFaces(cuts, 'tight');
      out.push({
        person: young.person,
        fromCrop: young.cropId,
        toCrop: later.cropId,
        fromAge: young.age,
        toAge: later.age,
        inputDistance: descriptorDistance(input!, real!),
        agedDistance: descriptorDistance(aged!, real!),
      });
      if (samples.length < SAMPLE_PAIRS && !samples.some((s) => s.person === young.person)) {
        const strip = joinHorizontally(cuts, 4);
        const png = await sharp(strip.data, { raw: { width: strip.width, height: strip.height, channels: 3 } }).png().toBuffer();
        samples.push({ person: young.person, fromAge: young.age, toAge: later.age, png: png.toString('base64') });
      }
    } catch (err) {
      skipped.push({ cropId: young.cropId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);
  return {
    pairs: out,
    meanInputDistance: mean(out.map((p) => p.inputDistance)),
    meanAgedDistance: mean(out.map((p) => p.agedDistance)),
    nearerShare: out.length ? out.filter((p) => p.agedDistance < p.inputDistance).length / out.length : NaN,
    samples,
    skipped,
  };
}
