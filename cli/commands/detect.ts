import path from 'node:path';
import type { Command } from '../command.js';
import { numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { DEFAULT_MAX_DETECTED_FACES, DEFAULT_MIN_FACE, detectFaces, faceToJson } from '../../ml/prep/detect.js';
import { loadPhoto } from '../../ml/prep/photo.js';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';
import { chooseModel, modelPrep } from '../../ml/aging/model.js';
import { estimateFaces } from '../../ml/aging/face-estimate.js';
import { faceWarnings, genderWarnings } from '../../ml/aging/team-faces.js';
import { normalizePrepSettings } from '../../ml/prep/settings.js';

export const detectCommand: Command = {
  name: 'detect',
  summary: 'find faces, 478 landmarks and five keypoints in photos (no catalogue needed)',
  usage: 'chronoface detect PATH... [--json] [--pages N] [--max-faces N] [--min-face PX] [--search auto|always|never] [--model ID|DIR] [--no-estimate]',
  options: {
    pages: { kind: 'number', value: 'N', help: 'browser pages detecting in parallel', default: 2 },
    'max-faces': { kind: 'number', value: 'N', help: 'at most N faces per photo, the most prominent', default: DEFAULT_MAX_DETECTED_FACES },
    'min-face': { kind: 'number', value: 'PX', help: 'width of the smallest face the search for small faces finds', default: DEFAULT_MIN_FACE },
    search: {
      kind: 'string',
      value: 'MODE',
      help: 'search for faces of every size: auto (photos with no face, several, or a small one), always, never',
      default: 'auto',
    },
    estimate: { kind: 'boolean', help: "estimate each face's age and gender as aging would (--no-estimate to skip)", default: true },
    model: { kind: 'string', value: 'ID|DIR', help: "the model whose preparation aligns the faces for the estimate (default: the one aging would use)" },
  },
  async run(ctx) {
    const files = ctx.positionals;
    if (files.length === 0) throw new UsageError('give at least one image path');
    const maxFaces = numberOpt(ctx, 'max-faces') ?? DEFAULT_MAX_DETECTED_FACES;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new UsageError(`--max-faces takes a whole number of at least 1, got ${maxFaces}`);
    const minFace = numberOpt(ctx, 'min-face') ?? DEFAULT_MIN_FACE;
    if (!(minFace >= 8)) throw new UsageError(`--min-face takes a width of at least 8 px, got ${minFace}`);
    const search = stringOpt(ctx, 'search') ?? 'auto';
    if (search !== 'auto' && search !== 'always' && search !== 'never') throw new UsageError(`--search takes auto, always or never, got ${search}`);
    // The estimates are made on the crop aging sees: aligned as the model aging would use aligns its faces.
    const estimate = ctx.options.estimate !== false;
    let prep = normalizePrepSettings(undefined);
    if (estimate) {
      const wanted = stringOpt(ctx, 'model');
      try {
        prep = modelPrep(chooseModel(ctx.dataDir, wanted));
      } catch (err) {
        if (wanted !== undefined) throw err;
      }
    }
    const host = await createChromiumVisionHost({
      pages: Math.min(files.length, Math.max(1, numberOpt(ctx, 'pages') ?? 2)),
      dataDir: ctx.dataDir,
      onModelProgress: (p) => ctx.out.progress(p.received, p.total, `downloading ${p.file}`),
    });
    let failed = 0;
    try {
      const results: (object | undefined)[] = new Array(files.length);
      let printed = 0;
      const flush = (): void => {
        while (printed < files.length && results[printed] !== undefined) {
          const r = results[printed++] as { file: string; error?: string; faces?: DetectJson[] };
          if (ctx.out.json) ctx.out.event(r);
          else if (r.error) ctx.out.warn(`${r.file}: ${r.error}`);
          else {
            ctx.out.info(`${r.file}: ${r.faces!.length} face${r.faces!.length === 1 ? '' : 's'}${describe(r.faces!)}`);
            for (const f of r.faces!) for (const w of f.warnings) ctx.out.warn(`${r.file}: ${w.message}`);
          }
        }
      };
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < files.length && !ctx.signal.aborted) {
          const i = next++;
          const file = files[i]!;
          try {
            const photo = await loadPhoto(path.resolve(file));
            const faces = await detectFaces(host, photo, { maxFaces, minFace, search });
            const estimates = estimate ? await estimateFaces(host, photo, faces, prep) : null;
            results[i] = {
              file,
              width: photo.width,
              height: photo.height,
              faces: faces.map((f, n): DetectJson => {
                const est = estimates?.[n];
                const warnings = [...faceWarnings({ face: n, detected: f, drawn: false, fromBoxAlone: false }), ...(est ? genderWarnings(n, est.gender, est.genderProbability) : [])];
                return {
                  ...faceToJson(f),
                  ...(est ? { estimate: { age: est.age, gender: est.gender, genderProbability: Math.round(est.genderProbability * 1000) / 1000 } } : {}),
                  warnings: warnings.map((w) => ({ kind: w.kind, message: w.message })),
                };
              }),
            };
          } catch (err) {
            failed++;
            results[i] = { file, error: err instanceof Error ? err.message : String(err) };
          }
          flush();
        }
      };
      await Promise.all(Array.from({ length: host.parallelism * 2 }, lane));
    } finally {
      await host.close();
    }
    return failed > 0 ? 1 : 0;
  },
};

/** A face of `chronoface detect --json`: the detection, the age/gender estimate (unless --no-estimate) and the warnings. */
type DetectJson = ReturnType<typeof faceToJson> & {
  estimate?: { age: number; gender: string; genderProbability: number };
  warnings: { kind: string; message: string }[];
};

function describe(faces: DetectJson[]): string {
  return faces
    .map((f, i) => {
      const est = f.estimate ? `; estimated age ${f.estimate.age}, ${f.estimate.gender} (probability ${f.estimate.genderProbability.toFixed(2)})` : '';
      return `\n  #${i} score ${f.score.toFixed(2)} box [${f.box.map((v) => Math.round(v)).join(', ')}] eyes (${f.keypoints.leftEye.map(Math.round).join(', ')}) (${f.keypoints.rightEye.map(Math.round).join(', ')})${f.flags ? ` ${f.flags.join(', ')}` : ''}${est}`;
    })
    .join('');
}
