/**
 * webdataset: per split, .tar shards (train-000000.tar, ...) of at most `shardBytes`; each sample is a key without
 * dots with its image and its .json side by side. A full shard is ended and never opened again.
 */
import path from 'node:path';
import type { ExportRow } from '../../db/export-rows.js';
import { AppendFile } from './append-file.js';
import type { Layout, LayoutState, Sample } from './layout.js';
import { sampleKey, splitFolder } from './record.js';
import { TAR_END, tarEntry } from './tar.js';

export function shardName(folder: string, index: number): string {
  return `${folder}-${String(index).padStart(6, '0')}.tar`;
}

export class WebDatasetLayout implements Layout {
  private readonly open = new Map<string, AppendFile>();
  private readonly index: Record<string, number>;
  private readonly mtime = Math.floor(Date.now() / 1000);

  constructor(
    private readonly outDir: string,
    private readonly ext: string,
    private readonly shardBytes: number,
    private readonly resumed: LayoutState | null,
  ) {
    this.index = { ...(resumed?.shards ?? {}) };
  }

  imageFile(): null {
    return null;
  }

  private async shard(folder: string, incoming: number): Promise<AppendFile> {
    let f = this.open.get(folder);
    if (!f) {
      const index = (this.index[folder] ??= 0);
      const rel = shardName(folder, index);
      f = await AppendFile.open(path.join(this.outDir, rel), this.resumed?.files[rel] ?? 0);
      this.open.set(folder, f);
    }
    if (f.length > 0 && f.length + incoming + TAR_END.length > this.shardBytes) {
      await f.write(TAR_END);
      f.commit();
      await f.sync();
      await f.close();
      this.open.delete(folder);
      this.index[folder]!++;
      return this.shard(folder, incoming);
    }
    return f;
  }

  async add({ row, record, image }: Sample): Promise<void> {
    if (!image) throw new Error('a webdataset sample needs its image');
    const key = sampleKey(row.cropId);
    const json = Buffer.from(JSON.stringify(record));
    const entries = [...tarEntry(`${key}.${this.ext}`, image, this.mtime), ...tarEntry(`${key}.json`, json, this.mtime)];
    const f = await this.shard(splitFolder(row.split), entries.reduce((n, b) => n + b.length, 0));
    await f.write(...entries);
    f.commit();
  }

  state(): LayoutState {
    const files: Record<string, number> = {};
    for (const [folder, index] of Object.entries(this.index)) {
      const rel = shardName(folder, index);
      const f = this.open.get(folder);
      files[rel] = f ? f.committed : (this.resumed?.files[rel] ?? 0);
    }
    return { files, shards: { ...this.index } };
  }

  async sync(): Promise<void> {
    for (const f of this.open.values()) await f.sync();
  }

  async rollback(): Promise<void> {
    for (const f of this.open.values()) await f.rollback();
  }

  async close(complete: boolean): Promise<void> {
    for (const f of this.open.values()) {
      // An unfinished export ends its shards too (tar readers then see whole archives); a resume cuts the end off again.
      await f.write(TAR_END).catch((err: unknown) => {
        if (complete) throw err;
      });
      await f.close();
    }
    this.open.clear();
  }
}
