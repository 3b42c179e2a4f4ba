/** One labels.csv at OUT_DIR's top (a `path` column relative to OUT_DIR) and the images under images/. */
import path from 'node:path';
import type { ExportRow } from '../../db/export-rows.js';
import { AppendFile } from './append-file.js';
import type { Layout, LayoutState, Sample } from './layout.js';
import { csvHeader, csvLine, imageRelPath } from './record.js';

export const CSV_FILE = 'labels.csv';

export class CsvLayout implements Layout {
  private file: AppendFile | null = null;

  constructor(
    private readonly outDir: string,
    private readonly ext: string,
    private readonly resumed: LayoutState | null,
  ) {}

  imageFile(row: Pick<ExportRow, 'cropId' | 'split'>): string {
    return `images/${imageRelPath(row.cropId, this.ext)}`;
  }

  private async csv(): Promise<AppendFile> {
    if (!this.file) {
      const keep = this.resumed?.files[CSV_FILE] ?? 0;
      this.file = await AppendFile.open(path.join(this.outDir, CSV_FILE), keep);
      if (keep === 0) {
        await this.file.write(Buffer.from(csvHeader()));
        this.file.commit();
      }
    }
    return this.file;
  }

  async add({ row, record }: Sample): Promise<void> {
    const f = await this.csv();
    await f.write(Buffer.from(csvLine(this.imageFile(row), record)));
    f.commit();
  }

  state(): LayoutState {
    return { files: { [CSV_FILE]: this.file?.committed ?? this.resumed?.files[CSV_FILE] ?? 0 } };
  }

  async sync(): Promise<void> {
    await this.file?.sync();
  }

  async rollback(): Promise<void> {
    await this.file?.rollback();
  }

  async close(): Promise<void> {
    await this.file?.close();
    this.file = null;
  }
}
