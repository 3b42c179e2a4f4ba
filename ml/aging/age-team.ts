/**
 * The team ages together: every chosen face of a photo is aligned and aged from its own age and gender, then the
 * frames are composed one target age at a time, each face carried onto the same frame, and handed to the writers as
 * they are made. What is kept per face is crop-sized (the changes and warp fields per age); the photo-sized buffers
 * are the photo, one frame and a map of the pixels that change.
 */
import path from 'node:path';
import type { VisionHost } from '../vision/host.js';
import { loadPhoto, type Photo } from '../prep/photo.js';
import { prepareFace, type PreparedFace } from '../prep/prepare-face.js';
import type { DetectedFace } from '../prep/detect.js';
import { applyAffine } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';
import { ageAlignedFace, withHair, type AgeFaceOptions, type Gender } from './age-face.js';
import { NoFaceError, sourceOf, type AgedFaceSource, type AgePhotoStage } from './age-photo.js';
import type { ClampedAges } from './ages.js';
import type { AgingModel } from './model.js';
import { composeFaces, composeInput, cutRegion, faceRegion, markRegion, PASTED_CACHE_BYTES, pastesBytes, streamFrames, type ChangeMarks, type ComposeFaceInput, type FacePastes, type PastedCache, type Region } from './team-compose.js';
import { PastePool } from './paste-pool.js';
import { faceWarnings, genderWarnings, teamFaces, withoutReplaced, type Box, type TeamFace } from './team-faces.js';

/** What the user set for one face. */
export interface TeamFaceSettings {
  readonly sourceAge?: number;
  readonly gender?: Gender;
}

/**
 * A stage starts: 'detect' (the photo, null face), then 'align' and 'decode' for each face in turn, then 'compose' and
 * 'encode' as the first frame is composed and written (null face). facesDone of faces are aged when it starts.
 */
export interface TeamProgress {
  readonly stage: AgePhotoStage | 'encode';
  readonly face: number | null;
  readonly facesDone: number;
  readonly faces: number;
}

export interface AgeTeamOptions extends Omit<AgeFaceOptions, 'sourceAge' | 'gender'> {
  /** Face numbers to age (found faces 0.. left to right, then the drawn ones); default all. */
  readonly faces?: readonly number[];
  /** Boxes [x, y, w, h] around faces the detector missed. */
  readonly drawn?: readonly Box[];
  /** The photo's faces found beforehand, numbered in this order; default: detected here. */
  readonly detected?: readonly DetectedFace[];
  /** Every face's age and gender unless `perFace` sets its own; default estimated. */
  readonly sourceAge?: number;
  readonly gender?: Gender;
  readonly perFace?: ReadonlyMap<number, TeamFaceSettings>;
  readonly onProgress?: (p: TeamProgress) => void;
}

export interface AgedTeamFace extends AgedFaceSource {
  readonly face: number;
  readonly box: Box;
  readonly drawn: boolean;
  /** The photo region [x0, y0, x1) x [y0, y1) the face's change may touch (its crop grown by its warp's reach). */
  readonly region: Region;
}

export interface AgedTeam {
  readonly width: number;
  readonly height: number;
  /** Faces in the photo, found and drawn. */
  readonly faceCount: number;
  readonly faces: AgedTeamFace[];
  readonly ages: ClampedAges;
  readonly timings: { loadMs: number; detectMs: number; faceMs: number; composeMs: number; writeMs: number };
}

/** Where the frames go: told the faces and which pixels change before the first frame, then each frame in turn. */
export interface TeamFrameSink {
  start(info: { width: number; height: number; faces: readonly AgedTeamFace[]; changing: Uint8Array; frames: number }): void | Promise<void>;
  /** The frame at target age k; valid only during the call (the next age reuses the buffer). */
  frame(k: number, frame: RawImage): Promise<void>;
}

function chosenFaces(all: readonly TeamFace[], wanted: readonly number[] | undefined): TeamFace[] {
  if (!wanted) return [...all];
  const seen = new Set<number>();
  return wanted.map((n) => {
    if (!Number.isInteger(n) || n < 0 || n >= all.length) {
      throw new Error(`face ${n} does not exist: the photo has ${all.length} face${all.length === 1 ? '' : 's'} (numbered 0 to ${all.length - 1}, left to right${all.some((f) => f.drawn) ? ', drawn ones last' : ''})`);
    }
    if (seen.has(n)) throw new Error(`face ${n} is named twice`);
    seen.add(n);
    return all[n]!;
  });
}

export async function ageTeam(host: VisionHost, model: AgingModel, input: string | Buffer | Photo, options: AgeTeamOptions, sink: TeamFrameSink): Promise<AgedTeam> {
  const progress = options.onProgress ?? (() => undefined);
  progress({ stage: 'detect', face: null, facesDone: 0, faces: 0 });
  const t0 = performance.now();
  const photo = typeof input === 'string' || Buffer.isBuffer(input) ? await loadPhoto(input) : input;
  const t1 = performance.now();
  const all = await teamFaces(host, photo, options.drawn ?? [], options.detected);
  const t2 = performance.now();
  if (all.length === 0) throw new NoFaceError(`no face found in ${typeof input === 'string' ? path.basename(input) : 'the photo'}`);
  const chosen = withoutReplaced(chosenFaces(all, options.faces));
  if (chosen.length === 0) throw new Error('no face chosen to age');

  const inputs: ComposeFaceInput[] = [];
  const faces: Omit<AgedTeamFace, 'region'>[] = [];
  // Each aged face is pasted at every target age (in a worker) while the next one ages, and the pastes are kept for
  // composing while they fit a budget. On a photo of 85 MP and more none fit, and memory is what is short: there the
  // changing pixels are marked after the faces, by streamFrames, and the frames paste the faces again.
  const budget = Math.max(0, PASTED_CACHE_BYTES - photo.data.length);
  const pool = budget > 0 ? PastePool.start() : null;
  const pastes: Promise<FacePastes>[] = [];
  let kept = 0;
  try {
    // Each face's preparation (in the vision page and sharp's threads) starts while the face before it ages here.
    const prepare = (face: TeamFace): Promise<PreparedFace> => prepareFace(host, photo, face.detected, model.prep, { faceCount: all.length });
    let nextPrepared = prepare(chosen[0]!);
    for (const [done, face] of chosen.entries()) {
      progress({ stage: 'align', face: face.face, facesDone: done, faces: chosen.length });
      const prepared = await nextPrepared;
      if (done + 1 < chosen.length) {
        nextPrepared = prepare(chosen[done + 1]!);
        // Its failure is reported when its turn comes; if this face fails first, it is not reported at all.
        nextPrepared.catch(() => undefined);
      }
      const lm = face.detected.landmarks;
      const base = {
        crop: prepared.crop,
        size: prepared.size,
        transform: prepared.transform,
        faceMask: prepared.faceMask,
        landmarks: lm.length >= 468 ? lm.map((p) => applyAffine(prepared.transform, p)) : null,
      };
      // The model's own hair greying is left out of a team photo: its paste costs the group GIF about 40 % of its
      // speed (0.58-0.62 s a face on 12 MP, against the 0.6 s goal; docs/team-photos.md). Asked for with lightness
      // settings of the run's own (`--lightness hairGrey=0.8`), the team's hair greys.
      const aligned = teamHair(options) ? await withHair(model, options, photo, base, () => prepared.personContext) : { ...base, hair: null };
      const set = options.perFace?.get(face.face) ?? {};
      const { sourceAge, gender, genderProbability } = await sourceOf(
        { data: prepared.crop, width: prepared.size, height: prepared.size, channels: 3 },
        { sourceAge: set.sourceAge ?? options.sourceAge, gender: set.gender ?? options.gender },
      );
      progress({ stage: 'decode', face: face.face, facesDone: done, faces: chosen.length });
      const aged = await ageAlignedFace(model, aligned, { ...options, sourceAge, gender, cropFrames: false });
      const input = composeInput(model, aligned, aged, options);
      inputs.push(input);
      if (pool) {
        const region = faceRegion(input, photo.width, photo.height);
        const bytes = pastesBytes(input, region, photo.channels);
        const keep = kept + bytes <= budget;
        if (keep) kept += bytes;
        const pasting = pool.paste(cutRegion(photo, region), input, region, keep);
        pasting.catch(() => undefined);
        pastes.push(pasting);
      }
      faces.push({
        face: face.face,
        box: face.detected.box,
        drawn: face.drawn,
        sourceAge,
        sourceAgeEstimated: set.sourceAge === undefined && options.sourceAge === undefined,
        gender,
        genderEstimated: genderProbability !== null,
        genderProbability,
        ages: aged.ages,
        warnings: [...faceWarnings(face, prepared.signals.outside), ...genderWarnings(face.face, gender, genderProbability)],
      });
    }
  } catch (err) {
    await pool?.close();
    throw err;
  }
  const t3 = performance.now();
  progress({ stage: 'compose', face: null, facesDone: chosen.length, faces: chosen.length });
  const composed = composeFaces(inputs, photo.width, photo.height);
  const agedFaces: AgedTeamFace[] = faces.map((f, i) => ({ ...f, region: composed[i]!.region }));
  let marks: ChangeMarks | undefined;
  if (pool) {
    const changing = new Uint8Array(photo.width * photo.height);
    const pasted: PastedCache = [];
    try {
      for (const [i, pasting] of pastes.entries()) {
        const { changed, pasted: done } = await pasting;
        markRegion(changing, photo.width, composed[i]!.region, changed);
        pasted.push(done ?? []);
      }
    } finally {
      // The change maps are marked: let them go before the frames need the memory.
      pastes.length = 0;
      await pool.close();
    }
    marks = { changing, pasted };
  }
  const marked = performance.now() - t3;
  const ages = faces[0]!.ages;
  const streamed = await streamFrames(photo, composed, ages.ages.length, {
    start: ({ width, height, changing, frames }) => sink.start({ width, height, faces: agedFaces, changing, frames }),
    frame: (k, frame) => {
      if (k === 0) progress({ stage: 'encode', face: null, facesDone: chosen.length, faces: chosen.length });
      return sink.frame(k, frame);
    },
  }, marks);
  const timings = { loadMs: t1 - t0, detectMs: t2 - t1, faceMs: t3 - t2, composeMs: marked + streamed.composeMs, writeMs: streamed.writeMs };
  return { width: photo.width, height: photo.height, faceCount: all.length, faces: agedFaces, ages, timings };
}

/** Whether a team photo's hair greys: only with the run's own lightness settings asking for it (not the model's default). */
export function teamHair(options: Pick<AgeFaceOptions, 'lightness'>): boolean {
  return (options.lightness?.hairGrey ?? 0) > 0;
}
