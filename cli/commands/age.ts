import path from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import type { AgedPhotoFace, AgePhotoOptions } from '../../ml/aging/age-photo.js';
import { DEFAULT_TARGET_AGES, parseAges } from '../../ml/aging/ages.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../../ml/aging/model.js';
import { expandPhotoArgs } from '../../ml/aging/outputs.js';
import type { AgeFaceOptions, Gender } from '../../ml/aging/age-face.js';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';
import type { VisionHost } from '../../ml/vision/host.js';
import { ChromiumNotFoundError } from '../../ml/vision/chromium.js';
import { ModelUnavailableError } from '../../ml/vision/models.js';
import { agePhotoToFiles } from '../../workflows/age.js';
import { DEFAULT_FPS } from '../../workflows/age-files.js';
import { ageFolder } from '../../workflows/age-folder.js';
import { existingCatalogue, type AgingCatalogue } from '../../workflows/age-record.js';
import { BLEND_OPTIONS, blendOptions, changeOptions } from './blend-options.js';

interface Shared {
  ctx: CommandContext;
  host: VisionHost;
  model: AgingModel;
  options: AgePhotoOptions;
  fps: number;
  catalogue: AgingCatalogue | null;
}

function faceOptions(ctx: CommandContext): AgeFaceOptions {
  const ages = parseAges(listOpt(ctx, 'ages') ?? DEFAULT_TARGET_AGES.map(String));
  const sourceAge = numberOpt(ctx, 'source-age');
  if (sourceAge !== undefined && !(sourceAge >= 0 && sourceAge <= 120)) throw new UsageError(`--source-age must be from 0 to 120, got ${sourceAge}`);
  const g = stringOpt(ctx, 'gender');
  if (g !== undefined && g !== 'male' && g !== 'female') throw new UsageError(`--gender must be male or female, got "${g}"`);
  return { ages, sourceAge, gender: g as Gender | undefined, sample: boolOpt(ctx, 'sample'), ageShift: ctx.options['age-shift'] !== false, ...changeOptions(ctx), ...blendOptions(ctx) };
}

function describeSource(face: AgedPhotoFace): string {
  const age = `source age ${face.sourceAge}${face.sourceAgeEstimated ? " (estimated by face-api's age net)" : ' (given)'}`;
  const gender = `gender ${face.gender}${face.genderEstimated ? ' (estimated)' : ' (given)'}`;
  return `${age}, ${gender}`;
}

async function single(s: Shared, photo: string): Promise<number> {
  const { ctx, model } = s;
  const out = path.resolve(stringOpt(ctx, 'out')!);
  const strip = stringOpt(ctx, 'strip');
  const cropGif = stringOpt(ctx, 'crop-gif');
  const t0 = performance.now();
  const { aged, faces } = await agePhotoToFiles({
    host: s.host,
    model,
    photo,
    options: s.options,
    fps: s.fps,
    files: () => ({ gif: out, strip: strip ? path.resolve(strip) : null, cropGif: cropGif ? path.resolve(cropGif) : null }),
    catalogue: s.catalogue,
    onProgress: (p) => ctx.out.progress(p.done, p.total, p.stage),
  });
  const { face, files, warning } = faces[0]!;
  if (warning) ctx.out.warn(warning);
  ctx.out.info(`face ${face.face} of ${aged.faceCount}; ${describeSource(face)}`);
  const ms = Math.round(performance.now() - t0);
  ctx.out.result(
    {
      gif: files.gif,
      strip: files.strip,
      frames: face.frames.length,
      ages: face.ages.ages,
      requestedAges: face.ages.requested,
      clamped: face.ages.clamped,
      sourceAge: face.sourceAge,
      sourceAgeEstimated: face.sourceAgeEstimated,
      gender: face.gender,
      genderEstimated: face.genderEstimated,
      face: face.face,
      box: face.box.map((v) => Math.round(v)),
      faces: aged.faceCount,
      width: aged.width,
      height: aged.height,
      model: { id: model.choice.id, name: model.choice.name, source: model.choice.source, ageRange: model.ageRange },
      ms,
    },
    `wrote ${stringOpt(ctx, 'out')}${strip ? ` and ${strip}` : ''}: ${face.frames.length} frames at ${aged.width}x${aged.height}, ages ${face.ages.ages.join(', ')} (${ms} ms)`,
  );
  return 0;
}

async function folder(s: Shared, photos: string[], outDir: string): Promise<number> {
  const { ctx } = s;
  let warned = false;
  const t0 = performance.now();
  const r = await ageFolder({
    host: s.host,
    model: s.model,
    photos,
    outDir,
    options: s.options,
    fps: s.fps,
    catalogue: s.catalogue,
    signal: ctx.signal,
    onProgress: (i, photo, p) => ctx.out.progress(i, photos.length, `${path.basename(photo)} (${p.stage})`),
    onPhoto: (done) => {
      if ('error' in done) {
        if (ctx.out.json) ctx.out.event(done);
        else ctx.out.warn(`${done.photo}: ${done.error}`);
        return;
      }
      const written = done.aged.faces.map(({ face, files, warning }) => {
        if (warning && !warned) {
          ctx.out.warn(warning);
          warned = true;
        }
        if (!ctx.out.json) ctx.out.info(`${path.basename(done.photo)}: face ${face.face} -> ${path.basename(files.gif)} (${describeSource(face)})`);
        return { gif: files.gif, strip: files.strip, face: face.face, box: face.box.map((v) => Math.round(v)), ages: face.ages.ages, sourceAge: face.sourceAge, sourceAgeEstimated: face.sourceAgeEstimated, gender: face.gender };
      });
      ctx.out.event({ photo: done.photo, faces: written });
    },
  });
  const ms = Math.round(performance.now() - t0);
  ctx.out.result(
    { outDir, photos: r.photos, failed: r.failed, faces: r.faces, contactSheet: r.contactSheet, ms },
    `aged ${r.faces} face${r.faces === 1 ? '' : 's'} from ${r.photos - r.failed} of ${r.photos} photos into ${outDir}${r.contactSheet ? ` (contact sheet ${r.contactSheet})` : ''}`,
  );
  return r.failed > 0 && r.failed === r.photos ? 1 : 0;
}

/** The headless vision host; one retry, since a page can fail to start on a busy machine (not for a missing model or browser). */
async function startVisionHost(ctx: CommandContext): Promise<VisionHost> {
  const start = (): Promise<VisionHost> =>
    createChromiumVisionHost({ pages: 1, dataDir: ctx.dataDir, onModelProgress: (p) => ctx.out.progress(p.received, p.total, `downloading ${p.file}`) });
  try {
    return await start();
  } catch (err) {
    if (err instanceof ModelUnavailableError || err instanceof ChromiumNotFoundError) throw err;
    ctx.out.warn(`the vision host failed to start (${err instanceof Error ? err.message : String(err)}); trying once more`);
    return start();
  }
}

export const ageCommand: Command = {
  name: 'age',
  summary: 'turn a photo (or a folder of photos) into an aging GIF and PNG strip at the photo\'s own resolution',
  usage: 'chronoface age PHOTO --out FILE.gif [--ages 20,30,...] [--face N] [--source-age A] [--gender male|female] [--strip FILE.png] [--model ID|DIR] [--json]\n       chronoface age PHOTO_OR_DIR... --out-dir DIR [same options]',
  options: {
    out: { kind: 'string', value: 'FILE.gif', help: 'the animated GIF to write (one photo)' },
    'out-dir': { kind: 'string', value: 'DIR', help: 'folder for <stem>.gif/.png of every face of every photo, and a contact sheet' },
    ages: { kind: 'list', value: 'A,B,...', help: `target ages, clamped to the model's trained range (default ${DEFAULT_TARGET_AGES.join(',')})` },
    face: { kind: 'number', value: 'N', help: 'which face, numbered 0.. left to right (default: the largest)' },
    'source-age': { kind: 'number', value: 'A', help: "the person's age in the photo (default: estimated)" },
    gender: { kind: 'string', value: 'male|female', help: 'the person\'s gender (default: estimated)' },
    strip: { kind: 'string', value: 'FILE.png', help: 'also write a PNG strip of the frames, left to right' },
    model: { kind: 'string', value: 'ID|DIR', help: 'model id in the catalogue or a model folder (default: newest, else the shipped default)' },
    fps: { kind: 'number', value: 'FPS', help: 'GIF frames per second', default: DEFAULT_FPS },
    sample: { kind: 'boolean', help: 'sample z from the posterior instead of using its mean' },
    'age-shift': { kind: 'boolean', help: "move z by the sidecar's per-age-bin latent means (--no-age-shift to use the condition alone)", default: true },
    ...BLEND_OPTIONS,
    'crop-gif': { kind: 'string', value: 'FILE.gif', help: 'also write a GIF of the aligned crop frames (one photo)' },
  },
  async run(ctx) {
    const outDir = stringOpt(ctx, 'out-dir');
    if (ctx.positionals.length === 0) throw new UsageError('give a photo (or, with --out-dir, photos and folders)');
    if (!outDir && ctx.positionals.length > 1) throw new UsageError('several photos need --out-dir DIR');
    const fps = numberOpt(ctx, 'fps') ?? DEFAULT_FPS;
    if (!(fps > 0 && fps <= 50)) throw new UsageError(`--fps must be in (0, 50], got ${fps}`);
    const opts = faceOptions(ctx);
    const face = numberOpt(ctx, 'face');
    if (face !== undefined && (!Number.isInteger(face) || face < 0)) throw new UsageError(`--face must be 0, 1, 2...; got ${face}`);
    if (!outDir && !stringOpt(ctx, 'out')) throw new UsageError('--out FILE.gif is needed (or --out-dir DIR)');
    // Chromium starts its vision pages while this process loads the model.
    const starting = startVisionHost(ctx);
    // --no-shape leaves only the prototypes' texture term, which a damaged prototypes file may not stop; --no-texture too, nothing.
    const need = opts.shape ? 'required' : opts.texture && opts.prototype !== 0 ? 'optional' : 'skip';
    const model = await loadAgingModel(chooseModel(ctx.dataDir, stringOpt(ctx, 'model')), need).catch(async (err: unknown) => {
      await starting.then((h) => h.close()).catch(() => undefined);
      throw err;
    });
    ctx.out.info(`model ${model.choice.name} (${model.choice.source}), ${model.size} px, ages ${model.ageRange.min}-${model.ageRange.max}, backend ${model.backend.backend}`);
    if (model.prototypeWarning) ctx.out.warn(model.prototypeWarning);
    const host = await starting.catch((err: unknown) => {
      model.cvae.dispose();
      throw err;
    });
    const catalogue = existingCatalogue(ctx.dataDir);
    try {
      const shared: Shared = { ctx, host, model, options: { ...opts, face }, fps, catalogue };
      if (outDir) return await folder(shared, expandPhotoArgs(ctx.positionals), path.resolve(outDir));
      return await single(shared, path.resolve(ctx.positionals[0]!));
    } finally {
      catalogue?.db.close();
      await host.close();
      model.cvae.dispose();
    }
  },
};
