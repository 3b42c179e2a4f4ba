import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFileOwner, writeFileAtomic, writeFileAtomicSync } from '../ml/io/write-file-atomic.js';
import { tempDir } from './helpers/env.js';

const dir = tempDir('atomic');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes (creating the folder), replaces, and leaves no temporary file', async () => {
    const file = path.join(dir, 'a', 'b', 'x.bin');
    await writeFileAtomic(file, Buffer.from([1, 2, 3]));
    await writeFileAtomic(file, 'text');
    writeFileAtomicSync(path.join(dir, 'a', 'y.json'), '{}');
    expect(fs.readFileSync(file, 'utf8')).toBe('text');
    expect(fs.readFileSync(path.join(dir, 'a', 'y.json'), 'utf8')).toBe('{}');
    expect(fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the old file and removes its temporary file when the rename fails', async () => {
    const target = path.join(dir, 'is-a-folder');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'x')).toThrow();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });

  it('tells the writing process from a temporary file name', () => {
    expect(tempFileOwner(`x.png.0a1b2c3d.${process.pid}.tmp`)).toBe(process.pid);
    expect(tempFileOwner('x.png.4242.tmp')).toBe(4242);
    expect(tempFileOwner('x.png')).toBeNull();
  });
});
