import path from 'node:path';
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
  /** Splits of the two photos: a photo of the train split may have taken part in training. */
  readonly fromSplit: string | null;
  readonly toSplit: string | null;
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
  /** The same figures over the pairs where neither photo is in the train split (null when there are none). */
  readonly heldOut: { pairs: number; meanInputDistance: number; meanAgedDistance: number; nearerShare: number } | null;
  /** The train-split photos among the pairs (file names of their images, as catalogued), named apart. */
  readonly trainPhotos: string[];
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
        fromSplit: young.split,
        toSplit: later.split,
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
  const summary = (ps: LongitudinalPair[]) => ({
    pairs: ps.length,
    meanInputDistance: mean(ps.map((p) => p.inputDistance)),
    meanAgedDistance: mean(ps.map((p) => p.agedDistance)),
    nearerShare: ps.length ? ps.filter((p) => p.agedDistance < p.inputDistance).length / ps.length : NaN,
  });
  const held = out.filter((p) => p.fromSplit !== 'train' && p.toSplit !== 'train');
  const { pairs: _count, ...all } = summary(out);
  const trainPhotos = [...new Set(pairs.flat().filter((f) => f.split === 'train').map((f) => path.basename(f.photoPath)))].sort();
  return {
    pairs: out,
    ...all,
    heldOut: held.length ? summary(held) : null,
    trainPhotos,
    samples,
    skipped,
  };
}
