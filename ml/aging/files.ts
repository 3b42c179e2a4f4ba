import fs from 'node:fs';
import path from 'node:path';

/** Writes through a temporary file in the same folder and renames it, so no reader ever sees half a file. */
export async function writeFileAtomic(file: string, data: Buffer): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
