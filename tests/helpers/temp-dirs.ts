import fs from 'node:fs';
import { afterAll } from 'vitest';
import { tempDir } from './env.js';

/** A maker of temporary folders that are all deleted after the test file. Call it at the top level of the file. */
export function tempDirsForFile(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  return (prefix: string): string => {
    const d = tempDir(prefix);
    made.push(d);
    return d;
  };
}
