import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_SUBDIRS } from '../../db/data-dir.js';
import { tempFileOwner } from '../io/write-file-atomic.js';

/** A fresh relative path for an image's crop: crops/<id / 1000>/<id>_<nonce>.png. A new name per cut means a
 *  registered row always points at the file it describes; the old file is deleted after the row changes. */
export function newCropRelPath(imageId: number): string {
  const bucket = String(Math.floor(imageId / 1000)).padStart(3, '0');
  return `${DATA_SUBDIRS.crops}/${bucket}/${imageId}_${crypto.randomBytes(4).toString('hex')}.png`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary files of crop writes (writeFileAtomic) left by killed runs: their process is gone. */
export function cleanStaleTemps(dataDir: string): number {
  const root = path.join(dataDir, DATA_SUBDIRS.crops);
  if (!fs.existsSync(root)) return 0;
  let removed = 0;
  for (const bucket of fs.readdirSync(root)) {
    const dir = path.join(root, bucket);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir)) {
      const owner = tempFileOwner(f);
      if (owner !== null && !alive(owner)) {
        fs.rmSync(path.join(dir, f), { force: true });
        removed++;
      }
    }
  }
  return removed;
}

export function removeQuietly(dataDir: string, rel: string | null | undefined): void {
  if (!rel) return;
  fs.rmSync(path.join(dataDir, rel), { force: true });
}
