/**
 * The one atomic file write: the data goes to a temporary file in the destination's folder, is flushed to disk (where
 * the file system can), and the temporary file is renamed over the destination. A reader, or a crash, never sees half a
 * file under the final name; a failed write leaves the old file and no temporary file behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Errors of an fsync that the file system does not support (it then has nothing to flush). */
const NO_FSYNC = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** A unique sibling of `file` ending in `.<pid>.tmp`, so that tempFileOwner() can tell whose it is. */
function tempFileFor(file: string): string {
  return `${file}.${crypto.randomBytes(4).toString('hex')}.${process.pid}.tmp`;
}

/** The process that was writing `name` when it is a temporary file of writeFileAtomic, else null. */
export function tempFileOwner(name: string): number | null {
  const m = /\.(\d+)\.tmp$/.exec(name);
  return m ? Number(m[1]) : null;
}

function unsupported(err: unknown): boolean {
  return NO_FSYNC.has((err as NodeJS.ErrnoException).code ?? '');
}

/** The steps of an atomic write: `write` fills the temporary file, which is flushed (when asked) and renamed over `file`. */
async function replaceAtomically(file: string, write: (tmp: string) => Promise<void>, flush: boolean): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempFileFor(file);
  try {
    await write(tmp);
    if (flush) {
      const handle = await fs.promises.open(tmp, 'r+');
      try {
        await handle.sync().catch((err: unknown) => {
          if (!unsupported(err)) throw err;
        });
      } finally {
        await handle.close();
      }
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes `data` to `file` atomically (creating its folder); see the module comment. `flush: false` skips the flush to
 * disk: the rename still hides half-written files from readers and from a killed process, not from a power cut.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: { flush?: boolean } = {}): Promise<void> {
  await replaceAtomically(file, (tmp) => fs.promises.writeFile(tmp, data), opts.flush !== false);
}

/**
 * writeFileAtomic for data too large to hold: `make` writes the temporary file it is given (an encoder writing to a
 * path), which is then flushed and renamed over `file` in the same way.
 */
export async function writeFileAtomicBy(file: string, make: (tmp: string) => Promise<void>): Promise<void> {
  await replaceAtomically(file, make, true);
}

/** writeFileAtomic for code that cannot wait: the same steps, synchronously. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempFileFor(file);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      try {
        fs.fsyncSync(fd);
      } catch (err) {
        if (!unsupported(err)) throw err;
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
