import fs from 'node:fs';
import path from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { CATALOGUE_FILE, openCatalogue } from '../../db/catalogue.js';
import { insertAgingOutput } from '../../db/outputs.js';
import { agePhoto, type AgedPhotoFace } from '../../ml/aging/age-photo.js';
import { clampMessage, DEFAULT_TARGET_AGES, parseAges } from '../../ml/aging/ages.js';
import { writeContactSheet, type ContactSheetRow } from '../../ml/aging/contact-sheet.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../../ml/aging/model.js';
import { expandPhotoArgs, outputStem, writeFaceOutputs } from '../../ml/aging/outputs.js';
import type { AgeFaceOptions, Gender } from '../../ml/aging/age-face.js';
import { createPlaywrightVisionHost } from '../../ml/vision/playwright-host.js';
import type { VisionHost } from '../../ml/vision/host.js';
import { ChromiumNotFoundError } from '../../ml/vision/chromium.js';
import { BLEND_OPTIONS, blendOptions, changeOptions } from './blend-options.js';
import { ModelUnavailableError } from '../../ml/vision/models.js';

interface Shared {
  ctx: CommandContext;
  host: VisionHost;
  model: AgingModel;
  faceOptions: AgeFaceOptions;
  face: number | undefined;
  fps: number;
}

function faceOptions(ctx: CommandContext): AgeFaceOptions {
  const ages = parseAges(listOpt(ctx, 'ages') ?? DEFAULT_TARGET_AGES.map(String));
  const sourceAge = numberOpt(ctx, 'source-age');
  if (sourceAge !== undefined && !(sourceAge >= 0 && sourceAge <= 120)) throw new UsageError(`--source-age must be from 0 to 120, got ${sourceAge}`);
  const g = stringOpt(ctx, 'gender');
  if (g !== undefined && g !== 'male' && g !== 'female') throw new UsageError(`--gender must be male or female, got "${g}"`);
  return { ages, sourceAge, gender: g as Gender | undefined, sample: boolOpt(ctx, 'sample'), ageShift: ctx.options['age-shift'] !== false, ...changeOptions(ctx), ...blendOptions(ctx) };
}

function record(ctx: CommandContext, model: AgingModel, photo: string, face: AgedPhotoFace, gif: string, strip: string | null): void {
  if (!fs.existsSync(path.join(ctx.dataDir, CATALOGUE_FILE))) return;
  const db = openCatalogue(ctx.dataDir);
  try {
    insertAgingOutput(db, {
      modelId: model.choice.id,
      modelName: model.choice.name,
      photoPath: photo,
      faceIndex: face.face,
      sourceAge: face.sourceAge,
      sourceAgeEstimated: face.sourceAgeEstimated,
      gender: face.gender,
      ages: face.ages.ages,
      gifFile: gif,
      stripFile: strip,
    });
  } finally {
    db.close();
  }
}

function describeSource(face: AgedPhotoFace): string {
  const age = `source age ${face.sourceAge}${face.sourceAgeEstimated ? " (estimated by face-api's age net)" : ' (given)'}`;
  const gender = `gender ${face.gender}${face.genderEstimated ? ' (estimated)' : ' (given)'}`;
  return `${age}, ${gender}`;
}

async function single(s: Shared, photo: string): Promise<number> {
  const { ctx, model } = s;
  const out = stringOpt(ctx, 'out');
  if (!out) throw new UsageError('--out FILE.gif is needed (or --out-dir DIR for several photos)');
  const stripFile = stringOpt(ctx, 'strip') ?? null;
  const t0 = performance.now();
  const aged = await agePhoto(s.host, model, photo, { ...s.faceOptions, face: s.face });
  const face = aged.faces[0]!;
  const warning = clampMessage(face.ages, model.ageRange);
  if (warning) ctx.out.warn(warning);
  ctx.out.info(`face ${face.face} of ${aged.faceCount}; ${describeSource(face)}`);
  await writeFaceOutputs(face, path.resolve(out), stripFile ? path.resolve(stripFile) : null, { fps: s.fps });
  const cropGif = stringOpt(ctx, 'crop-gif');
  if (cropGif) await writeFaceOutputs({ ...face, frames: face.cropFrames }, path.resolve(cropGif), null, { fps: s.fps });
  const ms = Math.round(performance.now() - t0);
  record(ctx, model, path.resolve(photo), face, path.resolve(out), stripFile ? path.resolve(stripFile) : null);
  ctx.out.result(
    {
      gif: path.resolve(out),
      strip: stripFile ? path.resolve(stripFile) : null,
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
    `wrote ${out}${stripFile ? ` and ${stripFile}` : ''}: ${face.frames.length} frames at ${aged.width}x${aged.height}, ages ${face.ages.ages.join(', ')} (${ms} ms)`,
  );
  return 0;
}

async function folder(s: Shared, photos: string[], outDir: string): Promise<number> {
  const { ctx, model } = s;
  fs.mkdirSync(outDir, { recursive: true });
  const used = new Set<string>();
  const rows: ContactSheetRow[] = [];
  let failed = 0;
  let faces = 0;
  let warned = false;
  const t0 = performance.now();
  for (const [i, photo] of photos.entries()) {
    if (ctx.signal.aborted) break;
    ctx.out.progress(i, photos.length, path.basename(photo));
    try {
      const aged = await agePhoto(s.host, model, photo, { ...s.faceOptions, face: s.face, allFaces: true });
      const stem = outputStem(photo, used);
      const written = [];
      for (const face of aged.faces) {
        const name = aged.faces.length > 1 ? `${stem}-${face.face}` : stem;
        const gif = path.join(outDir, `${name}.gif`);
        const strip = path.join(outDir, `${name}.png`);
        await writeFaceOutputs(face, gif, strip, { fps: s.fps });
        record(ctx, model, photo, face, gif, strip);
        rows.push({ label: name, stripFile: strip });
        written.push({ gif, strip, face: face.face, box: face.box.map((v) => Math.round(v)), ages: face.ages.ages, sourceAge: face.sourceAge, sourceAgeEstimated: face.sourceAgeEstimated, gender: face.gender });
        const warning = clampMessage(face.ages, model.ageRange);
        if (warning && !warned) {
          ctx.out.warn(warning);
          warned = true;
        }
        if (!ctx.out.json) ctx.out.info(`${path.basename(photo)}: face ${face.face} -> ${name}.gif (${describeSource(face)})`);
      }
      faces += written.length;
      ctx.out.event({ photo, faces: written });
    } catch (err) {
      failed++;
      const error = err instanceof Error ? err.message : String(err);
      if (ctx.out.json) ctx.out.event({ photo, error });
      else ctx.out.warn(`${photo}: ${error}`);
    }
  }
  let contactSheet: string | null = null;
  if (rows.length > 0) {
    contactSheet = path.join(outDir, 'contact-sheet.png');
    await writeContactSheet(contactSheet, rows, { ages: s.faceOptions.ages.map((a) => Math.min(model.ageRange.max, Math.max(model.ageRange.min, a))) });
  }
  const ms = Math.round(performance.now() - t0);
  ctx.out.result(
    { outDir, photos: photos.length, failed, faces, contactSheet, ms },
    `aged ${faces} face${faces === 1 ? '' : 's'} from ${photos.length - failed} of ${photos.length} photos into ${outDir}${contactSheet ? ` (contact sheet ${contactSheet})` : ''}`,
  );
  return failed > 0 && failed === photos.length ? 1 : 0;
}

/** The headless vision host; one retry, since a page can fail to start on a busy machine (not for a missing model or browser). */
async function startVisionHost(ctx: CommandContext): Promise<VisionHost> {
  const start = (): Promise<VisionHost> =>
    createPlaywrightVisionHost({ pages: 1, dataDir: ctx.dataDir, onModelProgress: (p) => ctx.out.progress(p.received, p.total, `downloading ${p.file}`) });
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
    fps: { kind: 'number', value: 'FPS', help: 'GIF frames per second', default: 4 },
    sample: { kind: 'boolean', help: 'sample z from the posterior instead of using its mean' },
    'age-shift': { kind: 'boolean', help: "move z by the sidecar's per-age-bin latent means (--no-age-shift to use the condition alone)", default: true },
    ...BLEND_OPTIONS,
    'crop-gif': { kind: 'string', value: 'FILE.gif', help: 'also write a GIF of the aligned crop frames (one photo)' },
  },
  async run(ctx) {
    const outDir = stringOpt(ctx, 'out-dir');
    if (ctx.positionals.length === 0) throw new UsageError('give a photo (or, with --out-dir, photos and folders)');
    if (!outDir && ctx.positionals.length > 1) throw new UsageError('several photos need --out-dir DIR');
    const fps = numberOpt(ctx, 'fps') ?? 4;
    if (!(fps > 0 && fps <= 50)) throw new UsageError(`--fps must be in (0, 50], got ${fps}`);
    const opts = faceOptions(ctx);
    const face = numberOpt(ctx, 'face');
    if (face !== undefined && (!Number.isInteger(face) || face < 0)) throw new UsageError(`--face must be 0, 1, 2...; got ${face}`);
    if (!outDir && !stringOpt(ctx, 'out')) throw new UsageError('--out FILE.gif is needed (or --out-dir DIR)');
    const model = await loadAgingModel(chooseModel(ctx.dataDir, stringOpt(ctx, 'model')));
    ctx.out.info(`model ${model.choice.name} (${model.choice.source}), ${model.size} px, ages ${model.ageRange.min}-${model.ageRange.max}, backend ${model.backend.backend}`);
    const host = await startVisionHost(ctx);
    try {
      const shared: Shared = { ctx, host, model, faceOptions: opts, face, fps };
      if (outDir) return await folder(shared, expandPhotoArgs(ctx.positionals), path.resolve(outDir));
      return await single(shared, path.resolve(ctx.positionals[0]!));
    } finally {
      await host.close();
      model.cvae.dispose();
    }
  },
};
