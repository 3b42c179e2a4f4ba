/**
 * The studio service: every contract method implemented over db/ and ml/, plus the event bus. Transport-free: Electron
 * main (IPC), the browser mode (HTTP) and tests call it the same way and turn its FileRefs into URLs themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_METHODS, type RequestOf, type ResponseOf, type ServiceMethod } from '../contract/api.js';
import type { Served } from '../contract/files.js';
import { describeCatalogueUpgrade, openCatalogue, upgradeCatalogue } from '../db/catalogue.js';
import { getImage } from '../db/images.js';
import type { VisionHost } from '../ml/vision/host.js';
import type { ServiceContext, VisionHostFactory } from './context.js';
import { toApiError } from './errors.js';
import { EventBus, type EventListener } from './events.js';
import { agingHandlers } from './handlers/aging.js';
import { addPhotoBytes, photoHandlers } from './handlers/age.js';
import { alignHandlers } from './handlers/align.js';
import { datasetHandlers } from './handlers/datasets.js';
import { exportHandlers } from './handlers/export.js';
import { infoHandlers } from './handlers/info.js';
import { reviewHandlers } from './handlers/review.js';
import { trainHandlers } from './handlers/train.js';
import type { ServiceHandlers } from './handlers/types.js';
import { visionModelHandlers } from './handlers/vision-models.js';
import { forkTrainer, type SpawnTrainer } from '../workflows/trainer-process.js';

export interface StudioServiceOptions {
  dataDir: string;
  transport?: 'electron' | 'browser';
  /** Defaults to package.json's version. */
  version?: string;
  /** Starts the vision host on first use. Default: headless Chromium (ml/vision/chromium-host.ts). */
  createVisionHost?: VisionHostFactory;
  /** Starts the trainer process. Default: a Node child process (workflows/trainer-process.ts forkTrainer). */
  spawnTrainer?: SpawnTrainer;
  /** Whether the transport implements pickFolder/saveAs (Electron). */
  canUseDialogs?: boolean;
  /** Told, before it starts, that an older catalogue is being upgraded (seconds at 500,000 crops). */
  onCatalogueUpgrade?: (message: string) => void;
}

export interface StudioService {
  readonly dataDir: string;
  readonly handlers: ServiceHandlers;
  /** Calls one method; any failure is thrown as an ApiError. The request must already be validated. */
  call<M extends ServiceMethod>(method: M, request: RequestOf<M>): Promise<Served<ResponseOf<M>>>;
  /** agePhotoAdd with the photo's raw bytes (the browser mode's upload); `name` must already be checked. */
  addPhoto(name: string, bytes: Buffer): Promise<Served<ResponseOf<'agePhotoAdd'>>>;
  onEvent(listener: EventListener): () => void;
  /** The source photo of a catalogue image (absolute path), for the /images/<id> route; undefined when unknown. */
  sourceImageFile(imageId: number): string | undefined;
  /** Stops a running training (it keeps its last checkpoint), closes the vision host and the catalogue. */
  close(): Promise<void>;
}

/** The app version from package.json, found upward from this module (source or dist). */
export function appVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'chronoface' && json.version) return json.version;
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

const defaultVisionHost: VisionHostFactory = async ({ dataDir, onModelProgress }) => {
  const { createChromiumVisionHost } = await import('../ml/vision/chromium-host.js');
  return createChromiumVisionHost({ dataDir, onModelProgress: (p) => onModelProgress(p) });
};

export function createStudioService(options: StudioServiceOptions): StudioService {
  const dataDir = path.resolve(options.dataDir);
  const notice = options.onCatalogueUpgrade;
  if (notice) upgradeCatalogue(dataDir, (u) => notice(describeCatalogueUpgrade(u)));
  const db = openCatalogue(dataDir);
  const bus = new EventBus();
  let vision: Promise<VisionHost> | null = null;
  const factory = options.createVisionHost ?? defaultVisionHost;
  const ctx: ServiceContext = {
    dataDir,
    db,
    bus,
    version: options.version ?? appVersion(),
    transport: options.transport ?? 'browser',
    vision() {
      if (!vision) {
        vision = factory({
          dataDir,
          onModelProgress: (p) => bus.emit({ type: 'models.download', name: p.file, received: p.received, total: p.total, done: p.received >= p.total }),
        });
        // A failed start is not cached: the next call tries again (e.g. after the models were downloaded).
        vision.catch(() => {
          vision = null;
        });
      }
      return vision;
    },
    spawnTrainer: options.spawnTrainer ?? forkTrainer,
    jobs: new Map(),
    closers: [],
  };

  const align = alignHandlers(ctx);
  const train = trainHandlers(ctx);
  const { undo: _undo, ...alignMethods } = align;
  const { stop: _stop, ...trainMethods } = train;
  const handlers: ServiceHandlers = {
    ...infoHandlers(ctx, options.canUseDialogs ?? false),
    ...datasetHandlers(ctx),
    ...exportHandlers(ctx),
    ...reviewHandlers(ctx, align),
    ...alignMethods,
    ...trainMethods,
    ...photoHandlers(ctx),
    ...agingHandlers(ctx),
    ...visionModelHandlers(ctx),
  };
  for (const m of HOST_METHODS) if (m in handlers) throw new Error(`host method ${m} must not be implemented by the service`);

  let closed = false;
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    if (closed) throw toApiError(new Error('the service is closed'));
    try {
      return await run();
    } catch (err) {
      throw toApiError(err);
    }
  };
  return {
    dataDir,
    handlers,
    call(method, request) {
      const fn = handlers[method] as (r: typeof request) => Promise<Served<ResponseOf<typeof method>>>;
      return guarded(() => fn(request));
    },
    addPhoto: (name, bytes) => guarded(() => addPhotoBytes(dataDir, name, bytes)),
    onEvent: (listener) => bus.on(listener),
    sourceImageFile: (imageId) => getImage(db, imageId)?.sourcePath,
    async close() {
      if (closed) return;
      closed = true;
      const jobs = [...ctx.jobs.values()];
      for (const j of jobs) j.controller.abort();
      await Promise.allSettled(jobs.map((j) => j.done));
      await train.stop();
      for (const c of ctx.closers) await c();
      if (vision) await vision.then((v) => v.close()).catch(() => undefined);
      db.close();
    },
  };
}
