import type { Command } from '../command.js';
import fs from 'node:fs';
import path from 'node:path';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { finishRun, getRun } from '../../db/runs.js';
import { resolveTrainConfig, TrainConfigError, type Balance, type TrainConfig } from '../../ml/train/config.js';
import type { TrainEvent } from '../../ml/train/events.js';
import { startTrainingProcess } from '../../ml/train/process.js';
import type { BackendPref } from '../../ml/tf/backend-names.js';
import type { CvaePreset } from '../../ml/cvae/config.js';
import { chooseModel, defaultModelDir } from '../../ml/aging/model.js';

function configFromOptions(ctx: Parameters<Command['run']>[0]): Partial<TrainConfig> {
  const c: Partial<TrainConfig> = {};
  const num = (flag: string, key: keyof TrainConfig): void => {
    const v = numberOpt(ctx, flag);
    if (v !== undefined) (c as Record<string, unknown>)[key] = v;
  };
  num('size', 'imageSize');
  num('epochs', 'epochs');
  num('batch', 'batch');
  num('beta', 'beta');
  num('kl-warmup', 'klWarmupEpochs');
  num('lr', 'lr');
  num('limit', 'limit');
  num('seed', 'seed');
  num('workers', 'workers');
  num('age-loss', 'ageLoss');
  num('face-api-loss', 'faceApiLoss');
  num('film-lr', 'filmLr');
  const backend = stringOpt(ctx, 'backend');
  if (backend !== undefined) c.backend = backend as BackendPref;
  const preset = stringOpt(ctx, 'preset');
  if (preset !== undefined) c.preset = preset as CvaePreset;
  if (ctx.options.film !== undefined) c.film = boolOpt(ctx, 'film');
  const balance = stringOpt(ctx, 'balance');
  if (balance !== undefined) c.balance = balance as Balance;
  if (ctx.options.flip !== undefined) c.flip = boolOpt(ctx, 'flip');
  if (boolOpt(ctx, 'include-pending')) c.includePending = true;
  const init = stringOpt(ctx, 'init-from');
  if (init !== undefined) {
    try {
      c.initFrom = init === 'default' ? chooseModel(ctx.dataDir, defaultModelDir()).dir : chooseModel(ctx.dataDir, init).dir;
    } catch (err) {
      throw new UsageError(`--init-from: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const critic = stringOpt(ctx, 'critic-from');
  if (critic !== undefined) {
    const dir = path.resolve(critic);
    const found = [dir, path.join(dir, 'critic')].find((d) => fs.existsSync(path.join(d, 'model.json')));
    if (!found) throw new UsageError(`--critic-from: no age critic in ${dir} (nor in ${path.join(dir, 'critic')})`);
    c.criticFrom = found;
  }
  const name = stringOpt(ctx, 'name');
  if (name !== undefined) c.name = name;
  const extras = listOpt(ctx, 'extra-loss');
  if (extras) {
    c.extraLosses = extras.map((e) => {
      const at = e.lastIndexOf('=');
      const module = path.resolve(at > 0 ? e.slice(0, at) : e);
      const weight = at > 0 ? Number(e.slice(at + 1)) : 1;
      if (!fs.existsSync(module)) throw new UsageError(`--extra-loss: no module at ${module}`);
      return { module, weight };
    });
  }
  return c;
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
    const partial = configFromOptions(ctx);
    const resume = numberOpt(ctx, 'resume');
    if (resume === undefined) {
      try {
        resolveTrainConfig(partial);
      } catch (err) {
        if (err instanceof TrainConfigError) throw new UsageError(err.message);
        throw err;
      }
    }
    const handle = startTrainingProcess({ dataDir: ctx.dataDir, config: partial, ...(resume !== undefined ? { resumeRun: resume } : {}) }, (e) => {
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
    });
    const onAbort = (): void => handle.cancel();
    ctx.signal.addEventListener('abort', onAbort);
    const last = await handle.done;
    ctx.signal.removeEventListener('abort', onAbort);
    if (last.type === 'error') {
      if (last.run !== null && /trainer process died/.test(last.message)) {
        const db = openCatalogue(ctx.dataDir);
        try {
          if (getRun(db, last.run)?.status === 'running') finishRun(db, last.run, 'interrupted', last.message);
        } finally {
          db.close();
        }
      }
      throw new Error(last.message);
    }
    if (last.type === 'cancelled') {
      out.result({ run: last.run, cancelled: true, epochs: last.epoch }, `run ${last.run} cancelled after epoch ${last.epoch}; resume with --resume ${last.run}`);
      return 130;
    }
    out.result(
      { run: last.run, model: last.model, epochs: last.epochs, valLoss: last.valLoss, valPsnr: last.valPsnr, backend: last.backend },
      `run ${last.run} done: model ${last.model} in ${last.modelDir} (val loss ${last.valLoss.toFixed(1)}, PSNR ${last.valPsnr.toFixed(2)} dB, ${last.backend})`,
    );
    return 0;
  },
};
