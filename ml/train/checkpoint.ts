import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { loadCvaeValues, saveCvaeValues } from '../cvae/io.js';
import type { CvaeConfig } from '../cvae/config.js';
import type { CvaeSidecar } from '../cvae/sidecar.js';
import type { AdamState } from './adam.js';
import { CHECKPOINT_POINTER, readPointer, type CheckpointPointer } from './checkpoint-pointer.js';

export interface Checkpoint {
  epoch: number;
  config: CvaeConfig;
  values: Map<string, Float32Array>;
  adam: AdamState;
  trainLosses: number[];
}

/**
 * Writes <run>/checkpoints/epoch-NNN (model + optimizer) under a temporary name, renames it into place, then
 * switches the pointer file atomically; a kill at any moment leaves the previous checkpoint intact.
 */
export async function writeCheckpoint(runDir: string, ck: Checkpoint, sidecar: CvaeSidecar): Promise<void> {
  const root = path.join(runDir, 'checkpoints');
  const name = `epoch-${String(ck.epoch).padStart(4, '0')}`;
  const tmp = path.join(root, `${name}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  await saveCvaeValues(tmp, ck.config, ck.values, sidecar);
  const total = ck.adam.m.reduce((a, x) => a + x.length, 0);
  const buf = new Float32Array(total * 2);
  let off = 0;
  for (const x of ck.adam.m) (buf.set(x, off), (off += x.length));
  for (const x of ck.adam.v) (buf.set(x, off), (off += x.length));
  fs.writeFileSync(path.join(tmp, 'optimizer.bin'), Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  fs.writeFileSync(path.join(tmp, 'optimizer.json'), JSON.stringify({ step: ck.adam.step, sizes: ck.adam.m.map((x) => x.length) }));
  const final = path.join(root, name);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  const pointer: CheckpointPointer = { epoch: ck.epoch, dir: name, trainLosses: ck.trainLosses };
  await writeFileAtomic(path.join(runDir, CHECKPOINT_POINTER), JSON.stringify(pointer));
  for (const d of fs.readdirSync(root)) if (d !== name) fs.rmSync(path.join(root, d), { recursive: true, force: true });
}

export async function readCheckpoint(runDir: string): Promise<Checkpoint | null> {
  const pointer = readPointer(runDir);
  if (!pointer) return null;
  const dir = path.join(runDir, 'checkpoints', pointer.dir);
  const { config, values } = await loadCvaeValues(dir);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'optimizer.json'), 'utf8')) as { step: number; sizes: number[] };
  const raw = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  let off = 0;
  for (const n of meta.sizes) (m.push(all.slice(off, off + n)), (off += n));
  for (const n of meta.sizes) (v.push(all.slice(off, off + n)), (off += n));
  return { epoch: pointer.epoch, config, values, adam: { step: meta.step, m, v }, trainLosses: pointer.trainLosses };
}
