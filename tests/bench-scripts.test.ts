import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonLines } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/env.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

/**
 * Every `npm run bench:*` script run in its smallest mode against the built code (npm test builds first) and the data
 * in ../shared, so a script that calls the code with old arguments fails here instead of at its next measurement.
 * Each run's temporary files go to a folder of its own (TMPDIR), deleted after the file. The figures are not judged,
 * only the shape of the result: its keys, positive numbers, and the counts asked for.
 */
const temp = tempDirsForFile();

type Json = Record<string, any>;

function runBench(script: string, args: readonly string[]): Promise<{ code: number | null; last: Json; stderr: string }> {
  const tmp = temp('bench-smoke');
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = parseJsonLines(stdout);
      resolve({ code, last: (lines[lines.length - 1] ?? {}) as Json, stderr });
    });
  });
}

const positive = (v: unknown): void => {
  expect(typeof v).toBe('number');
  expect(v as number).toBeGreaterThan(0);
};

/** Each script's smallest run and what its result must hold. */
const SMOKE: Record<string, { args: string[]; check: (r: Json) => void }> = {
  'bench:import': {
    args: ['--json', '--runs', '1'],
    check: (r) => {
      expect(r.images).toBe(1000);
      expect(r.runs).toHaveLength(1);
      positive(r.imagesPerSecond);
      positive(r.seconds);
    },
  },
  'bench:prepare': {
    args: ['--json', '--workers', '1', '--repeat', '1', '--photos', '3'],
    check: (r) => {
      expect(r.workers).toBe(1);
      expect(r.repeat).toBe(1);
      expect(r.byWorkers).toHaveLength(1);
      expect(r.byWorkers[0].images).toBe(3);
      expect(r.byWorkers[0].failed).toBe(0);
      expect(r.catalogueCrops).toBe(3);
      positive(r.imagesPerSecond);
      positive(r.modelImagesPerSecond);
      positive(r.byWorkers[0].cpuMsPerImage);
      for (const stage of ['decodePhoto', 'pageWork', 'alignCleanScoreEncode', 'writeCrop']) positive(r.stagesMsPerImage[stage]);
    },
  },
  'bench:train': {
    // No --torch: the PyTorch reference is not run, and the result says nothing of it.
    args: ['--json', '--size', '64', '--batch', '4', '--steps', '1', '--workers', '1'],
    check: (r) => {
      expect([r.imageSize, r.batch, r.workers]).toEqual([64, 4, 1]);
      positive(r.imagesPerSecond);
      positive(r.msPerStep);
      positive(r.cpuMsPerImage);
      positive(r.parameters);
      expect(r.torchImagesPerSecond).toBeUndefined();
      expect(r.torchError).toBeUndefined();
    },
  },
  'bench:train-kernels': {
    args: ['--json', '--size', '64', '--batch', '2', '--steps', '1'],
    check: (r) => {
      expect([r.imageSize, r.batch, r.backend]).toEqual([64, 2, 'wasm']);
      positive(r.msPerStep);
      positive(r.kernelMsPerStep);
      expect(r.byKernel.length).toBeGreaterThan(5);
      expect(r.byKernel.map((k: Json) => k.name)).toContain('Conv2DBackpropInput');
      positive(r.rows[0].ms);
    },
  },
  'bench:age': {
    args: ['--json', '--runs', '1', '--ages', '2'],
    check: (r) => {
      expect(r.ages).toBe(2);
      expect(r.targetAges).toHaveLength(2);
      expect(r.runs).toHaveLength(1);
      expect(r.photoSize).toEqual([316, 394]);
      positive(r.msToGif);
      positive(r.cpuMs);
      positive(r.coldStartMs);
      for (const stage of ['detect', 'align', 'cvaeEncodeDecode', 'composeAndGifEncode', 'pasteBack', 'gifEncode']) positive(r.stages[stage]);
      positive(r.stagesCpuMs.cvaeEncodeDecode);
    },
  },
  'bench:ui': {
    args: ['--json', '--crops', '2000', '--seconds', '1', '--clock', 'unlimited', '--speeds', '4000'],
    check: (r) => {
      expect(r.crops).toBe(2000);
      expect(r.speedsPxPerSecond).toEqual([4000]);
      positive(r.firstScreenMs);
      positive(r.firstScreen.reviewMs);
      positive(r.frameP95Ms);
      positive(r.clocks.unlimited['4000'].frames);
      expect(r.clocks.vsync).toBeUndefined();
    },
  },
  'bench:catalogue': {
    args: ['--json', '--images', '2000', '--samples', '3', '--import-files', '20'],
    check: (r) => {
      expect(r.samples).toBe(3);
      positive(r.queryP95Ms);
      positive(r.statsMs.p95);
      positive(r.importImagesPerSecond);
      positive(r.catalogueBytes);
      positive(r.duplicateSearch.loadMs);
      expect(Object.keys(r.queries).length).toBeGreaterThan(10);
    },
  },
  'bench:team': {
    args: [
      '--json', '--faces', '2', '--pages', '1', '--canvas', '1200x900', '--widths', '100,150', '--repeat', '1',
      '--ages', '2', '--speed-canvas', '1200x900', '--memory-mp', '1', '--memory-faces', '2', '--single-ages', '2',
    ],
    check: (r) => {
      expect(r.detect.photo.faces).toBe(2);
      expect(r.detect.found).toBeGreaterThan(0);
      positive(r.detect.detectMs);
      expect([r.gifSpeed.faces, r.gifSpeed.ages]).toEqual([2, 2]);
      positive(r.gifSpeed.secondsPerFace);
      positive(r.gifSpeed.gifBytes);
      expect([r.gifMemory.megapixels, r.gifMemory.faces, r.gifMemory.ages]).toEqual([1, 2, 2]);
      positive(r.gifMemory.peakRssMB);
      expect([r.singleMemory.ages, r.singleMemory.framePngs]).toEqual([2, 2]);
      positive(r.singleMemory.peakRssMB);
      positive(r.singleMemory.stripBytes);
    },
  },
  'bench:export': {
    args: ['--json', '--images', '1000', '--faces', '4'],
    check: (r) => {
      expect(r.images).toBe(1000);
      positive(r.crops);
      for (const format of ['webdataset', 'imagefolder']) {
        expect(r.runs[format].exported).toBe(r.crops);
        positive(r.runs[format].cropsPerSecond);
        positive(r.runs[format].peakRssMB);
      }
    },
  },
  'bench:prototypes': {
    args: ['--json', '--crops', '2000', '--workers', '1', '--no-textures'],
    check: (r) => {
      expect(r.source).toBe('catalogue');
      expect(r.textures).toBe(false);
      expect(r.crops).toBeGreaterThanOrEqual(2000);
      positive(r.fitted);
      positive(r.peakRssMb);
      expect(r.pass).toBe(true);
    },
  },
};

describe('bench scripts (smallest runs)', () => {
  it('every bench:* script of package.json has a run here', () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Json);
    expect(scripts.filter((s) => s.startsWith('bench:')).sort()).toEqual(Object.keys(SMOKE).sort());
  });

  for (const [script, { args, check }] of Object.entries(SMOKE)) {
    it(`${script} ${args.join(' ')}`, async () => {
      const { code, last, stderr } = await runBench(script, args);
      expect(code, stderr.slice(-2000)).toBe(0);
      check(last);
    });
  }
});
