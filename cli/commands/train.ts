import type { Command, CommandContext } from '../command.js';
import path from 'node:path';
import { numberOpt } from '../command.js';
import { UsageError } from '../args.js';
import { getRun } from '../../db/runs.js';
import { describePrototypes } from '../../domain/prototypes.js';
import type { ExtraLossSpec } from '../../ml/train/config.js';
import type { TrainEvent } from '../../ml/train/events.js';
import { openTrainingCatalogue, resumeTraining, startTraining, trainingSetup } from '../../workflows/train.js';
import { TrainWorkflowError } from '../../workflows/train-errors.js';
import type { TrainRecipe } from '../../workflows/train-recipe.js';
import type { TrainingHandle } from '../../workflows/trainer-process.js';

/** Each flag and the recipe setting it spells (the studio spells the same recipe with TrainSettings). */
const FLAGS = {
  size: 'imageSize',
  epochs: 'epochs',
  batch: 'batch',
  beta: 'beta',
  'kl-warmup': 'klWarmupEpochs',
  lr: 'lr',
  limit: 'limit',
  seed: 'seed',
  workers: 'workers',
  'age-loss': 'ageLoss',
  'critic-epochs': 'criticEpochs',
  'face-api-loss': 'faceApiLoss',
  'film-lr': 'filmLr',
  backend: 'backend',
  preset: 'preset',
  film: 'film',
  balance: 'balance',
  flip: 'flip',
  'include-pending': 'includePending',
  name: 'name',
  'init-from': 'initFrom',
  'critic-from': 'criticFrom',
  'extra-loss': 'extraLosses',
} as const satisfies Record<string, keyof TrainRecipe>;

function extraLosses(specs: string[]): ExtraLossSpec[] {
  return specs.map((e) => {
    const at = e.lastIndexOf('=');
    return { module: path.resolve(at > 0 ? e.slice(0, at) : e), weight: at > 0 ? Number(e.slice(at + 1)) : 1 };
  });
}

/** The recipe the flags spell. */
function recipeOfFlags(ctx: CommandContext): TrainRecipe {
  const recipe: Record<string, unknown> = {};
  for (const [flag, setting] of Object.entries(FLAGS)) {
    const v = ctx.options[flag];
    if (v === undefined) continue;
    if (setting === 'initFrom') recipe.initFrom = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    else if (setting === 'extraLosses') recipe.extraLosses = extraLosses(v as string[]);
    else recipe[setting] = v;
  }
  return recipe as TrainRecipe;
}

/** A refused recipe is a usage error, naming the flag at fault. */
function cliError(err: unknown): unknown {
  if (!(err instanceof TrainWorkflowError) || err.code !== 'invalid-recipe') return err;
  const flag = Object.entries(FLAGS).find(([, setting]) => setting === err.setting)?.[0];
  return new UsageError(flag ? `--${flag}: ${err.message}` : err.message);
}

function describe(e: TrainEvent): string | null {
  switch (e.type) {
    case 'started':
      return `run ${e.run}: ${e.trainCount} train / ${e.valCount} val crops, ${e.config.imageSize}px, batch ${e.config.batch}, ${e.config.epochs} epochs${e.startEpoch ? ` (resuming after epoch ${e.startEpoch})` : ''}\nbackend ${e.backend} x${e.workers}: ${e.backendReason}`;
    case 'epoch':
      return `epoch ${e.epoch}/${e.epochs}: train ${e.trainLoss.toFixed(1)}  val ${e.valLoss.toFixed(1)}  PSNR ${e.valPsnr.toFixed(2)} dB  KL ${e.valKl.toFixed(1)}  (${e.seconds.toFixed(0)} s)`;
    case 'critic':
      return `age critic epoch ${e.epoch}/${e.epochs}: train MAE ${e.trainMae.toFixed(1)} y, val MAE ${e.valMae.toFixed(1)} y`;
    case 'cancelled':
      return `run ${e.run} cancelled; resume with --resume ${e.run} (from epoch ${e.epoch})`;
    default:
      return null;
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the age/gender-conditioned VAE on the accepted crops (in a background process)',
  usage: 'chronoface train [--size 128] [--epochs N] [--batch B] [--beta B] [--lr L] [--limit N] [--seed S] [--resume RUN] [--backend B] [--json]',
  options: {
    size: { kind: 'number', value: 'PX', help: 'image size: 64, 128 or 256 (default 128)' },
    epochs: { kind: 'number', value: 'N', help: 'epochs (default 30)' },
    batch: { kind: 'number', value: 'B', help: 'batch size (default 128)' },
    beta: { kind: 'number', value: 'B', help: 'KL weight beta (default 1)' },
    'kl-warmup': { kind: 'number', value: 'E', help: 'ramp beta up linearly over E epochs (default 0: off)' },
    'critic-epochs': { kind: 'number', value: 'N', help: 'with --age-loss: epochs of the age critic; the best on validation is kept (default 24)' },
    lr: { kind: 'number', value: 'L', help: 'Adam learning rate (default 0.0008)' },
    limit: { kind: 'number', value: 'N', help: 'use at most N training images' },
    seed: { kind: 'number', value: 'S', help: 'seed for initialisation, data order, flips and noise (default 1)' },
    resume: { kind: 'number', value: 'RUN', help: 'resume run RUN from its last checkpoint (--epochs may extend it)' },
    backend: { kind: 'string', value: 'B', help: 'auto, tensorflow-gpu, tensorflow, wasm or cpu (default auto)' },
    workers: { kind: 'number', value: 'N', help: 'data-parallel gradient workers (default: one per core)' },
    preset: { kind: 'string', value: 'P', help: 'reference (the published network) or film (FiLM-conditioned decoder)' },
    film: { kind: 'boolean', help: 'FiLM conditioning in the decoder blocks (default: on for --preset film)' },
    balance: { kind: 'string', value: 'MODE', help: 'age balancing: none, sampler (resample age bins) or weights (loss weights)' },
    flip: { kind: 'boolean', help: 'horizontal flip augmentation (default on; --no-flip to disable)' },
    'include-pending': { kind: 'boolean', help: 'also train on crops still pending review' },
    name: { kind: 'string', value: 'NAME', help: 'model name' },
    'film-lr': { kind: 'number', value: 'K', help: 'multiply the learning rate of the FiLM layers by K (default 1)' },
    'init-from': { kind: 'string', value: 'MODEL', help: 'start from the weights of a model (id, folder, or "default") instead of a fresh initialisation' },
    'age-loss': { kind: 'number', value: 'W', help: 'age loss weight: first trains an age critic on the same crops, then penalises W x |critic(decode at a random age) - age| (default 0: off)' },
    'face-api-loss': { kind: 'number', value: 'W', help: "age loss through face-api's frozen age net (band-limited to 56 px): W x |age(decode at a random age) - age|; face-api's age figures in eval then stop being independent (default 0: off)" },
    'critic-from': { kind: 'string', value: 'DIR', help: 'with --age-loss: reuse the age critic of an earlier run (its folder, or the critic/ folder in it) instead of training one' },
    'extra-loss': { kind: 'list', value: 'MOD=W,...', help: 'extra loss terms: ES modules exporting createLossTerm, each with a weight' },
  },
  async run(ctx) {
    const { out } = ctx;
    if (ctx.positionals.length > 0) throw new UsageError(`unexpected argument "${ctx.positionals[0]}"`);
    const recipe = recipeOfFlags(ctx);
    const resume = numberOpt(ctx, 'resume');
    const onEvent = (e: TrainEvent): void => {
      if (e.type === 'step') {
        if (out.json) out.event(e);
        else out.progress(e.step, e.steps, `epoch ${e.epoch} loss ${e.loss.toFixed(1)} ${e.imagesPerSecond.toFixed(1)} img/s ETA ${Math.round(e.etaSeconds)} s`);
        return;
      }
      if (e.type === 'done' || e.type === 'error') return;
      if (out.json) out.event(e);
      else {
        const text = describe(e);
        if (text) out.info(text);
      }
    };
    const db = openTrainingCatalogue(ctx.dataDir);
    try {
      const setup = await trainingSetup(ctx.dataDir, db);
      let handle: TrainingHandle;
      try {
        if (resume === undefined) handle = startTraining(setup, recipe, onEvent);
        else {
          const { epochs, backend, workers } = recipe;
          handle = resumeTraining(setup, resume, { epochs, backend, workers }, onEvent);
        }
      } catch (err) {
        throw cliError(err);
      }
      const onAbort = (): void => handle.cancel('cancelled from the command line');
      ctx.signal.addEventListener('abort', onAbort);
      const last = await handle.done;
      ctx.signal.removeEventListener('abort', onAbort);
      if (last.type === 'error') {
        const interrupted = last.run !== null && getRun(db, last.run)?.status === 'interrupted';
        throw new Error(interrupted ? `${last.message}; resume with --resume ${last.run}` : last.message);
      }
      if (last.type === 'cancelled') {
        out.result({ run: last.run, cancelled: true, epochs: last.epoch }, `run ${last.run} cancelled after epoch ${last.epoch}; resume with --resume ${last.run}`);
        return 130;
      }
      if (last.prototypes.warning) out.warn(last.prototypes.warning);
      else out.info(describePrototypes(last.prototypes));
      out.result(
        { run: last.run, model: last.model, epochs: last.epochs, valLoss: last.valLoss, valPsnr: last.valPsnr, backend: last.backend, prototypes: last.prototypes },
        `run ${last.run} done: model ${last.model} in ${last.modelDir} (val loss ${last.valLoss.toFixed(1)}, PSNR ${last.valPsnr.toFixed(2)} dB, ${last.backend})`,
      );
      return 0;
    } finally {
      db.close();
    }
  },
};
