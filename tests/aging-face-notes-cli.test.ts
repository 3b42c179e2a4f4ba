/**
 * What aging cannot do well is said before aging and in every aging path's output: the gender estimate's probability
 * (flagged below 0.7) and tiny faces, on real FG-NET faces, through the built CLI (`detect`, `age --out` for the team
 * path, `age --crop-gif` for one face, `age --out-dir` for a folder) with the shipped default model.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

/** FG-NET 005A30: its gender estimate is uncertain (0.54 when measured). */
const UNSURE = path.join(FGNET_DIR, 'images/005A30.JPG');
const AGES = '30,60';

interface FaceOut {
  estimate?: { age: number; gender: string; genderProbability: number };
  genderProbability?: number | null;
  gender?: string;
  warnings: { kind: string; message: string }[];
}

const kinds = (f: FaceOut): string[] => f.warnings.map((w) => w.kind).sort();
const warningLines = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"warning"'))
    .map((l) => (JSON.parse(l) as { message: string }).message);

describe('face warnings and the gender probability in the CLI (real faces, default model)', () => {
  const dir = tempDir('face-notes-cli');
  const dataDir = path.join(dir, 'data');
  let tiny = '';
  let detected: FaceOut;

  beforeAll(async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    // The same face small on a larger canvas: its eyes about 19 px apart, under the preparation's 24.
    const small = await sharp(UNSURE).resize({ width: 99 }).toBuffer();
    tiny = path.join(dir, 'tiny.jpg');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 130, b: 125 } } })
      .composite([{ input: small, left: 200, top: 150 }])
      .jpeg({ quality: 92 })
      .toFile(tiny);
    const r = await runCli(['detect', UNSURE, '--json', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    detected = (r.lines[0] as { faces: FaceOut[] }).faces[0]!;
  }, 300_000);

  it('detect gives the estimate aging starts from, and flags a gender below 0.7; the text says the probability', async () => {
    expect(detected.estimate!.genderProbability).toBeGreaterThanOrEqual(0.5);
    expect(detected.estimate!.genderProbability).toBeLessThan(0.7);
    expect(kinds(detected)).toEqual(['gender']);
    const p = detected.estimate!.genderProbability.toFixed(2);
    expect(detected.warnings[0]!.message).toBe(`face 0: gender uncertain (${detected.estimate!.gender}, probability ${p}); set it if wrong`);
    const text = await runCli(['detect', UNSURE, '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`estimated age ${detected.estimate!.age}, ${detected.estimate!.gender} (probability ${p})`);
    expect(text.stderr).toContain(`warning: ${UNSURE}: face 0: gender uncertain`);
  });

  it('the team path and the single-face path age from that same estimate, print its probability and warn', async () => {
    const team = await runCli(['age', UNSURE, '--out', path.join(dir, 'team.gif'), '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(team.code, team.stderr).toBe(0);
    const teamFace = (team.last.agedFaces as FaceOut[])[0]!;
    expect(teamFace.gender).toBe(detected.estimate!.gender);
    expect(teamFace.genderProbability).toBe(detected.estimate!.genderProbability);
    expect(kinds(teamFace)).toEqual(['gender']);
    expect(warningLines(team.stdout).some((m) => m.endsWith('set it if wrong with --face-gender 0=male|female'))).toBe(true);

    const single = await runCli(['age', UNSURE, '--out', path.join(dir, 'one.gif'), '--crop-gif', path.join(dir, 'one-crop.gif'), '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(single.code, single.stderr).toBe(0);
    expect(single.last.gender).toBe(detected.estimate!.gender);
    expect(single.last.genderProbability).toBe(detected.estimate!.genderProbability);
    expect(kinds(single.last as unknown as FaceOut)).toEqual(['gender']);
    expect(warningLines(single.stdout).some((m) => m.endsWith('set it if wrong with --gender male|female'))).toBe(true);
    // The text output says the probability.
    const text = await runCli(['age', UNSURE, '--out', path.join(dir, 'one-text.gif'), '--crop-gif', path.join(dir, 'one-text-crop.gif'), '--ages', AGES, '--data-dir', dataDir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`gender ${detected.estimate!.gender} (estimated, probability ${detected.estimate!.genderProbability.toFixed(2)})`);

    // A gender given is not flagged.
    const given = await runCli(['age', UNSURE, '--out', path.join(dir, 'given.gif'), '--crop-gif', path.join(dir, 'given-crop.gif'), '--gender', 'female', '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(given.code, given.stderr).toBe(0);
    expect(given.last).toMatchObject({ gender: 'female', genderEstimated: false, genderProbability: null, warnings: [] });
  });

  it('a tiny face warns in detect, in the team path, in the single-face path and in a folder run', async () => {
    const det = await runCli(['detect', tiny, '--json', '--data-dir', dataDir]);
    expect(det.code, det.stderr).toBe(0);
    const face = (det.lines[0] as { faces: FaceOut[] }).faces[0]!;
    expect(kinds(face)).toContain('tiny');
    expect(face.warnings.find((w) => w.kind === 'tiny')!.message).toMatch(/^face 0 is tiny \(eyes \d+ px apart, under the 24 px the preparation asks for\)/);

    const team = await runCli(['age', tiny, '--out', path.join(dir, 'tiny-team.gif'), '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(team.code, team.stderr).toBe(0);
    expect(kinds((team.last.agedFaces as FaceOut[])[0]!)).toContain('tiny');
    expect(warningLines(team.stdout).some((m) => m.startsWith('face 0 is tiny'))).toBe(true);

    const single = await runCli(['age', tiny, '--out', path.join(dir, 'tiny-one.gif'), '--crop-gif', path.join(dir, 'tiny-crop.gif'), '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(single.code, single.stderr).toBe(0);
    expect(kinds(single.last as unknown as FaceOut)).toContain('tiny');
    expect(warningLines(single.stdout).some((m) => m.startsWith('face 0 is tiny'))).toBe(true);

    const folder = await runCli(['age', tiny, UNSURE, '--out-dir', path.join(dir, 'folder'), '--ages', AGES, '--data-dir', dataDir, '--json']);
    expect(folder.code, folder.stderr).toBe(0);
    const photos = folder.lines.filter((l) => 'photo' in l) as { photo: string; faces: FaceOut[] }[];
    expect(photos.map((p) => path.basename(p.photo))).toEqual(['tiny.jpg', '005A30.JPG']);
    expect(kinds(photos[0]!.faces[0]!)).toContain('tiny');
    expect(kinds(photos[1]!.faces[0]!)).toEqual(['gender']);
    expect(photos[1]!.faces[0]!.genderProbability).toBe(detected.estimate!.genderProbability);
  });
});
