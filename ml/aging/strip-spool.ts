import fs from 'node:fs';
import path from 'node:path';
import type { RawImage } from '../estimators/image.js';
import { encodePng, joinStrip } from './writers.js';

/**
 * A PNG strip of frames that arrive one at a time, made without holding them: each frame is spooled as a PNG to a
 * temporary folder beside the strip (or named as a PNG already written, `addFile`), and `write` joins them row by row.
 * The spool is removed once the strip is written, and by `discard` when the run stops before.
 */
export class StripSpool {
  private readonly parts: string[] = [];
  private dir: string | null = null;

  constructor(readonly file: string) {}

  async add(frame: RawImage): Promise<void> {
    if (!this.dir) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.dir = fs.mkdtempSync(path.join(path.dirname(this.file), '.chronoface-strip-'));
    }
    const part = path.join(this.dir, `${this.parts.length}.png`);
    // Lossless and fast: the strip is compressed again when joined.
    await fs.promises.writeFile(part, await encodePng(frame, 1));
    this.parts.push(part);
  }

  addFile(png: string): void {
    this.parts.push(png);
  }

  async write(): Promise<void> {
    try {
      await joinStrip(this.file, this.parts);
    } finally {
      this.discard();
    }
  }

  discard(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
