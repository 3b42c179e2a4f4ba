import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Affine, Point } from '../ml/prep/geometry.js';
import { CAST_MAX, greyHair, greyShareAt, hairPixels, hairPlan, hairShare, photoCast } from '../ml/aging/hair-grey.js';
import { photoFrames } from '../ml/aging/age-face.js';
import { composeAge, composeFaces, markChanging } from '../ml/aging/team-compose.js';
import { DEFAULT_LIGHTNESS, parseLightness } from '../ml/aging/detail-change.js';
import { teamHair } from '../ml/aging/age-team.js';
import { rgbToLab } from '../ml/aging/lab.js';
import { contextToCrop, type PersonContext } from '../ml/prep/prepare-face.js';
import { alignmentTransform, TEMPLATE_V1 } from '../ml/prep/template.js';
import { feather, fillPolygon } from '../ml/prep/masks.js';
import { FACE_OVAL } from '../ml/prep/landmarks.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { BROW_POINTS, MESH_POINTS } from '../ml/shape/mesh.js';
import { defaultModelDir } from '../ml/aging/model.js';
import { readRgb, type RawImage } from '../ml/estimators/image.js';
import { parsePts } from '../db/importers/fgnet.js';
import { FGNET_DIR } from './helpers/shared-data.js';

const SIZE = 128;
const protos = readPrototypes(defaultModelDir());
if (!protos) throw new Error('the default model has no age prototypes');
/** A real face's 468 mesh points in crop px: the prototypes' mean shape. */
const mesh = (gender: 'male' | 'female', age: number): Point[] => {
  const flat = shapeAt(protos, gender, age);
  return Array.from({ length: MESH_POINTS }, (_, i) => [flat[2 * i]! * (SIZE / protos.size), flat[2 * i + 1]! * (SIZE / protos.size)] as Point);
};
const maskOf = (landmarks: readonly Point[]): Uint8Array => feather(fillPolygon(FACE_OVAL.map((i) => landmarks[i]!), SIZE), SIZE, SIZE / 40);

/** The person confidence over the context window, from a test of photo px. */
function personOf(transform: Affine, isPerson: (x: number, y: number) => boolean, side = 128): PersonContext {
  const toCrop = contextToCrop(SIZE, side);
  const [a, b, c, d, e, f] = transform;
  const det = a * e - b * d;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const u = (x + 0.5) * toCrop[0] + toCrop[2];
      const v = (y + 0.5) * toCrop[4] + toCrop[5];
      // crop px -> photo px (the similarity's inverse)
      const px = (e * (u - c) - b * (v - f)) / det;
      const py = (-d * (u - c) + a * (v - f)) / det;
      data[y * side + x] = isPerson(px, py) ? 255 : 0;
    }
  }
  return { side, data };
}

const lab = (img: RawImage, x: number, y: number): [number, number, number] => {
  const p = (y * img.width + x) * img.channels;
  return rgbToLab(img.data[p]!, img.data[p + 1]!, img.data[p + 2]!);
};
const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

describe('greying curve', () => {
  it('is little before 35, half by the early fifties and most by 70-80, and smooth', () => {
    expect(greyShareAt(30)).toBeLessThan(0.05);
    expect(greyShareAt(35)).toBeLessThan(0.1);
    expect(greyShareAt(52)).toBeCloseTo(0.5, 5);
    expect(greyShareAt(70)).toBeGreaterThan(0.9);
    expect(greyShareAt(80)).toBeGreaterThan(0.97);
    for (let a = 0; a < 110; a++) expect(greyShareAt(a + 1) - greyShareAt(a)).toBeLessThan(0.04);
  });
  it('greys the coloured hair left going older and gives grey hair its colour back going younger', () => {
    expect(hairShare(1, 25, 80)).toBeGreaterThan(0.95);
    expect(hairShare(1, 25, 40)).toBeLessThan(0.2);
    expect(hairShare(1, 50, 60)).toBeGreaterThan(0.4);
    expect(hairShare(0.5, 25, 80)).toBeCloseTo(hairShare(1, 25, 80) / 2, 6);
    expect(hairShare(1, 70, 20)).toBeLessThan(-0.95);
    // A young person's light pixels are not grey hair: nothing to take back.
    expect(hairShare(1, 17, 10)).toBeGreaterThan(-0.02);
    expect(hairShare(0, 25, 80)).toBe(0);
    expect(hairShare(1, 40, 40)).toBe(0);
  });
  it('is an optional, range-checked setting', () => {
    const base = { decoderOlder: 1, decoderChild: 1, decoderYounger: 1, broadYounger: 0, broadChild: 0, fineBlur: 0.03, prototypeChild: 1, prototypeAdult: 1, prototypeYounger: 1, colourChild: 0, linesYounger: 1, linesOlder: 1, linesBlur: 0.03 };
    expect(parseLightness(base, 'sidecar.json')!.hairGrey).toBeUndefined();
    expect(parseLightness({ ...base, hairGrey: 0.7 }, 'sidecar.json')!.hairGrey).toBe(0.7);
    expect(() => parseLightness({ ...base, hairGrey: 1.5 }, 'sidecar.json')).toThrow(/hairGrey must be a number in 0..1, got 1.5/);
  });
});

describe('hair in a team photo', () => {
  it('greys only with the run\'s own lightness settings asking for it, not with the model\'s default', () => {
    expect(teamHair({})).toBe(false);
    expect(teamHair({ lightness: null })).toBe(false);
    expect(teamHair({ lightness: { ...DEFAULT_LIGHTNESS, hairGrey: 0 } })).toBe(false);
    expect(teamHair({ lightness: { ...DEFAULT_LIGHTNESS, hairGrey: 0.8 } })).toBe(true);
  });
});

describe('hair round a synthetic head', () => {
  // A photo of 256 px: a uniform blue-grey background, a warm face (the mesh's oval) and brown hair with strands over
  // and beside it, dark brows; the crop is the photo at half scale.
  const W = 256;
  const transform: Affine = [0.5, 0, 0, 0, 0.5, 0];
  const lm = mesh('female', 30);
  const faceMask = maskOf(lm);
  const photoLm = lm.map(([u, v]) => [u * 2, v * 2] as Point);
  const oval = FACE_OVAL.map((i) => photoLm[i]!);
  const cx = mean(oval.map((p) => p[0]));
  const top = Math.min(...oval.map((p) => p[1]));
  const chin = Math.max(...oval.map((p) => p[1]));
  const halfW = (Math.max(...oval.map((p) => p[0])) - Math.min(...oval.map((p) => p[0]))) / 2;
  const ovalFill = fillPolygon(oval, W);
  const isHead = (x: number, y: number): boolean => (x - cx) ** 2 / (1.3 * halfW) ** 2 + (y - (top + 0.35 * (chin - top))) ** 2 / (0.75 * (chin - top)) ** 2 <= 1 && y < chin;
  const kind = (x: number, y: number): 'face' | 'hair' | 'bg' | 'body' => {
    const xi = Math.round(x), yi = Math.round(y);
    if (xi >= 0 && yi >= 0 && xi < W && yi < W && ovalFill[yi * W + xi]! >= 128) return 'face';
    if (isHead(x, y)) return 'hair';
    return y > chin + 10 && Math.abs(x - cx) < 2 * halfW ? 'body' : 'bg';
  };
  const paint = (hair: (x: number, y: number) => number[], bg = [110, 130, 160]): RawImage => {
    const data = new Uint8Array(W * W * 3);
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const k = kind(x + 0.5, y + 0.5);
        data.set(k === 'face' ? [214, 160, 135] : k === 'hair' ? hair(x, y) : k === 'body' ? [40, 90, 60] : bg, (y * W + x) * 3);
      }
    }
    // Dark brows (the mesh's brow points).
    for (const i of BROW_POINTS.flat()) {
      const [x, y] = photoLm[i]!;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -3; dx <= 3; dx++) data.set([60, 42, 35], ((Math.round(y) + dy) * W + Math.round(x) + dx) * 3);
    }
    return { data, width: W, height: W, channels: 3 };
  };
  // Brown strands: lighter and darker stripes 3 px wide, a shadow band at the top.
  const brown = (x: number, y: number): number[] => {
    const k = (Math.floor(x / 3) % 2 === 0 ? 1.15 : 0.85) * (y < top - 18 ? 0.4 : 1);
    return [Math.round(95 * k), Math.round(62 * k), Math.round(40 * k)];
  };
  const person = personOf(transform, (x, y) => kind(x, y) !== 'bg');
  const pixels = (img: RawImage, want: string): [number, number][] => {
    const out: [number, number][] = [];
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) if (kind(x + 0.5, y + 0.5) === want) out.push([x, y]);
    return out;
  };

  it('greys the hair going older, keeping its strands and shadows, and leaves the face, body and background alone', async () => {
    const photo = paint(brown);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    expect(plan).not.toBeNull();
    const out: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(out, plan!, transform, hairShare(1, 25, 80));
    // Hair well inside the head region (off its feathered edges): over the face and beside it down to the eyes (below
    // them, the jaw's shadow next to the oval is left alone).
    const eyeY = 2 * TEMPLATE_V1[0]![1] * SIZE;
    const hair = pixels(photo, 'hair').filter(([x, y]) => y > top - 14 && y < eyeY && Math.abs(x - cx) < 1.2 * halfW);
    expect(hair.length).toBeGreaterThan(300);
    const before = hair.map(([x, y]) => lab(photo, x, y));
    const after = hair.map(([x, y]) => lab(out, x, y));
    const chroma = (l: number[][]): number => mean(l.map(([, a, b]) => Math.hypot(a!, b!)));
    expect(chroma(after)).toBeLessThan(0.4 * chroma(before));
    expect(mean(after.map((l) => l[0]!)) - mean(before.map((l) => l[0]!))).toBeGreaterThan(20);
    // The strands over the crown: neighbouring stripes still differ by at least 60 % of what they did.
    const stripe = (img: RawImage, x0: number, y: number): number => lab(img, x0 + 1, y)[0] - lab(img, x0 + 4, y)[0];
    const crown = hair.filter(([x, y]) => x % 6 === 0 && y > top - 12 && y < top - 4 && Math.abs(x - cx) < 0.5 * halfW);
    expect(crown.length).toBeGreaterThan(10);
    for (const [sx, sy] of crown) expect(Math.abs(stripe(out, sx, sy))).toBeGreaterThan(0.6 * Math.abs(stripe(photo, sx, sy)));
    // The shadow band over the crown stays darker than the lit hair below it.
    const shadow = pixels(photo, 'hair').filter(([x, y]) => y < top - 18 && y > top - 30 && Math.abs(x - cx) < 0.5 * halfW).map(([x, y]) => lab(out, x, y)[0]);
    const lit = pixels(photo, 'hair').filter(([x, y]) => y < top - 4 && y > top - 16 && Math.abs(x - cx) < 0.5 * halfW).map(([x, y]) => lab(out, x, y)[0]);
    expect(shadow.length).toBeGreaterThan(20);
    expect(mean(shadow)).toBeLessThan(mean(lit) - 5);
    // Face, body (a dark green shirt under the chin) and background: not one byte changed; the brows' tails, which
    // the synthetic mesh puts on the oval's edge, by at most 2 levels of R, G or B.
    for (const k of ['face', 'bg', 'body']) {
      const diff = pixels(photo, k).map(([x, y]) => Math.max(...[0, 1, 2].map((c) => Math.abs(out.data[(y * W + x) * 3 + c]! - photo.data[(y * W + x) * 3 + c]!))));
      const skinOnly = pixels(photo, k).filter(([x, y]) => photo.data[(y * W + x) * 3] !== 60);
      expect(skinOnly.filter(([x, y]) => [0, 1, 2].some((c) => out.data[(y * W + x) * 3 + c] !== photo.data[(y * W + x) * 3 + c])).length, k).toBe(0);
      expect(Math.max(...diff), k).toBeLessThanOrEqual(2);
    }
  });

  it('greys toward the photo\'s warm cast, read in its background: no cyan-grey cap in a warm scan', async () => {
    // A warm scan: the backdrop, a neutral grey wall, comes out pink-orange; so would grey hair.
    const warmBg = [196, 160, 142];
    const photo = paint(brown, warmBg);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    expect(plan).not.toBeNull();
    const [, wa, wb] = rgbToLab(warmBg[0]!, warmBg[1]!, warmBg[2]!);
    const k = Math.min(1, CAST_MAX / Math.hypot(wa, wb));
    expect(plan!.cast[0]).toBeCloseTo(wa * k, 1);
    expect(plan!.cast[1]).toBeCloseTo(wb * k, 1);
    const out: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(out, plan!, transform, hairShare(1, 25, 80));
    const eyeY = 2 * TEMPLATE_V1[0]![1] * SIZE;
    const hair = pixels(photo, 'hair').filter(([x, y]) => y > top - 14 && y < eyeY && Math.abs(x - cx) < 1.2 * halfW).map(([x, y]) => lab(out, x, y));
    // The greyed hair leans the backdrop's way (warm: a* and b* over 3 and within 4 of the cast), not to a neutral grey.
    expect(mean(hair.map((l) => l[1]!))).toBeGreaterThan(3);
    expect(mean(hair.map((l) => l[2]!))).toBeGreaterThan(3);
    expect(Math.abs(mean(hair.map((l) => l[1]!)) - plan!.cast[0])).toBeLessThan(4);
    // The blue-grey backdrop of the other tests lends no cast.
    const cool = await hairPlan(paint(brown), transform, lm, faceMask, SIZE, person);
    expect(Math.hypot(cool!.cast[0], cool!.cast[1])).toBeLessThan(0.5);
  });

  it('takes a cast only from enough background, warm, and at most CAST_MAX in chroma', () => {
    const frame = (a: number, b: number, share: number): [Float32Array, Float32Array] => {
      const n = 100;
      const lab = new Float32Array(n * 3);
      const bg = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        lab.set([60, a, b], i * 3);
        bg[i] = i < share * n ? 1 : 0;
      }
      return [lab, bg];
    };
    expect(photoCast(...frame(6, 9, 0.5))).toEqual([6, 9]);
    expect(photoCast(...frame(-4, -20, 0.5))).toEqual([0, 0]);
    const red = photoCast(...frame(40, 30, 0.5));
    expect(Math.hypot(red[0], red[1])).toBeCloseTo(CAST_MAX, 5);
    expect(photoCast(...frame(6, 9, 0.02))).toEqual([0, 0]);
  });

  it('greys the hair at the hairline as the rest, up to the forehead: no dark band left between', async () => {
    const photo = paint(brown);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    const out: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(out, plan!, transform, hairShare(1, 25, 80));
    // Hair over the forehead: the hairline's last 3 px over the face, and the hair 10-16 px above the face.
    const isFace = (x: number, y: number): boolean => y < W && ovalFill[y * W + x]! >= 128;
    const rise = (near: (x: number, y: number) => boolean): number => {
      const band = pixels(photo, 'hair').filter(([x, y]) => Math.abs(x - cx) < 0.5 * halfW && near(x, y));
      expect(band.length).toBeGreaterThan(20);
      return mean(band.map(([x, y]) => lab(out, x, y)[0] - lab(photo, x, y)[0]));
    };
    // The hairline lifts by 30+ levels (the frame's hair map alone, which fades over it, lifted it by 18), at least
    // two thirds of the hair above it.
    const hairline = rise((x, y) => isFace(x, y + 3));
    const above = rise((x, y) => !isFace(x, y + 10) && isFace(x, y + 16));
    expect(hairline).toBeGreaterThan(30);
    expect(hairline).toBeGreaterThan((2 / 3) * above);
  });

  it('gives grey hair a colour back going younger, toward the brows', async () => {
    const grey = (x: number): number[] => (Math.floor(x / 3) % 2 === 0 ? [196, 194, 190] : [170, 168, 165]);
    const photo = paint(grey);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    expect(plan).not.toBeNull();
    const out: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(out, plan!, transform, hairShare(1, 70, 20));
    const hair = pixels(photo, 'hair').filter(([x, y]) => y > top - 14 && y < top + 0.5 * (chin - top) && Math.abs(x - cx) < 1.2 * halfW);
    const after = hair.map(([x, y]) => lab(out, x, y));
    const before = hair.map(([x, y]) => lab(photo, x, y));
    expect(mean(after.map((l) => l[0]!))).toBeLessThan(mean(before.map((l) => l[0]!)) - 30);
    // The brows' hue: warm (b* > 0 and a* > 0), not grey.
    expect(mean(after.map((l) => l[2]!))).toBeGreaterThan(4);
    expect(mean(after.map((l) => l[1]!))).toBeGreaterThan(2);
    // The face's skin: not one byte; the brows' tails on the oval's edge by at most 2 levels.
    const face = pixels(photo, 'face');
    expect(face.filter(([x, y]) => photo.data[(y * W + x) * 3] !== 60 && out.data[(y * W + x) * 3] !== photo.data[(y * W + x) * 3]).length).toBe(0);
    expect(Math.max(...face.map(([x, y]) => Math.max(...[0, 1, 2].map((c) => Math.abs(out.data[(y * W + x) * 3 + c]! - photo.data[(y * W + x) * 3 + c]!)))))).toBeLessThanOrEqual(2);
  });

  it('leaves a saturated hat and a bald head alone', async () => {
    const hat = paint(() => [40, 70, 200]);
    const hatPlan = await hairPlan(hat, transform, lm, faceMask, SIZE, person);
    if (hatPlan) {
      const out: RawImage = { ...hat, data: new Uint8Array(hat.data) };
      greyHair(out, hatPlan, transform, hairShare(1, 25, 80));
      expect(Buffer.compare(Buffer.from(out.data), Buffer.from(hat.data))).toBe(0);
    }
    const bald = await hairPlan(paint(() => [214, 160, 135]), transform, lm, faceMask, SIZE, person);
    expect(bald).toBeNull();
  });

  it('greys the same hair in a team photo\'s frame as alone (its own paste, the region grown to the hair)', async () => {
    const photo = paint(brown);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    const share = hairShare(1, 25, 80);
    const face = { crop: new Uint8Array(SIZE * SIZE * 3), size: SIZE, transform, faceMask, hair: plan };
    const alone = photoFrames(photo, face, { deltas: [new Float32Array(SIZE * SIZE * 3)], fields: [null], hairShares: [share] })[0]!;
    const input = { crop: face.crop, size: SIZE, transform, mask: faceMask, deltas: [new Float32Array(SIZE * SIZE * 3)], fields: [null], hair: plan, hairShares: [share] };
    const composed = composeFaces([input], W, W);
    const frame: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    composeAge(photo, frame, composed, 0, markChanging(photo, composed, new Uint8Array(W * W)));
    expect(Buffer.compare(Buffer.from(frame.data), Buffer.from(alone.data))).toBe(0);
    expect(Buffer.compare(Buffer.from(frame.data), Buffer.from(photo.data))).not.toBe(0);
  });

  it('weighs the hair once per face: every frame reuses the weights, and a pixel the face\'s paste changed is weighed again', async () => {
    const photo = paint(brown);
    const plan = (await hairPlan(photo, transform, lm, faceMask, SIZE, person))!;
    const share = hairShare(1, 25, 80);
    // A frame as the face's paste leaves it: a band of hair 3 levels lighter (a shade: the weights as weighed), and a
    // band of skin the warp moved over the hair beside the face (weighed again: skin, left alone).
    const hairPx = pixels(photo, 'hair').filter(([, y]) => y > top - 14 && y < top - 4);
    const shade = hairPx.filter(([x]) => x < cx);
    const skin = hairPx.filter(([x]) => x >= cx);
    const pasted: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    for (const [x, y] of shade) for (let c = 0; c < 3; c++) pasted.data[(y * W + x) * 3 + c] += 3;
    for (const [x, y] of skin) pasted.data.set([214, 160, 135], (y * W + x) * 3);
    const fast: RawImage = { ...pasted, data: new Uint8Array(pasted.data) };
    greyHair(fast, plan, transform, share, photo);
    const weighed = hairPixels(photo, plan, transform)!;
    expect(weighed.index.length).toBeGreaterThan(1000);
    // With no bytes to keep weights in (a team photo's many faces past HAIR_KEPT_BYTES), the frame is weighed band by
    // band each time: the same bytes.
    const banded: RawImage = { ...pasted, data: new Uint8Array(pasted.data) };
    const other = (await hairPlan(photo, transform, lm, faceMask, SIZE, person))!;
    expect(hairPixels(photo, other, transform, 0)).toBeNull();
    greyHair(banded, other, transform, share, photo, 0);
    expect(Buffer.compare(Buffer.from(banded.data), Buffer.from(fast.data))).toBe(0);
    // The next frame (another age) finds the same weights.
    greyHair({ ...pasted, data: new Uint8Array(pasted.data) }, plan, transform, hairShare(1, 25, 60), photo);
    expect(hairPixels(photo, plan, transform)).toBe(weighed);
    // Against weighing the pasted frame afresh (a new plan, its pixels weighed in the frame itself):
    const fresh: RawImage = { ...pasted, data: new Uint8Array(pasted.data) };
    greyHair(fresh, (await hairPlan(photo, transform, lm, faceMask, SIZE, person))!, transform, share);
    const diff = (x: number, y: number): number => Math.max(...[0, 1, 2].map((c) => Math.abs(fast.data[(y * W + x) * 3 + c]! - fresh.data[(y * W + x) * 3 + c]!)));
    // every pixel the paste left alone is the same byte for byte, the moved skin stays skin in both.
    const touched = new Set([...shade, ...skin].map(([x, y]) => y * W + x));
    let same = 0;
    for (let i = 0; i < W * W; i++) if (!touched.has(i) && diff(i % W, Math.floor(i / W)) === 0) same++;
    expect(same).toBe(W * W - touched.size);
    for (const [x, y] of skin) expect([0, 1, 2].map((c) => fast.data[(y * W + x) * 3 + c])).toEqual([214, 160, 135]);
    // The shade takes the weights as weighed in the photo: on the whole as weighing it afresh (where its colour lies
    // on the edge's ramp, a weight differs a little).
    expect(mean(shade.map(([x, y]) => diff(x, y)))).toBeLessThanOrEqual(3);
    // and the shaded band greyed as the rest: lighter by 20+ levels than the photo.
    expect(mean(shade.map(([x, y]) => lab(fast, x, y)[0] - lab(photo, x, y)[0]))).toBeGreaterThan(20);
  });

  it('needs a person mask and the mesh', async () => {
    const photo = paint(brown);
    expect(await hairPlan(photo, transform, lm, faceMask, SIZE, null)).toBeNull();
    expect(await hairPlan(photo, transform, null, faceMask, SIZE, person)).toBeNull();
  });
});

describe('hair on a real photo (FG-NET 005A45, hand-placed points)', () => {
  const dir = FGNET_DIR;
  it('greys her dark hair at 80 and keeps her face', async () => {
    const photo = await readRgb(path.join(dir, 'images', '005A45.JPG'));
    const pts = parsePts(fs.readFileSync(path.join(dir, 'points', '005a45.pts'), 'utf8'));
    const centre = (ids: number[]): Point => [mean(ids.map((i) => pts[i]![0])), mean(ids.map((i) => pts[i]![1]))];
    const keypoints = { leftEye: centre([36, 37, 38, 39, 40, 41]), rightEye: centre([42, 43, 44, 45, 46, 47]), nose: pts[30]!, mouthLeft: pts[48]!, mouthRight: pts[54]! };
    const transform = alignmentTransform(keypoints, SIZE);
    const lm = mesh('female', 45);
    const faceMask = maskOf(lm);
    // No segmenter here: the person is everything inside the photo but its outer tenth (the backdrop).
    const person = personOf(transform, (x, y) => x > 0.1 * photo.width && x < 0.9 * photo.width && y > 0.02 * photo.height && y < photo.height);
    const plan = await hairPlan(photo, transform, lm, faceMask, SIZE, person);
    expect(plan).not.toBeNull();
    expect(plan!.hair[0]).toBeLessThan(35); // dark hair
    const out: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(out, plan!, transform, hairShare(1, 45, 80));
    // Weighed band by band (no bytes to keep the weights in; her hair's box spans more than one band of rows): the same bytes.
    const other = (await hairPlan(photo, transform, lm, faceMask, SIZE, person))!;
    const banded: RawImage = { ...photo, data: new Uint8Array(photo.data) };
    greyHair(banded, other, transform, hairShare(1, 45, 80), banded, 0);
    expect(photo.height).toBeGreaterThan(256);
    expect(Buffer.compare(Buffer.from(banded.data), Buffer.from(out.data))).toBe(0);
    // The hair over her forehead: the crown above the oval's top, within the face's width (photo px).
    const ovalTop = Math.min(...FACE_OVAL.map((i) => lm[i]![1]));
    const browTop = Math.min(...BROW_POINTS.flat().map((i) => lm[i]![1]));
    let lifted = 0, total = 0, faceChanged = 0, faceTotal = 0;
    for (let y = 0; y < photo.height; y++) {
      for (let x = 0; x < photo.width; x++) {
        const u = transform[0] * x + transform[1] * y + transform[2];
        const v = transform[3] * x + transform[4] * y + transform[5];
        const p = (y * photo.width + x) * 3;
        if (u > 0.35 * SIZE && u < 0.65 * SIZE && v > ovalTop - 0.12 * SIZE && v < ovalTop - 0.03 * SIZE) {
          total++;
          if (lab(out, x, y)[0] - lab(photo, x, y)[0] > 10) lifted++;
        }
        const iu = Math.floor(u), iv = Math.floor(v);
        // Her face below the brows, off its sides (the mean mesh's oval may lie over her real hairline and temples).
        if (iu >= 0 && iv >= 0 && iu < SIZE && iv < SIZE && faceMask[iv * SIZE + iu]! === 255 && v > browTop && u > 0.3 * SIZE && u < 0.7 * SIZE) {
          faceTotal++;
          // Her skin (lighter than her dark hair, which reaches over the mean oval at the temples) is never touched.
          const changed = out.data[p] !== photo.data[p] || out.data[p + 1] !== photo.data[p + 1] || out.data[p + 2] !== photo.data[p + 2];
          if (changed && lab(photo, x, y)[0] > 40) faceChanged++;
        }
      }
    }
    expect(total).toBeGreaterThan(200);
    expect(lifted / total).toBeGreaterThan(0.6);
    expect(faceTotal).toBeGreaterThan(1000);
    expect(faceChanged).toBe(0);
  });
});
