/**
 * A file an export appends to (metadata.jsonl, the csv, a tar shard): it knows how many bytes hold whole samples
 * (committed), so that a write error or a kill never leaves half a sample behind: rollback() and resume cut back to it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A write to OUT_DIR failed (disk full, read-only, ...): the export stops, naming the path and the reason. */
export class ExportWriteError extends Error {
  override readonly name = 'ExportWriteError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
  }
}

export function writeError(file: string, err: unknown): ExportWriteError {
  if (err instanceof ExportWriteError) return err;
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted' };
  return new ExportWriteError(file, e.code ? `${reasons[e.code] ?? e.message} (${e.code})` : e.message);
}

export class AppendFile {
  private constructor(
    readonly file: string,
    private handle: fs.promises.FileHandle,
    private size: number,
    private kept: number,
  ) {}

  /** Opens `file` to append after its first `keep` bytes (what a journal recorded; 0 or absent: a new file). */
  static async open(file: string, keep = 0): Promise<AppendFile> {
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const handle = await fs.promises.open(file, keep > 0 ? 'r+' : 'w');
      if (keep > 0) await handle.truncate(keep);
      return new AppendFile(file, handle, keep, keep);
    } catch (err) {
      throw writeError(file, err);
    }
  }

  get length(): number {
    return this.size;
  }

  /** Bytes that hold whole samples. */
  get committed(): number {
    return this.kept;
  }

  async write(...chunks: Uint8Array[]): Promise<void> {
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      let at = 0;
      while (at < data.length) {
        const { bytesWritten } = await this.handle.write(data, at, data.length - at, this.size);
        at += bytesWritten;
        this.size += bytesWritten;
      }
    } catch (err) {
      throw writeError(this.file, err);
    }
  }

  /** What has been written holds whole samples. */
  commit(): void {
    this.kept = this.size;
  }

  /** Cuts the file back to its last whole sample. */
  async rollback(): Promise<void> {
    if (this.size === this.kept) return;
    await this.handle.truncate(this.kept).catch(() => {});
    this.size = this.kept;
  }

  async sync(): Promise<void> {
    await this.handle.sync().catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP') throw writeError(this.file, err);
    });
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (err) {
      throw writeError(this.file, err);
    }
  }
}
