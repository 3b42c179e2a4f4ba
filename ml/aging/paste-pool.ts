/**
 * The team's pastes off the main thread: while the next face ages here, a worker pastes the faces already aged onto
 * their regions at every target age (pasteFace). On a machine of two cores that takes the paste out of the wall time.
 * Where the worker's built file is missing (the TypeScript sources run directly, as in unit tests) the pastes run here.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RawImage } from '../estimators/image.js';
import { pasteFace, type ComposeFaceInput, type FacePastes, type Region } from './team-compose.js';

export interface PasteJob {
  readonly id: number;
  readonly before: RawImage;
  readonly face: ComposeFaceInput;
  readonly region: Region;
  readonly keep: boolean;
}

export type PasteReply = { readonly id: number; readonly pastes: FacePastes } | { readonly id: number; readonly error: string };

export class PastePool {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (p: FacePastes) => void; reject: (e: Error) => void }>();

  private constructor(private readonly worker: Worker | null) {
    worker?.on('message', (reply: PasteReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) w.reject(new Error(`pasting a face failed: ${reply.error}`));
      else w.resolve(reply.pastes);
    });
    worker?.on('error', (err) => this.failAll(err));
  }

  static start(): PastePool {
    const url = new URL('./paste-worker.js', import.meta.url);
    return new PastePool(fs.existsSync(fileURLToPath(url)) ? new Worker(url) : null);
  }

  /** The face pasted at every target age onto `before` (the photo over `region`, handed over to the worker). */
  paste(before: RawImage, face: ComposeFaceInput, region: Region, keep: boolean): Promise<FacePastes> {
    if (!this.worker) return Promise.resolve().then(() => pasteFace(before, face, region, keep));
    const id = this.nextId++;
    const job: PasteJob = { id, before, face, region, keep };
    const done = new Promise<FacePastes>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.postMessage(job, [before.data.buffer as ArrayBuffer]);
    return done;
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failAll(new Error('the paste worker was stopped'));
    await this.worker?.terminate();
  }
}
