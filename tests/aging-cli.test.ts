import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { copyStudioFixture } from './helpers/studio-fixture.js';
import { writeTinyGraphModel } from './helpers/tiny-graph-model.js';
import { agePhoto } from '../ml/aging/age-photo.js';
import { chooseModel, loadAgingModel } from '../ml/aging/model.js';
import { maskInPhoto } from '../ml/aging/paste-back.js';
import { loadPhoto } from '../ml/prep/photo.js';
import { visionHostForSuite } from './helpers/vision-host.js';
import { collectFrames } from './helpers/collect-frames.js';

const PHOTO_A = path.join(FGNET_DIR, 'images/006A40.JPG');
const PHOTO_B = path.join(FGNET_DIR, 'images/005A30.JPG');

async function rgb(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Bounding box of the pixels where frame k of a strip differs from the photo. */
function changedBox(strip: { data: Buffer; width: number }, photo: { data: Buffer; width: number; height: number }, k: number) {
  let x0 = Infinity;
  let x1 = -Infinity;
  let n = 0;
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const p = (y * photo.width + x) * 3;
      const s = (y * strip.width + k * photo.width + x) * 3;
      if (photo.data[p] !== strip.data[s] || photo.data[p + 1] !== strip.data[s + 1] || photo.data[p + 2] !== strip.data[s + 2]) {
        n++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
      }
    }
  }
  return { x0, x1, n };
}

describe("chronoface age (the suite fixture's tiny model)", () => {
  const host = visionHostForSuite();
  let dataDir = '';
  let cleanup = (): void => undefined;
  afterAll(() => {
    cleanup();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });
  let out = '';
  let twoFaces = '';
  let noFace = '';

  beforeAll(async () => {
    ({ dataDir, cleanup } = copyStudioFixture('aging-cli'));
    out = tempDir('age-out');
    twoFaces = path.join(out, 'two.png');
    const a = await sharp(PHOTO_A).resize({ height: 400 }).png().toBuffer();
    const b = await sharp(PHOTO_B).resize({ height: 400 }).png().toBuffer();
    const wa = (await sharp(a).metadata()).width!;
    const wb = (await sharp(b).metadata()).width!;
    await sharp({ create: { width: wa + wb + 40, height: 400, channels: 3, background: '#808080' } })
      .composite([{ input: a, left: 0, top: 0 }, { input: b, left: wa + 40, top: 0 }])
      .png()
      .toFile(twoFaces);
    noFace = path.join(out, 'noface.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6a8fb0' } }).png().toFile(noFace);
  }, 900_000);

  it('ages an FG-NET photo into a looping GIF with the requested frames at the photo size; clamps with a warning', async () => {
    const gif = path.join(out, 'a.gif');
    const strip = path.join(out, 'a.png');
    const r = await runCli(['age', PHOTO_A, '--out', gif, '--strip', strip, '--ages', '0,20,40,60,130', '--data-dir', dataDir, '--json']);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    const photo = await rgb(PHOTO_A);
    expect(r.last).toMatchObject({ gif, strip, frames: 5, face: 0, sourceAgeEstimated: true, width: photo.width, height: photo.height });
    expect(typeof r.last.sourceAge).toBe('number');
    expect(typeof r.last.ms).toBe('number');
    const range = (r.last.model as { ageRange: { min: number; max: number } }).ageRange;
    expect(r.last.ages).toEqual([0, 20, 40, 60, 130].map((a) => Math.min(range.max, Math.max(range.min, a))));
    const warning = r.lines.find((l) => l.type === 'warning');
    expect(String(warning?.message)).toMatch(/clamped: .*130 -> \d+/);
    const meta = await sharp(gif, { animated: true }).metadata();
    expect(meta.format).toBe('gif');
    expect(meta.pages).toBe(2 * 5 - 2); // ping-pong
    expect(meta.loop).toBe(0);
    expect([meta.width, meta.pageHeight]).toEqual([photo.width, photo.height]);
    const s = await rgb(strip);
    expect([s.width, s.height]).toEqual([photo.width * 5, photo.height]);
    // Whatever changed lies on the face: inside its detected box, widened by half its size.
    const [bx, , bw] = r.last.box as number[];
    for (let k = 0; k < 5; k++) {
      const changed = changedBox(s, photo, k);
      if (changed.n === 0) continue;
      expect(changed.x0).toBeGreaterThanOrEqual(bx! - bw! / 2);
      expect(changed.x1).toBeLessThanOrEqual(bx! + 1.5 * bw!);
    }
  });

  it('--source-age and --gender are used as given', async () => {
    const r = await runCli(['age', PHOTO_A, '--out', path.join(out, 'g.gif'), '--ages', '30,50', '--source-age', '40', '--gender', 'male', '--data-dir', dataDir, '--json']);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    expect(r.last).toMatchObject({ sourceAge: 40, sourceAgeEstimated: false, gender: 'male', genderEstimated: false, frames: 2 });
  });

  it('--lightness ages with those settings over the model\'s; a bad key is an error naming it', async () => {
    const run = (spec: string, name: string): ReturnType<typeof runCli> =>
      runCli(['age', PHOTO_A, '--out', path.join(out, `${name}.gif`), '--strip', path.join(out, `${name}.png`), '--ages', '70', '--source-age', '30', '--gender', 'male', '--lightness', spec, '--data-dir', dataDir, '--json']);
    const [blend, light] = [await run('off', 'l-off'), await run('decoderOlder=5,prototypeAdult=5,linesOlder=3', 'l-on')];
    expect(blend.code, `${JSON.stringify(blend.last)} ${blend.stderr}`).toBe(0);
    expect(light.code, `${JSON.stringify(light.last)} ${light.stderr}`).toBe(0);
    const [a, b] = [await rgb(path.join(out, 'l-off.png')), await rgb(path.join(out, 'l-on.png'))];
    let differ = 0;
    for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i]! - b.data[i]!) > 2) differ++;
    expect(differ).toBeGreaterThan(100);
    const bad = await run('decoderOlder=3,nope=1', 'l-bad');
    expect(bad.code).not.toBe(0);
    expect(String(bad.last.error)).toMatch(/--lightness: expected off or key=value pairs .* got "nope=1"/);
    expect(fs.existsSync(path.join(out, 'l-bad.gif'))).toBe(false);
  });

  it('a photo without a face gives a clear error', async () => {
    const r = await runCli(['age', noFace, '--out', path.join(out, 'n.gif'), '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(1);
    expect(String(r.last.error)).toBe('no face found in noface.png');
    expect(fs.existsSync(path.join(out, 'n.gif'))).toBe(false);
  });

  it('--face picks each face of a two-person photo in turn', async () => {
    const img = await rgb(twoFaces);
    const mid = img.width / 2;
    const centres: number[] = [];
    for (const face of [0, 1]) {
      const strip = path.join(out, `two-${face}.png`);
      const r = await runCli(['age', twoFaces, '--face', String(face), '--out', path.join(out, `two-${face}.gif`), '--strip', strip, '--ages', '20,70', '--data-dir', dataDir, '--json']);
      expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
      expect(r.last).toMatchObject({ face, faces: 2, frames: 2 });
      const [bx, , bw] = r.last.box as number[];
      centres.push(bx! + bw! / 2);
      // Nothing changed on the other person's side.
      for (let k = 0; k < 2; k++) {
        const changed = changedBox(await rgb(strip), img, k);
        if (changed.n === 0) continue;
        if (face === 0) expect(changed.x1).toBeLessThan(mid);
        else expect(changed.x0).toBeGreaterThan(mid);
      }
    }
    expect(centres[0]!).toBeLessThan(mid);
    expect(centres[1]!).toBeGreaterThan(mid);
    const bad = await runCli(['age', twoFaces, '--face', '2', '--out', path.join(out, 'x.gif'), '--data-dir', dataDir, '--json']);
    expect(bad.code).toBe(1);
    expect(String(bad.last.error)).toMatch(/face 2 does not exist: the photo has 2 faces/);
  });

  it('a folder run ages every face, goes on past a photo without a face, and writes a contact sheet', async () => {
    const dir = path.join(out, 'team');
    fs.mkdirSync(dir);
    fs.copyFileSync(noFace, path.join(dir, 'a-noface.png'));
    fs.copyFileSync(twoFaces, path.join(dir, 'b-two.png'));
    fs.symlinkSync(PHOTO_B, path.join(dir, 'c-one.jpg'));
    const outDir = path.join(out, 'team-out');
    const r = await runCli(['age', dir, '--out-dir', outDir, '--ages', '20,40,60', '--data-dir', dataDir, '--json']);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    const perPhoto = r.lines.filter((l) => typeof l.photo === 'string');
    expect(perPhoto.map((l) => path.basename(String(l.photo)))).toEqual(['a-noface.png', 'b-two.png', 'c-one.jpg']);
    expect(perPhoto[0]!.error).toBe('no face found in a-noface.png');
    const two = perPhoto[1]!.faces as { gif: string; strip: string; ages: number[]; sourceAge: number; sourceAgeEstimated: boolean }[];
    expect(two.map((f) => path.basename(f.gif))).toEqual(['b-two-0.gif', 'b-two-1.gif']);
    const one = perPhoto[2]!.faces as { gif: string; strip: string }[];
    expect(one.map((f) => path.basename(f.gif))).toEqual(['c-one.gif']);
    expect(path.basename(one[0]!.strip)).toBe('c-one.png');
    const photo = await rgb(PHOTO_B);
    const stripMeta = await sharp(one[0]!.strip).metadata();
    expect([stripMeta.width, stripMeta.height]).toEqual([photo.width * 3, photo.height]);
    expect(r.last).toMatchObject({ photos: 3, failed: 1, faces: 3 });
    const sheet = await sharp(String(r.last.contactSheet)).metadata();
    expect(sheet.format).toBe('png');
    expect(sheet.height).toBeGreaterThanOrEqual(3 * 128);
  });
  it('chronoface eval gives reconstruction, MIG, aging and identity figures per age bin and a self-contained HTML report', async () => {
    const html = path.join(out, 'report.html');
    // A stand-in for FaceRes that reads every face as 42: its figures are then known exactly.
    const checkDir = path.join(out, 'check-models');
    fs.mkdirSync(checkDir, { recursive: true });
    writeTinyGraphModel(checkDir, 'faceres.json', 224, [{ width: 100, w: [0, 1, 2].map(() => new Array<number>(100).fill(0)), b: Array.from({ length: 100 }, (_, i) => (i === 42 ? 30 : 0)), act: 'softmax' }]);
    const r = await runCli(['eval', '--split', 'test', '--limit', '4', '--ages', '20,60', '--html', html, '--check-models', checkDir, '--data-dir', dataDir, '--json']);
    expect(r.code, `${JSON.stringify(r.last)} ${r.stderr}`).toBe(0);
    const rep = r.last as Record<string, any>;
    expect(rep.faces).toBe(4);
    expect(rep.targets).toEqual([20, 60]);
    expect(rep.reconstruction.mse).toBeGreaterThan(0);
    expect(rep.reconstruction.mse).toBeLessThan(0.2);
    expect(rep.reconstruction.psnr).toBeCloseTo(10 * Math.log10(1 / rep.reconstruction.mse), 0);
    expect(rep.reconstruction.ssim).toBeGreaterThan(-1);
    expect(rep.reconstruction.ssim).toBeLessThan(1);
    expect(rep.mig.age).toBeGreaterThanOrEqual(0);
    expect(rep.mig.age).toBeLessThanOrEqual(1);
    for (const way of ['photo', 'decode']) {
      expect(rep.aging[way].faces).toBe(4);
      expect(Number.isFinite(rep.aging[way].slope)).toBe(true);
      expect(rep.aging[way].samePerson).toBeGreaterThanOrEqual(0);
      expect(rep.aging[way].byTarget.map((t: { target: number }) => t.target)).toEqual([20, 60]);
      expect(Number.isFinite(rep.aging[way].meanSlope)).toBe(true);
    }
    // The colour figure of each photo output against its input (mean |a*|+|b*| change, CIELAB): aged faces change a little.
    for (const t of rep.aging.photo.byTarget) {
      expect(t.colour).toBeGreaterThan(0);
      expect(t.colour).toBeLessThan(20);
      // Against the input moved by the same shape warp: only the texture change's own colour, which is small.
      expect(t.colourAligned).toBeGreaterThan(0);
      expect(t.colourAligned).toBeLessThan(20);
      // The patch figure: a share of the face, in %.
      expect(t.patch).toBeGreaterThanOrEqual(0);
      expect(t.patch).toBeLessThan(100);
    }
    expect(rep.byGroup.map((g: { bin: string }) => g.bin)).toEqual(['children 0-9', 'adults 20-69']);
    expect(rep.estimator.ageMae).toBeGreaterThan(0);
    expect(rep.check).toHaveLength(1);
    const check = rep.check[0];
    expect(check.name).toBe('faceres');
    for (const way of ['photo', 'decode']) {
      expect(check[way].faces).toBe(4);
      expect(check[way].slope).toBeCloseTo(0, 6);
      expect(check[way].mae).toBeCloseTo(20, 3);
      expect(check[way].byTarget.map((t: { meanEstimated: number }) => t.meanEstimated)).toEqual([expect.closeTo(42, 3), expect.closeTo(42, 3)]);
    }
    expect(rep.byBin.reduce((s: number, b: { faces: number }) => s + b.faces, 0)).toBe(4);
    const text = fs.readFileSync(html, 'utf8');
    expect(text).toContain('<svg');
    expect(text).toContain('ages read by faceres (independent check');
    expect(text).toContain("the decoder's own output, read by faceres");
    expect(text).toContain('data:image/png;base64,');
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('in process, with strong age-shift vectors and the shape kept: the face changes, and every pixel outside the face mask is unchanged', async () => {
    const model = await loadAgingModel(chooseModel(dataDir));
    try {
      const latent = model.cvae.config.latentDim;
      // Bin means far apart, so that decodes at 20 and 70 differ visibly even for a one-epoch model.
      const bins = model.sidecar.ageBins.map((b, i) => ({ ...b, count: 1, mu: new Array<number>(latent).fill((i - 4) * 1.5) }));
      const strong = { ...model, sidecar: { ...model.sidecar, ageBins: bins } };
      const out = collectFrames();
      const aged = await agePhoto(host, strong, PHOTO_A, { ages: [20, 70], sourceAge: 40, gender: 'male', shape: false }, out.sinks);
      const photo = await loadPhoto(PHOTO_A);
      const face = aged.faces[0]!;
      expect(out.frames[0]).toHaveLength(2);
      const inPhoto = maskInPhoto(face.prepared.faceMask, face.prepared.size, face.prepared.transform, photo.width, photo.height);
      for (const frame of out.frames[0]!) {
        expect([frame.width, frame.height]).toEqual([photo.width, photo.height]);
        let outsideChanged = 0;
        let insideChanged = 0;
        let outside = 0;
        for (let p = 0; p < inPhoto.length; p++) {
          const same = frame.data[p * 3] === photo.data[p * 3] && frame.data[p * 3 + 1] === photo.data[p * 3 + 1] && frame.data[p * 3 + 2] === photo.data[p * 3 + 2];
          if (inPhoto[p] === 0) {
            outside++;
            if (!same) outsideChanged++;
          } else if (!same) insideChanged++;
        }
        expect(outsideChanged).toBe(0);
        expect(outside).toBeGreaterThan(inPhoto.length * 0.5);
        expect(insideChanged).toBeGreaterThan(1000);
      }
    } finally {
      model.cvae.dispose();
    }
  });
});
