/** What every export layout does: where each crop's image goes, its row, and the state a resume starts from. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportRow } from '../../db/export-rows.js';
import { tempFileOwner, writeFileAtomic } from '../io/write-file-atomic.js';
import { writeError } from './append-file.js';

/** The bytes each appended file holds in whole samples, and the shard each split writes to (webdataset). */
export interface LayoutState {
  readonly files: Record<string, number>;
  readonly shards?: Record<string, number>;
}

export interface Sample {
  readonly row: ExportRow;
  readonly record: Record<string, unknown>;
  /** The image, or null when its file was written already (image-file layouts). */
  readonly image: Buffer | null;
}

export interface Layout {
  /** The image file a crop gets (relative to OUT_DIR), or null when images live inside the rows' files (tar). */
  imageFile(row: Pick<ExportRow, 'cropId' | 'split'>): string | null;
  /** Appends the crop's row (and image, for tar layouts); a sample is whole once add resolves. */
  add(sample: Sample): Promise<void>;
  /** The state to journal: every appended file at its last whole sample. */
  state(): LayoutState;
  /** Flushes the appended files to disk (before the journal says they hold this much). */
  sync(): Promise<void>;
  /** After a write error: cuts every appended file back to its last whole sample. */
  rollback(): Promise<void>;
  /** Closes the files; a complete export also ends its tar shards. */
  close(complete: boolean): Promise<void>;
}

/** Writes a crop's image file through a temporary name, unless a finished one is there (a resumed export). */
export async function writeImageFile(outDir: string, rel: string, produce: () => Promise<Buffer>): Promise<boolean> {
  const abs = path.join(outDir, rel);
  if (fs.existsSync(abs)) return false;
  const bytes = await produce();
  try {
    // Not flushed one by one (a kill cannot leave half a file under its name; the journal is flushed at checkpoints).
    await writeFileAtomic(abs, bytes, { flush: false });
  } catch (err) {
    throw writeError(abs, err);
  }
  return true;
}

/**
 * Removes the temporary image files a killed export left in the folders that crops after `afterCropId` go to (the
 * only ones it was writing): `imageFile` gives each folder from a crop id.
 */
export function removeTempImages(outDir: string, afterCropId: number, imageFolders: (cropId: number) => string[]): number {
  let removed = 0;
  // A page of crops spans at most two thousand-crop folders past the last whole one.
  for (const id of [afterCropId, afterCropId + 1000, afterCropId + 2000]) {
    for (const folder of imageFolders(id)) {
      const dir = path.join(outDir, folder);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        if (tempFileOwner(name) === null) continue;
        fs.rmSync(path.join(dir, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
