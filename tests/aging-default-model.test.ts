import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSidecar } from '../ml/cvae/io.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { parseLightness } from '../ml/aging/detail-change.js';
import { loadDetailEnergy } from '../ml/aging/detail-energy.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT, tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

const DEFAULT_DIR = path.join(REPO_ROOT, 'assets/models/default');

describe('the shipped default model', () => {
  it('is small, float16, and records what it was trained on', () => {
    const bytes = fs.readdirSync(DEFAULT_DIR).reduce((a, f) => a + fs.statSync(path.join(DEFAULT_DIR, f)).size, 0);
    expect(bytes).toBeLessThan(30 * 1024 * 1024);
    const manifest = JSON.parse(fs.readFileSync(path.join(DEFAULT_DIR, 'model.json'), 'utf8')) as { weightsManifest: { weights: { quantization?: { dtype: string } }[] }[] };
    expect(manifest.weightsManifest[0]!.weights.every((w) => w.quantization?.dtype === 'float16')).toBe(true);
    const sidecar = readSidecar(DEFAULT_DIR);
    expect(sidecar.imageSize).toBe(128);
    expect(sidecar.ageRange.min).toBeGreaterThanOrEqual(0);
    expect(sidecar.ageRange.max).toBeLessThanOrEqual(120);
    expect(sidecar.ageBins.length).toBeGreaterThan(5);
    expect(sidecar.prep).not.toBeNull();
    // Tuned by chronoface eval: the change between decodes is strengthened and the age prototypes' texture joins it.
    expect(sidecar.aging?.gain).toBeGreaterThan(1);
    expect(sidecar.aging?.prototype).toBeGreaterThan(0);
    // Its age prototypes ship beside it, fitted to the 3,600 UTKFace crops' training and validation splits.
    const prototypes = readPrototypes(DEFAULT_DIR);
    expect(prototypes?.crops).toBeGreaterThan(3000);
    expect(prototypes?.textures?.male.length).toBe(prototypes?.knots.length);
    // Ages in lightness and detail with settings chosen on the validation split, and a table of real faces' detail by age.
    expect(parseLightness((sidecar.aging as { lightness?: unknown }).lightness, 'sidecar.json')?.prototypeAdult).toBeGreaterThan(0);
    expect(loadDetailEnergy(DEFAULT_DIR)?.crops).toBeGreaterThan(3000);
    expect(JSON.stringify(sidecar)).not.toMatch(/"\/(work|home|root|Users|tmp)\//);
    expect(fs.readFileSync(path.join(DEFAULT_DIR, 'MODEL_CARD.md'), 'utf8')).toMatch(/non-commercial research/);
  });

  it('ages a photo at its own resolution in a data directory that has no model of its own', async () => {
    const dir = tempDir('default-model');
    const photo = path.join(FGNET_DIR, 'images/006A28.JPG');
    const gif = path.join(dir, 'out.gif');
    const res = await runCli(['age', photo, '--data-dir', path.join(dir, 'data'), '--out', gif, '--ages', '20,45,70', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect((res.last.model as { source: string }).source).toBe('default');
    expect(res.last.frames).toBe(3);
    const src = await sharp(photo).metadata();
    const meta = await sharp(gif, { animated: true }).metadata();
    expect(meta.width).toBe(src.width);
    expect(meta.pageHeight).toBe(src.height);
    expect(meta.loop).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
