import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../contract/api.js';
import { fileRef } from '../../contract/files.js';
import type { ModelSummary } from '../../contract/types.js';
import { listModels } from '../../db/models.js';
import type { AgingModel, ModelChoice } from '../../ml/aging/model.js';
import type { ServiceContext } from '../context.js';
import { getPhoto } from '../photos.js';
import { evalHandlers } from './evaluate.js';
import { teamHandlers } from './age-team.js';
import type { HandlerGroup } from './types.js';

type AgingMethods = 'ageRun' | 'ageTeam' | 'ageModels' | 'evalRun' | 'evalList';

export const OUTPUTS_DIR = 'outputs';

interface SidecarLike {
  imageSize?: number;
  ageRange?: { min: number; max: number };
  epoch?: number;
  metrics?: Record<string, number>;
}

function readSidecarJson(dir: string): SidecarLike | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'sidecar.json'), 'utf8')) as SidecarLike;
  } catch {
    return null;
  }
}

function numbersOnly(m: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

export function agingHandlers(ctx: ServiceContext): HandlerGroup<AgingMethods> {
  const { db, bus } = ctx;
  const loaded = new Map<string, Promise<AgingModel>>();
  let queue: Promise<unknown> = Promise.resolve();
  ctx.closers.push(async () => {
    for (const m of loaded.values()) await m.then((x) => x.cvae.dispose()).catch(() => undefined);
    loaded.clear();
  });

  const defaultSummary = async (): Promise<ModelSummary | null> => {
    const { defaultModelDir } = await import('../../ml/aging/model.js');
    const dir = defaultModelDir();
    const side = readSidecarJson(dir);
    if (!side) return null;
    return {
      id: null,
      name: 'default',
      isDefault: true,
      imageSize: side.imageSize ?? 0,
      epoch: side.epoch ?? null,
      ageRange: side.ageRange ? [side.ageRange.min, side.ageRange.max] : null,
      runId: null,
      createdAt: null,
      metrics: numbersOnly(side.metrics),
    };
  };

  const catalogueSummaries = (): ModelSummary[] =>
    listModels(db).map((m) => {
      const side = readSidecarJson(path.resolve(ctx.dataDir, m.dir));
      return {
        id: m.id,
        name: m.name,
        isDefault: false,
        imageSize: m.imageSize,
        epoch: m.epoch,
        ageRange: side?.ageRange ? [side.ageRange.min, side.ageRange.max] : null,
        runId: m.runId,
        createdAt: m.createdAt,
        metrics: numbersOnly(m.metrics),
      };
    });

  const summaryOf = async (choice: ModelChoice): Promise<ModelSummary> => {
    if (choice.source === 'default') {
      const d = await defaultSummary();
      if (d) return d;
    }
    const found = choice.id !== null ? catalogueSummaries().find((m) => m.id === choice.id) : undefined;
    return found ?? { id: choice.id, name: choice.name, isDefault: choice.source === 'default', imageSize: 0, epoch: null, ageRange: null, runId: null, createdAt: null, metrics: {} };
  };

  const modelFor = async (modelId: number | null | undefined): Promise<AgingModel> => {
    const { chooseModel, loadAgingModel } = await import('../../ml/aging/model.js');
    let choice: ModelChoice;
    try {
      choice = chooseModel(ctx.dataDir, modelId === null || modelId === undefined ? undefined : String(modelId));
    } catch (err) {
      throw new ApiError(modelId ? 'not-found' : 'failed', (err as Error).message);
    }
    let m = loaded.get(choice.dir);
    if (!m) {
      m = loadAgingModel(choice);
      loaded.set(choice.dir, m);
      m.catch(() => loaded.delete(choice.dir));
    }
    return m;
  };

  const ageRun: HandlerGroup<'ageRun'>['ageRun'] = async (req) => {
    const photo = getPhoto(ctx.dataDir, req.photoId);
    const started = performance.now();
    const [{ agePhotoToFiles }, { dataDirNames }, { NoFaceError }] = await Promise.all([
      import('../../workflows/age.js'),
      import('../../workflows/age-record.js'),
      import('../../ml/aging/age-photo.js'),
    ]);
    const model = await modelFor(req.modelId);
    const name = dataDirNames(ctx.dataDir);
    let result;
    try {
      result = await agePhotoToFiles({
        host: await ctx.vision(),
        model,
        photo: photo.abs,
        options: {
          ages: req.ages,
          ...(req.face !== undefined ? { face: req.face } : {}),
          ...(req.sourceAge !== undefined ? { sourceAge: req.sourceAge } : {}),
          ...(req.gender !== undefined ? { gender: req.gender } : {}),
          ...(req.shape !== undefined ? { shape: req.shape } : {}),
          ...(req.texture !== undefined ? { texture: req.texture } : {}),
        },
        ...(req.fps !== undefined ? { fps: req.fps } : {}),
        files: (face) => {
          const dir = path.join(ctx.dataDir, OUTPUTS_DIR, req.photoId, `${Date.now().toString(36)}-f${face.face}`);
          return { gif: path.join(dir, 'aging.gif'), strip: path.join(dir, 'strip.png'), framesDir: dir };
        },
        catalogue: { db, name },
        onProgress: (p) => bus.emit({ type: 'age.progress', photoId: req.photoId, stage: p.stage, done: p.done, total: p.total }),
      });
    } catch (err) {
      if (err instanceof NoFaceError) throw new ApiError('invalid-argument', `${photo.name}: ${err.message}`);
      if (err instanceof Error && /^face \d+ does not exist/.test(err.message)) throw new ApiError('invalid-argument', err.message);
      throw err;
    }
    const aged = result.faces[0];
    if (!aged) throw new ApiError('failed', `${photo.name}: no face was aged`);
    const { face, files } = aged;
    return {
      outputId: aged.outputId!,
      photoId: req.photoId,
      face: face.face,
      gifUrl: fileRef(name(files.gif)),
      stripUrl: fileRef(name(files.strip!)),
      frames: aged.frames.map((f) => ({ age: f.age, url: fileRef(name(f.file)), cropUrl: f.cropFile ? fileRef(name(f.cropFile)) : null })),
      ages: face.ages.ages,
      sourceAge: face.sourceAge,
      sourceAgeEstimated: face.sourceAgeEstimated,
      gender: face.gender,
      genderProbability: face.genderProbability,
      faceWarnings: face.warnings.map((w) => ({ kind: w.kind, message: w.message })),
      warnings: aged.warning ? [aged.warning] : [],
      model: await summaryOf(model.choice),
      ms: Math.round(performance.now() - started),
    };
  };

  // One aging at a time: each holds a model's tensors, the photo and the frame being written.
  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    ageRun: (req) => enqueue(() => ageRun(req)),
    ...teamHandlers(ctx, { modelFor, summaryOf, enqueue }),
    async ageModels() {
      const models = catalogueSummaries();
      const def = await defaultSummary();
      if (def) models.push(def);
      let current: ModelSummary | null = null;
      try {
        const { chooseModel } = await import('../../ml/aging/model.js');
        current = await summaryOf(chooseModel(ctx.dataDir));
      } catch {
        current = null;
      }
      return { models, current };
    },
    ...evalHandlers(ctx, modelFor),
  };
}
