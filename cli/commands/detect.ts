import path from 'node:path';
import type { Command } from '../command.js';
import { numberOpt } from '../command.js';
import { UsageError } from '../args.js';
import { detectFaces, faceToJson } from '../../ml/prep/detect.js';
import { loadPhoto } from '../../ml/prep/photo.js';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';

export const detectCommand: Command = {
  name: 'detect',
  summary: 'find faces, 478 landmarks and five keypoints in photos (no catalogue needed)',
  usage: 'chronoface detect PATH... [--json] [--pages N]',
  options: {
    pages: { kind: 'number', value: 'N', help: 'browser pages detecting in parallel', default: 2 },
  },
  async run(ctx) {
    const files = ctx.positionals;
    if (files.length === 0) throw new UsageError('give at least one image path');
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
          const r = results[printed++] as { file: string; error?: string; faces?: unknown[] };
          if (ctx.out.json) ctx.out.event(r);
          else if (r.error) ctx.out.warn(`${r.file}: ${r.error}`);
          else ctx.out.info(`${r.file}: ${r.faces!.length} face${r.faces!.length === 1 ? '' : 's'}${describe(r.faces as ReturnType<typeof faceToJson>[])}`);
        }
      };
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < files.length && !ctx.signal.aborted) {
          const i = next++;
          const file = files[i]!;
          try {
            const photo = await loadPhoto(path.resolve(file));
            const faces = await detectFaces(host, photo);
            results[i] = { file, width: photo.width, height: photo.height, faces: faces.map(faceToJson) };
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

function describe(faces: ReturnType<typeof faceToJson>[]): string {
  return faces
    .map((f, i) => `\n  #${i} score ${f.score.toFixed(2)} box [${f.box.map((v) => Math.round(v)).join(', ')}] eyes (${f.keypoints.leftEye.map(Math.round).join(', ')}) (${f.keypoints.rightEye.map(Math.round).join(', ')})`)
    .join('');
}
