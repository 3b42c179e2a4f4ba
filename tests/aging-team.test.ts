import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { makeGroupPhoto, type GroupPhoto } from './helpers/group-photo.js';
import { MODELS_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { orderFaces } from '../ml/aging/age-photo.js';
import { chooseModel, loadAgingModel, type AgingModel } from '../ml/aging/model.js';
import { parseFirstImage } from '../ml/aging/gif-blocks.js';
import { detectFaces } from '../ml/prep/detect.js';
import { loadPhoto } from '../ml/prep/photo.js';
import type { Box } from '../domain/face.js';
import { ageTeamToFiles, type AgedTeamFiles } from '../workflows/age-team.js';
import { teamFaces, withoutReplaced } from '../ml/aging/team-faces.js';
import type { DetectedFace } from '../ml/prep/detect.js';

const AGES = [20, 45, 70];
const inBox = (b: Box, x: number, y: number): boolean => x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3];
const centre = (b: readonly number[]): [number, number] => [b[0]! + b[2]! / 2, b[1]! + b[3]! / 2];

/** The frames of a GIF as RGB, in the order they are shown. */
async function gifFrames(file: string): Promise<{ data: Buffer; width: number; height: number; count: number }> {
  const { data, info } = await sharp(file, { animated: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const height = info.pageHeight ?? info.height;
  return { data, width: info.width, height, count: info.height / height };
}

describe('the team ages together (24-face composite of test-split faces)', () => {
  const host = visionHostForSuite();
  let out = '';
  let group: GroupPhoto;
  let file = '';
  let model: AgingModel;
  let aged: AgedTeamFiles;
  let photo: Awaited<ReturnType<typeof loadPhoto>>;
  let found: DetectedFace[] = [];

  beforeAll(async () => {
    out = tempDir('age-team');
    group = await makeGroupPhoto({ faces: 24, widths: [110, 160], canvas: [2400, 1350], seed: 25 });
    file = path.join(out, 'team24.jpg');
    fs.writeFileSync(file, group.jpeg);
    model = await loadAgingModel(chooseModel(tempDir('age-team-data')));
    const loaded = await loadPhoto(file);
    photo = loaded;
    // Faces the detector finds are aged as found; every other face of the composite is drawn, as a user would.
    found = orderFaces(await detectFaces(host, loaded));
    const missed = group.boxes.filter((b) => !found.some((f) => inBox(f.box as unknown as Box, ...centre(b))));
    aged = await ageTeamToFiles({
      host,
      model,
      photo: file,
      options: { ages: AGES, drawn: missed.map((b) => [b[0], b[1], b[2], b[3]] as [number, number, number, number]) },
      files: { gif: path.join(out, 'team24.gif'), faceGif: (f) => (f.face % 8 === 0 ? path.join(out, `face${f.face}.gif`) : null) },
      catalogue: null,
    });
  }, 900_000);

  afterAll(() => {
    model?.cvae.dispose();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('ages every face: each of the 24 is aged once, and its pixels change across the frames', async () => {
    const gif = await gifFrames(aged.gif);
    expect([gif.width, gif.height]).toEqual([group.width, group.height]);
    expect(gif.count).toBe(2 * AGES.length - 2);
    for (const b of group.boxes) {
      const holders = aged.team.faces.filter((f) => inBox(b, ...centre(f.box)));
      expect(holders, `face at ${b.join(',')}`).toHaveLength(1);
      // Mean change between the youngest and the oldest frame over the middle of the face.
      let sum = 0;
      let n = 0;
      for (let y = Math.round(b[1] + b[3] * 0.25); y < b[1] + b[3] * 0.75; y++) {
        for (let x = Math.round(b[0] + b[2] * 0.25); x < b[0] + b[2] * 0.75; x++) {
          const p = (y * gif.width + x) * 3;
          const q = ((AGES.length - 1) * gif.width * gif.height + y * gif.width + x) * 3;
          for (let c = 0; c < 3; c++) sum += Math.abs(gif.data[p + c]! - gif.data[q + c]!);
          n += 3;
        }
      }
      expect(sum / n, `face at ${b.join(',')}`).toBeGreaterThan(1.5);
    }
    expect(aged.team.faces.every((f) => f.ages.ages.join() === AGES.join())).toBe(true);
  });

  it('outside the faces the photo is unchanged: every frame shows the first, which is the photo in the nearest palette colours', async () => {
    const gif = await gifFrames(aged.gif);
    const table = parseFirstImage(fs.readFileSync(aged.gif)).table;
    // Each face's fade lies within the region its crop covers (grown by its shape warp's reach).
    const fades = aged.team.faces.map(({ region: r }) => [r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0] as Box);
    for (const f of aged.team.faces) {
      // ... which is near the face: within its box grown by one and a half times its size on every side.
      const [x, y, w, h] = f.box;
      expect(f.region.x0).toBeGreaterThanOrEqual(Math.floor(x - 1.5 * w));
      expect(f.region.x1).toBeLessThanOrEqual(Math.ceil(x + 2.5 * w));
      expect(f.region.y0).toBeGreaterThanOrEqual(Math.floor(y - 1.5 * h));
      expect(f.region.y1).toBeLessThanOrEqual(Math.ceil(y + 2.5 * h));
    }
    let outside = 0;
    let differs = 0;
    let notNearest = 0;
    for (let y = 0; y < gif.height; y++) {
      for (let x = 0; x < gif.width; x++) {
        if (fades.some((f) => inBox(f, x, y))) continue;
        outside++;
        const i = y * gif.width + x;
        const p = i * 3;
        for (let k = 1; k < gif.count; k++) {
          const q = (k * gif.width * gif.height + i) * 3;
          if (gif.data[q] !== gif.data[p] || gif.data[q + 1] !== gif.data[p + 1] || gif.data[q + 2] !== gif.data[p + 2]) differs++;
        }
        // The shown colour is as near the photo's pixel as any colour of the palette.
        const r = photo.data[p]!, g = photo.data[p + 1]!, b = photo.data[p + 2]!;
        const shown = (gif.data[p]! - r) ** 2 + (gif.data[p + 1]! - g) ** 2 + (gif.data[p + 2]! - b) ** 2;
        let best = Infinity;
        for (let j = 0; j < table.length; j += 3) best = Math.min(best, (table[j]! - r) ** 2 + (table[j + 1]! - g) ** 2 + (table[j + 2]! - b) ** 2);
        if (shown !== best) notNearest++;
      }
    }
    expect(outside).toBeGreaterThan(0.15 * gif.width * gif.height);
    expect(differs).toBe(0);
    expect(notNearest).toBe(0);
  });

  it('a box drawn over a face already found replaces it (that face is aged once); one drawn elsewhere is added', async () => {
    expect(found.length).toBeGreaterThan(4);
    const [x, y, w, h] = found[3]!.box;
    // Drawn loosely, a tenth wider and taller on every side (IoU with the found box 0.69).
    const loose: [number, number, number, number] = [x - w / 10, y - h / 10, w * 1.2, h * 1.2];
    // A box of the background, clear of every face of the composite by a face's size.
    const clear = (b: Box): boolean => group.boxes.every((g) => b[0] + b[2] + g[2] < g[0] || g[0] + 2 * g[2] < b[0] || b[1] + b[3] + g[3] < g[1] || g[1] + 2 * g[3] < b[1]);
    const spots: Box[] = [];
    for (let y = 0; y + 130 <= group.height; y += 40) for (let x = 0; x + 130 <= group.width; x += 40) spots.push([x, y, 130, 130]);
    const elsewhere = spots.find(clear);
    expect(elsewhere).toBeDefined();
    const faces = await teamFaces(host, photo, [loose, [elsewhere![0], elsewhere![1], elsewhere![2], elsewhere![3]]], found);
    expect(faces).toHaveLength(found.length + 2);
    const [over, other] = faces.slice(found.length);
    expect(over).toMatchObject({ face: found.length, drawn: true, fromBoxAlone: false, replaces: 3 });
    expect(inBox(found[3]!.box as unknown as Box, ...centre(over!.detected.box))).toBe(true);
    expect(other).toMatchObject({ face: found.length + 1, drawn: true });
    expect(other!.replaces).toBeUndefined();
    // Aged once: the found face 3 gives way to the drawn one, every other face stays.
    const aging = withoutReplaced(faces);
    expect(aging.map((f) => f.face)).toEqual(faces.map((f) => f.face).filter((n) => n !== 3));
  });

  it('writes the close-up GIFs asked for, each around its face at full resolution', async () => {
    const asked = aged.faces.filter((f) => f.gif);
    expect(asked.map((f) => f.face.face)).toEqual(aged.team.faces.filter((f) => f.face % 8 === 0).map((f) => f.face));
    for (const f of asked) {
      const meta = await sharp(f.gif!, { animated: true }).metadata();
      expect(meta.pages).toBe(2 * AGES.length - 2);
      expect(meta.width!).toBeGreaterThanOrEqual(Math.floor(f.face.box[2]));
      expect(meta.width!).toBeLessThanOrEqual(Math.ceil(2 * f.face.box[2]) + 2);
    }
  });
});

describe('chronoface age PHOTO --out (the team GIF from the CLI)', () => {
  let out = '';
  let team = '';
  let noFace = '';
  const env = { CHRONOFACE_MODELS_DIR: MODELS_DIR };
  beforeAll(async () => {
    out = tempDir('age-team-cli');
    const g = await makeGroupPhoto({ faces: 2, widths: [360, 400], canvas: [1500, 700], seed: 3 });
    team = path.join(out, 'team.jpg');
    fs.writeFileSync(team, g.jpeg);
    noFace = path.join(out, 'noface.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6a8fb0' } }).png().toFile(noFace);
  }, 300_000);
  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('--faces picks faces, --face-gender sets one, --out-dir writes a close-up GIF per aged face', async () => {
    const gif = path.join(out, 'team.gif');
    const dir = path.join(out, 'faces');
    const r = await runCli(['age', team, '--out', gif, '--faces', '0,1', '--face-gender', '1=female', '--out-dir', dir, '--ages', '25,65', '--data-dir', path.join(out, 'data'), '--json'], env);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    expect(r.last.faces as number).toBeGreaterThanOrEqual(2);
    const agedFaces = r.last.agedFaces as { face: number; gender: string; genderEstimated: boolean; gif: string }[];
    expect(agedFaces.map((f) => f.face)).toEqual([0, 1]);
    expect(agedFaces[1]).toMatchObject({ gender: 'female', genderEstimated: false });
    expect(fs.readdirSync(dir).sort()).toEqual(['team-face0.gif', 'team-face1.gif']);
    const meta = await sharp(gif, { animated: true }).metadata();
    expect([meta.width, meta.pageHeight, meta.pages]).toEqual([1500, 700, 2]);
    const bad = await runCli(['age', team, '--out', gif, '--faces', '0,9', '--data-dir', path.join(out, 'data'), '--json'], env);
    expect(bad.code).toBe(1);
    expect(String(bad.last.error)).toMatch(/^face 9 does not exist: the photo has \d+ faces/);
  });

  it('a photo with no face says so; a box drawn on it ages with a warning that no face was found there', async () => {
    const r = await runCli(['age', noFace, '--out', path.join(out, 'n.gif'), '--data-dir', path.join(out, 'data'), '--json'], env);
    expect(r.code).toBe(1);
    expect(String(r.last.error)).toBe('no face found in noface.png');
    expect(fs.existsSync(path.join(out, 'n.gif'))).toBe(false);
    const drawn = await runCli(['age', noFace, '--out', path.join(out, 'd.gif'), '--add-face', '100:60:110:120', '--ages', '30,60', '--data-dir', path.join(out, 'data'), '--json'], env);
    expect(drawn.code, `${JSON.stringify(drawn.last)} ${drawn.stderr}`).toBe(0);
    const warnings = drawn.lines.filter((l) => l.type === 'warning').map((l) => String(l.message));
    expect(warnings.some((w) => /face 0: no face was found in the drawn box/.test(w))).toBe(true);
    expect(fs.existsSync(path.join(out, 'd.gif'))).toBe(true);
  });
});
