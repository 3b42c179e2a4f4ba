import path from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import type { AgedFaceSource, AgedPhotoFace, AgePhotoOptions } from '../../ml/aging/age-photo.js';
import { agePhotoToFiles } from '../../workflows/age.js';
import { DEFAULT_TARGET_AGES, parseAges } from '../../ml/aging/ages.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../../ml/aging/model.js';
import { expandPhotoArgs } from '../../ml/aging/outputs.js';
import type { AgeFaceOptions, Gender } from '../../ml/aging/age-face.js';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';
import type { VisionHost } from '../../ml/vision/host.js';
import { ChromiumNotFoundError } from '../../ml/vision/chromium.js';
import { ModelUnavailableError } from '../../ml/vision/models.js';
import fs from 'node:fs';
import type { AgedTeamFace, AgeTeamOptions, TeamFaceSettings } from '../../ml/aging/age-team.js';
import type { Box } from '../../ml/aging/team-faces.js';
import { clampMessage } from '../../ml/aging/ages.js';
import { ageTeamToFiles } from '../../workflows/age-team.js';
import { DEFAULT_FPS } from '../../workflows/age-files.js';
import { ageFolder } from '../../workflows/age-folder.js';
import { existingCatalogue, type AgingCatalogue } from '../../workflows/age-record.js';
import { BLEND_OPTIONS, blendOptions, changeOptions, LIGHTNESS_OPTION, lightnessOption } from './blend-options.js';

interface Shared {
  ctx: CommandContext;
  host: VisionHost;
  model: AgingModel;
  options: AgePhotoOptions;
  team: Omit<AgeTeamOptions, 'onProgress'>;
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

/** Source age and gender, with the gender estimate's probability (the team path's and the single-face path's faces alike). */
function describeSource(face: Pick<AgedPhotoFace, 'sourceAge' | 'sourceAgeEstimated' | 'gender' | 'genderProbability'>): string {
  const age = `source age ${face.sourceAge}${face.sourceAgeEstimated ? " (estimated by face-api's age net)" : ' (given)'}`;
  const gender = `gender ${face.gender}${face.genderProbability !== null ? ` (estimated, probability ${face.genderProbability.toFixed(2)})` : ' (given)'}`;
  return `${age}, ${gender}`;
}

/** "N=VALUE" items of a per-face option, e.g. --face-gender 2=female,5=male. */
function perFaceItems(ctx: CommandContext, name: string): [number, string][] {
  return (listOpt(ctx, name) ?? []).map((item) => {
    const m = /^(\d+)=(.+)$/.exec(item);
    if (!m) throw new UsageError(`--${name} takes FACE=VALUE items, e.g. 2=${name === 'face-gender' ? 'female' : '34'}; got "${item}"`);
    return [Number(m[1]), m[2]!];
  });
}

/** --face-age and --face-gender as one map of per-face settings. */
export function perFaceSettings(ctx: CommandContext): Map<number, TeamFaceSettings> {
  const out = new Map<number, { sourceAge?: number; gender?: Gender }>();
  const at = (n: number): { sourceAge?: number; gender?: Gender } => out.get(n) ?? (out.set(n, {}), out.get(n)!);
  for (const [n, v] of perFaceItems(ctx, 'face-age')) {
    const age = Number(v);
    if (!(age >= 0 && age <= 120)) throw new UsageError(`--face-age ${n}=${v}: the age must be from 0 to 120`);
    at(n).sourceAge = age;
  }
  for (const [n, v] of perFaceItems(ctx, 'face-gender')) {
    if (v !== 'male' && v !== 'female') throw new UsageError(`--face-gender ${n}=${v}: the gender must be male or female`);
    at(n).gender = v;
  }
  return out;
}

/** --add-face X:Y:W:H[,X:Y:W:H...]: boxes around faces the detector missed, in photo pixels. */
export function drawnBoxes(ctx: CommandContext): Box[] {
  return (listOpt(ctx, 'add-face') ?? []).map((item) => {
    const v = item.split(':').map(Number);
    if (v.length !== 4 || v.some((x) => !Number.isFinite(x)) || v[2]! <= 0 || v[3]! <= 0) throw new UsageError(`--add-face takes X:Y:W:H boxes in photo pixels, got "${item}"`);
    return v as Box;
  });
}

/** --faces 0,3,5 or --face N (not both); undefined = every face. */
function facesChosen(ctx: CommandContext): number[] | undefined {
  const list = listOpt(ctx, 'faces');
  const one = numberOpt(ctx, 'face');
  if (list && one !== undefined) throw new UsageError('give --faces or --face, not both');
  if (one !== undefined) return [one];
  if (!list) return undefined;
  return list.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--faces takes face numbers 0, 1, 2...; got "${v}"`);
    return n;
  });
}

const roundProbability = (p: number | null): number | null => (p === null ? null : Math.round(p * 1000) / 1000);

/** What a face was aged from, and its warnings, as every path's JSON gives them. */
function sourceJson(face: AgedFaceSource): Record<string, unknown> {
  return {
    sourceAge: face.sourceAge,
    sourceAgeEstimated: face.sourceAgeEstimated,
    gender: face.gender,
    genderEstimated: face.genderEstimated,
    genderProbability: roundProbability(face.genderProbability),
    warnings: face.warnings.map((w) => ({ kind: w.kind, message: w.message })),
  };
}

function teamFaceJson(face: AgedTeamFace, gif: string | null): Record<string, unknown> {
  return {
    face: face.face,
    box: face.box.map((v) => Math.round(v)),
    drawn: face.drawn,
    ...sourceJson(face),
    gif,
  };
}

/** One photo: the chosen faces (default all) age together into one GIF of the whole photo; --out-dir adds a close-up GIF per face. */
async function team(s: Shared, photo: string): Promise<number> {
  const { ctx, model } = s;
  const out = path.resolve(stringOpt(ctx, 'out')!);
  const strip = stringOpt(ctx, 'strip');
  const outDir = stringOpt(ctx, 'out-dir');
  if (outDir) fs.mkdirSync(path.resolve(outDir), { recursive: true });
  const stem = path.basename(out, path.extname(out));
  const t0 = performance.now();
  const r = await ageTeamToFiles({
    host: s.host,
    model,
    photo,
    options: s.team,
    fps: s.fps,
    files: {
      gif: out,
      strip: strip ? path.resolve(strip) : null,
      faceGif: outDir ? (face) => path.join(path.resolve(outDir), `${stem}-face${face.face}.gif`) : undefined,
    },
    catalogue: s.catalogue,
    // One face: the stages as for any photo; several: which face, and how many are aged.
    onProgress: (p) => ctx.out.progress(p.done, p.total, p.faces > 1 && p.face !== null ? `${p.stage} (face ${p.face}, ${p.facesDone} of ${p.faces} aged)` : p.stage),
  });
  const { team: aged } = r;
  const clamp = clampMessage(aged.ages, model.ageRange);
  if (clamp) ctx.out.warn(clamp);
  for (const f of aged.faces) {
    ctx.out.info(`face ${f.face}${f.drawn ? ' (drawn)' : ''} of ${aged.faceCount}; ${describeSource(f)}`);
    for (const w of f.warnings) ctx.out.warn(w.kind === 'gender' ? `${w.message} with --face-gender ${f.face}=male|female` : w.message);
  }
  const ms = Math.round(performance.now() - t0);
  const one = aged.faces.length === 1 ? aged.faces[0]! : null;
  ctx.out.result(
    {
      gif: out,
      strip: r.strip,
      frames: aged.ages.ages.length,
      ages: aged.ages.ages,
      requestedAges: aged.ages.requested,
      clamped: aged.ages.clamped,
      // One face aged: its details at the top level too, as before the team GIF.
      ...(one ? { face: one.face, box: one.box.map((v) => Math.round(v)), sourceAge: one.sourceAge, sourceAgeEstimated: one.sourceAgeEstimated, gender: one.gender, genderEstimated: one.genderEstimated } : {}),
      agedFaces: r.faces.map(({ face, gif }) => teamFaceJson(face, gif)),
      faces: aged.faceCount,
      width: aged.width,
      height: aged.height,
      model: { id: model.choice.id, name: model.choice.name, source: model.choice.source, ageRange: model.ageRange },
      ms,
      timings: Object.fromEntries(Object.entries(aged.timings).map(([k, v]) => [k, Math.round(v)])),
    },
    `wrote ${stringOpt(ctx, 'out')}${strip ? ` and ${strip}` : ''}: ${aged.faces.length} of ${aged.faceCount} face${aged.faceCount === 1 ? '' : 's'} aged together, ${aged.ages.ages.length} frames at ${aged.width}x${aged.height}, ages ${aged.ages.ages.join(', ')}${outDir ? `; a close-up GIF per face in ${outDir}` : ''} (${ms} ms)`,
  );
  return 0;
}

/** One face with its aligned crop frames (--crop-gif): the single-face flow. */
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
  for (const w of face.warnings) ctx.out.warn(w.kind === 'gender' ? `${w.message} with --gender male|female` : w.message);
  const ms = Math.round(performance.now() - t0);
  ctx.out.result(
    {
      gif: files.gif,
      strip: files.strip,
      frames: face.ages.ages.length,
      ages: face.ages.ages,
      requestedAges: face.ages.requested,
      clamped: face.ages.clamped,
      ...sourceJson(face),
      face: face.face,
      box: face.box.map((v) => Math.round(v)),
      faces: aged.faceCount,
      width: aged.width,
      height: aged.height,
      model: { id: model.choice.id, name: model.choice.name, source: model.choice.source, ageRange: model.ageRange },
      ms,
    },
    `wrote ${stringOpt(ctx, 'out')}${strip ? ` and ${strip}` : ''}: ${face.ages.ages.length} frames at ${aged.width}x${aged.height}, ages ${face.ages.ages.join(', ')} (${ms} ms)`,
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
        if (!ctx.out.json) {
          ctx.out.info(`${path.basename(done.photo)}: face ${face.face} -> ${path.basename(files.gif)} (${describeSource(face)})`);
          for (const w of face.warnings) ctx.out.warn(`${path.basename(done.photo)}: ${w.message}`);
        }
        return {
          gif: files.gif,
          strip: files.strip,
          face: face.face,
          box: face.box.map((v) => Math.round(v)),
          ages: face.ages.ages,
          ...sourceJson(face),
        };
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
  summary: 'age every face of a photo together into one GIF at the photo\'s own resolution (or each face of a folder of photos into its own)',
  usage:
    'chronoface age PHOTO --out FILE.gif [--faces 0,3,5 | --face N] [--out-dir DIR] [--ages 20,30,...] [--face-age N=A,...] [--face-gender N=male|female,...] [--add-face X:Y:W:H,...] [--strip FILE.png] [--model ID|DIR] [--json]\n       chronoface age PHOTO_OR_DIR... --out-dir DIR [same options]',
  options: {
    out: { kind: 'string', value: 'FILE.gif', help: 'the GIF of the whole photo with every chosen face aged together (one photo)' },
    'out-dir': { kind: 'string', value: 'DIR', help: 'with --out: also a close-up GIF per face, <stem>-face<N>.gif; alone: <stem>.gif/.png of every face of every photo, and a contact sheet' },
    faces: { kind: 'list', value: 'N,N,...', help: 'which faces age, numbered 0.. left to right (default: all)' },
    ages: { kind: 'list', value: 'A,B,...', help: `target ages, clamped to the model's trained range (default ${DEFAULT_TARGET_AGES.join(',')})` },
    face: { kind: 'number', value: 'N', help: 'age only face N (folder runs: default the largest)' },
    'source-age': { kind: 'number', value: 'A', help: "every aged person's age in the photo (default: estimated per face)" },
    gender: { kind: 'string', value: 'male|female', help: "every aged person's gender (default: estimated per face)" },
    'face-age': { kind: 'list', value: 'N=A,...', help: "face N's age in the photo, e.g. 2=34" },
    'face-gender': { kind: 'list', value: 'N=male|female,...', help: "face N's gender, e.g. 2=female (set it where the estimate is uncertain)" },
    'add-face': { kind: 'list', value: 'X:Y:W:H,...', help: 'a face the detector missed, as a box in photo pixels; numbered after the found faces' },
    strip: { kind: 'string', value: 'FILE.png', help: 'also write a PNG strip of the frames, left to right' },
    model: { kind: 'string', value: 'ID|DIR', help: 'model id in the catalogue or a model folder (default: newest, else the shipped default)' },
    fps: { kind: 'number', value: 'FPS', help: 'GIF frames per second', default: DEFAULT_FPS },
    sample: { kind: 'boolean', help: 'sample z from the posterior instead of using its mean' },
    'age-shift': { kind: 'boolean', help: "move z by the sidecar's per-age-bin latent means (--no-age-shift to use the condition alone)", default: true },
    ...BLEND_OPTIONS,
    lightness: LIGHTNESS_OPTION,
    'crop-gif': { kind: 'string', value: 'FILE.gif', help: 'age one face (--face N, default the largest) and also write a GIF of its aligned crop frames' },
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
    if (stringOpt(ctx, 'out') && ctx.positionals.length > 1) throw new UsageError('--out writes the GIF of one photo; for several photos give --out-dir DIR alone');
    const faces = facesChosen(ctx);
    const drawn = drawnBoxes(ctx);
    const perFace = perFaceSettings(ctx);
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
    let light: ReturnType<typeof lightnessOption>;
    try {
      light = lightnessOption(ctx, model);
    } catch (err) {
      model.cvae.dispose();
      await starting.then((h) => h.close()).catch(() => undefined);
      throw err;
    }
    const host = await starting.catch((err: unknown) => {
      model.cvae.dispose();
      throw err;
    });
    const catalogue = existingCatalogue(ctx.dataDir);
    try {
      const shared: Shared = { ctx, host, model, options: { ...opts, ...light, face }, team: { ...opts, ...light, faces, drawn, perFace }, fps, catalogue };
      if (outDir && !stringOpt(ctx, 'out')) return await folder(shared, expandPhotoArgs(ctx.positionals), path.resolve(outDir));
      if (stringOpt(ctx, 'crop-gif')) return await single(shared, path.resolve(ctx.positionals[0]!));
      return await team(shared, path.resolve(ctx.positionals[0]!));
    } finally {
      catalogue?.db.close();
      await host.close();
      model.cvae.dispose();
    }
  },
};
