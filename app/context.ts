import type { Db } from '../db/catalogue.js';
import type { VisionHost } from '../ml/vision/host.js';
import type { EventBus } from './events.js';
import type { SpawnTrainer } from '../workflows/trainer-process.js';

/** What every handler group shares. */
export interface ServiceContext {
  readonly dataDir: string;
  readonly db: Db;
  readonly bus: EventBus;
  readonly version: string;
  readonly transport: 'electron' | 'browser';
  /** The vision host, started on first use and kept warm. */
  vision(): Promise<VisionHost>;
  /** How the trainer process is started (a Node child process, or Electron's utilityProcess). */
  readonly spawnTrainer: SpawnTrainer;
  /** Long jobs (import, prepare) that may run one at a time, with their abort controllers. */
  readonly jobs: Map<string, { controller: AbortController; done: Promise<unknown> }>;
  /** Closers run at service close (e.g. cached models). */
  readonly closers: (() => Promise<void> | void)[];
}

export type VisionHostFactory = (opts: { dataDir: string; onModelProgress: (p: { file: string; received: number; total: number }) => void }) => Promise<VisionHost>;
