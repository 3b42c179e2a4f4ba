import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../contract/api.js';
import { fileRef, type Served } from '../../contract/files.js';
import type { AgeFrame, ModelSummary } from '../../contract/types.js';
import { listModels } from '../../db/models.js';
import { insertAgingOutput } from '../../db/outputs.js';
import type { AgingModel, ModelChoice } from '../../ml/aging/model.js';
import type { ServiceContext } from '../context.js';
import { getPhoto } from '../photos.js';
import { evalHandlers } from './evaluate.js';
import type { HandlerGroup } from './types.js';

type AgingMethods = 'ageRun' | 'ageModels' | 'evalRun' | 'evalList';

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
    const progress = (stage: 'detect' | 'align' | 'decode' | 'compose' | 'encode', done: number) =>
      bus.emit({ type: 'age.progress', photoId: req.photoId, stage, done, total: 3 });
    progress('detect', 0);
    const [{ agePhoto, NoFaceError }, { clampMessage }, { writeGif, writeStrip, encodePng }, { writeFileAtomic }] = await Promise.all([
      import('../../ml/aging/age-photo.js'),
      import('../../ml/aging/ages.js'),
      import('../../ml/aging/writers.js'),
      import('../../ml/io/write-file-atomic.js'),
    ]);
    const model = await modelFor(req.modelId);
    let aged;
    try {
      aged = await agePhoto(await ctx.vision(), model, photo.abs, {
        ages: req.ages,
        ...(req.face !== undefined ? { face: req.face } : {}),
        ...(req.sourceAge !== undefined ? { sourceAge: req.sourceAge } : {}),
        ...(req.gender !== undefined ? { gender: req.gender } : {}),
        ...(req.shape !== undefined ? { shape: req.shape } : {}),
        ...(req.texture !== undefined ? { texture: req.texture } : {}),
      });
    } catch (err) {
      if (err instanceof NoFaceError) throw new ApiError('invalid-argument', `${photo.name}: ${err.message}`);
      if (err instanceof Error && /^face \d+ does not exist/.test(err.message)) throw new ApiError('invalid-argument', err.message);
      throw err;
    }
    const face = aged.faces[0];
    if (!face) throw new ApiError('failed', `${photo.name}: no face was aged`);
    progress('encode', 2);
    const stamp = `${Date.now().toString(36)}-f${face.face}`;
    const relDir = `${OUTPUTS_DIR}/${req.photoId}/${stamp}`;
    const absDir = path.join(ctx.dataDir, ...relDir.split('/'));
    fs.mkdirSync(absDir, { recursive: true });
    const frames: Served<AgeFrame>[] = [];
    for (let i = 0; i < face.frames.length; i++) {
      const age = face.ages.ages[i]!;
      const name = `${String(i).padStart(2, '0')}-age${Math.round(age)}`;
      await writeFileAtomic(path.join(absDir, `${name}.png`), await encodePng(face.frames[i]!));
      const crop = face.cropFrames[i];
      if (crop) await writeFileAtomic(path.join(absDir, `${name}-crop.png`), await encodePng(crop));
      frames.push({ age, url: fileRef(`${relDir}/${name}.png`), cropUrl: crop ? fileRef(`${relDir}/${name}-crop.png`) : null });
    }
    await writeGif(path.join(absDir, 'aging.gif'), face.frames, { fps: req.fps ?? 6 });
    await writeStrip(path.join(absDir, 'strip.png'), face.frames);
    const warnings: string[] = [];
    const clamp = clampMessage(face.ages, model.ageRange);
    if (clamp) warnings.push(clamp);
    const outputId = insertAgingOutput(db, {
      modelId: model.choice.id,
      modelName: model.choice.name,
      photoPath: photo.file,
      faceIndex: face.face,
      sourceAge: face.sourceAge,
      sourceAgeEstimated: face.sourceAgeEstimated,
      gender: face.gender,
      ages: face.ages.ages,
      gifFile: `${relDir}/aging.gif`,
      stripFile: `${relDir}/strip.png`,
    });
    progress('encode', 3);
    return {
      outputId,
      photoId: req.photoId,
      face: face.face,
      gifUrl: fileRef(`${relDir}/aging.gif`),
      stripUrl: fileRef(`${relDir}/strip.png`),
      frames,
      ages: face.ages.ages,
      sourceAge: face.sourceAge,
      sourceAgeEstimated: face.sourceAgeEstimated,
      gender: face.gender,
      warnings,
      model: await summaryOf(model.choice),
      ms: Math.round(performance.now() - started),
    };
  };

  return {
    // One aging at a time: each holds a model's tensors and full-resolution frames.
    ageRun: (req) => {
      const run = queue.then(() => ageRun(req));
      queue = run.catch(() => undefined);
      return run;
    },
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
