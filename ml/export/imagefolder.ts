/** Hugging Face's imagefolder: train/, validation/, test/ of images, each with a metadata.jsonl (file_name + labels). */
import path from 'node:path';
import type { ExportRow } from '../../db/export-rows.js';
import { AppendFile } from './append-file.js';
import type { Layout, LayoutState, Sample } from './layout.js';
import { imageRelPath, splitFolder } from './record.js';

export class ImageFolderLayout implements Layout {
  private readonly open = new Map<string, AppendFile>();

  constructor(
    private readonly outDir: string,
    private readonly ext: string,
    private readonly resumed: LayoutState | null,
  ) {}

  imageFile(row: Pick<ExportRow, 'cropId' | 'split'>): string {
    return `${splitFolder(row.split)}/${imageRelPath(row.cropId, this.ext)}`;
  }

  private async metadata(folder: string): Promise<AppendFile> {
    const rel = `${folder}/metadata.jsonl`;
    let f = this.open.get(rel);
    if (!f) {
      f = await AppendFile.open(path.join(this.outDir, rel), this.resumed?.files[rel] ?? 0);
      this.open.set(rel, f);
    }
    return f;
  }

  async add({ row, record }: Sample): Promise<void> {
    const f = await this.metadata(splitFolder(row.split));
    await f.write(Buffer.from(`${JSON.stringify({ file_name: imageRelPath(row.cropId, this.ext), ...record })}\n`));
    f.commit();
  }

  state(): LayoutState {
    const files: Record<string, number> = { ...(this.resumed?.files ?? {}) };
    for (const [rel, f] of this.open) files[rel] = f.committed;
    return { files };
  }

  async sync(): Promise<void> {
    for (const f of this.open.values()) await f.sync();
  }

  async rollback(): Promise<void> {
    for (const f of this.open.values()) await f.rollback();
  }

  async close(): Promise<void> {
    for (const f of this.open.values()) await f.close();
    this.open.clear();
  }
}
