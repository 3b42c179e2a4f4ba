import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { decodeFloat16, encodeFloat16, fromFloat16, toFloat16 } from '../ml/cvae/float16.js';
import { loadCvaeValues, saveCvaeValues } from '../ml/cvae/io.js';
import { paramSpecs } from '../ml/cvae/model.js';
import type { CvaeSidecar } from '../ml/cvae/sidecar.js';
import { tempDir } from './helpers/env.js';

const dir = tempDir('cvae-f16');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('float16 weights', () => {
  it('converts exactly representable values both ways and rounds the rest to nearest', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, -0.333251953125]) expect(fromFloat16(toFloat16(v))).toBe(v);
    expect(toFloat16(1)).toBe(0x3c00);
    expect(toFloat16(-2)).toBe(0xc000);
    expect(fromFloat16(toFloat16(1e6))).toBe(Infinity);
    expect(fromFloat16(toFloat16(2 ** -26))).toBe(0);
    const xs = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const back = decodeFloat16(encodeFloat16(xs));
    for (let i = 0; i < xs.length; i++) expect(Math.abs(back[i]! - xs[i]!)).toBeLessThanOrEqual(Math.abs(xs[i]!) * 2 ** -11 + 1e-7);
  });

  it('saves a model at half the size and loads it back within float16 precision', async () => {
    const config = makeCvaeConfig({ imageSize: 64 });
    const values = new Map<string, Float32Array>();
    let k = 0;
    for (const s of paramSpecs(config)) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      values.set(s.name, Float32Array.from({ length: n }, () => Math.sin(k++) * 0.1));
    }
    const sidecar = { format: 'chronoface-cvae', version: 1 } as unknown as CvaeSidecar;
    await saveCvaeValues(path.join(dir, 'f32'), config, values, sidecar);
    await saveCvaeValues(path.join(dir, 'f16'), config, values, sidecar, { float16: true });
    const size32 = fs.statSync(path.join(dir, 'f32/weights.bin')).size;
    const size16 = fs.statSync(path.join(dir, 'f16/weights.bin')).size;
    expect(size16 * 2).toBe(size32);
    const loaded = await loadCvaeValues(path.join(dir, 'f16'));
    for (const [name, v] of values) {
      const got = loaded.values.get(name)!;
      expect(got.length).toBe(v.length);
      let worst = 0;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(got[i]! - v[i]!));
      expect(worst, name).toBeLessThan(1e-4);
    }
  });
});
