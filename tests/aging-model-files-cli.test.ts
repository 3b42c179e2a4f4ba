import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir } from '../ml/aging/model.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

const PHOTO = path.join(FGNET_DIR, 'images/006A40.JPG');

describe('chronoface age with a damaged prototypes.json (built CLI)', () => {
  it('names the file when the shape warp needs it, and ages with --no-shape, warning', async () => {
    const model = tempDir('cut-prototypes');
    for (const f of fs.readdirSync(defaultModelDir())) fs.copyFileSync(path.join(defaultModelDir(), f), path.join(model, f));
    const file = path.join(model, 'prototypes.json');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    const out = tempDir('cut-prototypes-out');

    const shaped = await runCli(['age', PHOTO, '--model', model, '--out', path.join(out, 'a.gif'), '--ages', '60']);
    expect(shaped.code).toBe(1);
    expect(shaped.stderr).toContain(`${file}: not valid JSON, perhaps cut short (1000 bytes)`);
    expect(fs.existsSync(path.join(out, 'a.gif'))).toBe(false);

    const flat = await runCli(['age', PHOTO, '--model', model, '--out', path.join(out, 'b.gif'), '--ages', '60', '--no-shape', '--json']);
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stdout + flat.stderr).toContain(`${file}: not valid JSON, perhaps cut short (1000 bytes)`);
    expect(flat.stdout + flat.stderr).toContain('aging without the age prototypes');
    expect(flat.last).toMatchObject({ frames: 1, ages: [60] });
    expect(fs.statSync(path.join(out, 'b.gif')).size).toBeGreaterThan(10_000);
  });
});
