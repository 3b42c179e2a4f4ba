import os from 'node:os';
import type { Command } from '../command.js';
import { boolOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { chooseModel, defaultModelDir } from '../../ml/aging/model.js';
import { readSidecar } from '../../ml/cvae/io.js';
import { buildModelPrototypes } from '../../ml/shape/catalogue-prototypes.js';

export const prototypesCommand: Command = {
  name: 'prototypes',
  summary: "fit a model's age prototypes (mean face shape and texture per age and gender) to the catalogue's crops",
  usage: 'chronoface prototypes [--model ID|DIR|default] [--include-pending] [--no-textures] [--workers N] [--json]',
  options: {
    model: { kind: 'string', value: 'MODEL', help: 'the model to store them with: a catalogue id, a model folder, or "default" (default: the newest model in the catalogue)' },
    'include-pending': { kind: 'boolean', help: 'also use crops still pending review' },
    textures: { kind: 'boolean', help: 'also average the textures (--no-textures: shapes only)', default: true },
    workers: { kind: 'number', value: 'N', help: 'threads that read and warp the crops for the textures (default: one per core)' },
  },
  async run(ctx) {
    const option = stringOpt(ctx, 'model');
    let dir: string;
    try {
      dir = option === 'default' ? defaultModelDir() : chooseModel(ctx.dataDir, option).dir;
    } catch (err) {
      throw new UsageError(`--model: ${err instanceof Error ? err.message : String(err)}`);
    }
    const workers = numberOpt(ctx, 'workers') ?? os.availableParallelism();
    if (!Number.isInteger(workers) || workers < 1 || workers > 32) throw new UsageError(`--workers must be an integer from 1 to 32, got ${workers}`);
    const size = readSidecar(dir).imageSize;
    const db = openCatalogue(ctx.dataDir);
    let shown = 0;
    try {
      const built = await buildModelPrototypes(db, ctx.dataDir, dir, {
        size,
        includePending: boolOpt(ctx, 'include-pending'),
        textures: ctx.options.textures !== false,
        workers,
        onProgress: (done, total) => {
          // Workers report a batch at a time: show each 100 crops passed, not only exact multiples.
          if (done === total || Math.floor(done / 100) > Math.floor(shown / 100)) ctx.out.progress(done, total, 'crops');
          shown = done;
        },
      });
      if (built.warning) ctx.out.warn(built.warning);
      const text = {
        catalogue: `age prototypes fitted to ${built.crops} crops, stored in ${dir}`,
        default: `age prototypes of the default model stored in ${dir}`,
        none: `no age prototypes stored in ${dir}`,
      }[built.source];
      ctx.out.result({ ...built, dir }, text);
      return built.source === 'none' ? 1 : 0;
    } finally {
      db.close();
    }
  },
};
