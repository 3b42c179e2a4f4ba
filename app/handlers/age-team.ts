import path from 'node:path';
import { ApiError, type RequestOf, type ResponseOf } from '../../contract/api.js';
import { fileRef, type Served } from '../../contract/files.js';
import type { ModelSummary } from '../../contract/types.js';
import type { AgingModel, ModelChoice } from '../../ml/aging/model.js';
import type { ServiceContext } from '../context.js';
import { getPhoto } from '../photos.js';
import type { HandlerGroup } from './types.js';

/** Where a team GIF goes, under the data directory's outputs folder. */
const TEAM_DIR = 'outputs';

export interface TeamDeps {
  modelFor(modelId: number | null | undefined): Promise<AgingModel>;
  summaryOf(choice: ModelChoice): Promise<ModelSummary>;
  /** Runs one aging at a time (each holds a model's tensors and a full-resolution frame). */
  enqueue<T>(run: () => Promise<T>): Promise<T>;
}

/** The face numbers and drawn boxes of a request, as ageTeam takes them (drawn faces numbered after the found ones). */
export function teamChoice(faces: RequestOf<'ageTeam'>['faces'], found: number) {
  const drawn: [number, number, number, number][] = [];
  const numbers: number[] = [];
  const perFace = new Map<number, { sourceAge?: number; gender?: 'male' | 'female' }>();
  for (const f of faces) {
    let n: number;
    if (f.box) {
      drawn.push([f.box[0], f.box[1], f.box[2], f.box[3]]);
      n = found + drawn.length - 1;
    } else {
      n = f.face!;
      if (n >= found) throw new ApiError('invalid-argument', `face ${n} does not exist: the photo has ${found} face${found === 1 ? '' : 's'} found (numbered 0 to ${found - 1})`);
    }
    numbers.push(n);
    if (f.sourceAge !== undefined || f.gender !== undefined) perFace.set(n, { ...(f.sourceAge !== undefined ? { sourceAge: f.sourceAge } : {}), ...(f.gender ? { gender: f.gender } : {}) });
  }
  return { drawn, numbers, perFace };
}

export function teamHandlers(ctx: ServiceContext, deps: TeamDeps): HandlerGroup<'ageTeam'> {
  const ageTeam = async (req: RequestOf<'ageTeam'>): Promise<Served<ResponseOf<'ageTeam'>>> => {
    if (req.faces.length === 0) throw new ApiError('invalid-argument', 'faces: choose at least one face to age');
    const photo = getPhoto(ctx.dataDir, req.photoId);
    const started = performance.now();
    const [{ ageTeamToFiles }, { dataDirNames }, { NoFaceError, orderFaces }, { loadPhoto }, { detectFaces }, { clampMessage }] = await Promise.all([
      import('../../workflows/age-team.js'),
      import('../../workflows/age-record.js'),
      import('../../ml/aging/age-photo.js'),
      import('../../ml/prep/photo.js'),
      import('../../ml/prep/detect.js'),
      import('../../ml/aging/ages.js'),
    ]);
    const model = await deps.modelFor(req.modelId);
    const host = await ctx.vision();
    const image = await loadPhoto(photo.abs);
    // The found faces are numbered as ageDetect numbered them (left to right); the drawn ones follow.
    const detected = orderFaces(await detectFaces(host, image));
    const { drawn, numbers, perFace } = teamChoice(req.faces, detected.length);
    const name = dataDirNames(ctx.dataDir);
    const gif = path.join(ctx.dataDir, TEAM_DIR, req.photoId, `${Date.now().toString(36)}-team.gif`);
    let result;
    try {
      result = await ageTeamToFiles({
        host,
        model,
        photo: photo.abs,
        image,
        options: {
          ages: req.ages,
          faces: numbers,
          drawn,
          detected,
          perFace,
          ...(req.shape !== undefined ? { shape: req.shape } : {}),
          ...(req.texture !== undefined ? { texture: req.texture } : {}),
        },
        ...(req.fps !== undefined ? { fps: req.fps } : {}),
        files: { gif },
        catalogue: { db: ctx.db, name },
        onProgress: (p) =>
          ctx.bus.emit({ type: 'age.progress', photoId: req.photoId, stage: p.stage, done: p.done, total: p.total, face: p.face, facesDone: p.facesDone, faces: p.faces }),
      });
    } catch (err) {
      if (err instanceof NoFaceError) throw new ApiError('invalid-argument', `${photo.name}: ${err.message}`);
      if (err instanceof Error && /^(face \d+ does not exist|the drawn box)/.test(err.message)) throw new ApiError('invalid-argument', err.message);
      throw err;
    }
    const { team } = result;
    const clamp = clampMessage(team.ages, model.ageRange);
    return {
      photoId: req.photoId,
      gifUrl: fileRef(name(gif)),
      width: team.width,
      height: team.height,
      ages: team.ages.ages,
      faces: team.faces.map((f) => ({
        face: f.face,
        box: f.box,
        drawn: f.drawn,
        sourceAge: f.sourceAge,
        sourceAgeEstimated: f.sourceAgeEstimated,
        gender: f.gender,
        genderProbability: f.genderProbability,
        warnings: f.warnings.map((w) => ({ kind: w.kind, message: w.message })),
      })),
      warnings: clamp ? [clamp] : [],
      model: await deps.summaryOf(model.choice),
      ms: Math.round(performance.now() - started),
    };
  };
  return { ageTeam: (req) => deps.enqueue(() => ageTeam(req)) };
}
