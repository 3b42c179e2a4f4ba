import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { cropChroma, lightnessFromSpec, lightnessWeights, liftedChroma, parseLightness } from '../ml/aging/detail-change.js';
import { scaleOwnDetail } from '../ml/aging/detail-paste.js';
import { NOSTRIL_POINTS, sharpFeatureZone } from '../ml/aging/feature-zones.js';
import { rgbToLab } from '../ml/aging/lab.js';
import { BROW_POINTS, EYE_POINTS, LIP_POINTS } from '../ml/shape/mesh.js';

/** A 160-px photo; the 40-px crop covers all of it (crop px = photo px / 4). */
const W = 160;
const size = 40;
const transform: [number, number, number, number, number, number] = [0.25, 0, 0, 0, 0.25, 0];
const SKIN = [200, 150, 120] as const;
const EYE = { x: 60, y: 80, r: 16 };
const SPOT = { x: 112, y: 112, r: 5 };

/** Even warm skin with a dark eye (a disk of 40, 35, 35) and a brown pigmented spot (150, 90, 55). */
function face(): { data: Uint8Array; width: number; height: number; channels: number } {
  const data = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const eye = (x - EYE.x) ** 2 + (y - EYE.y) ** 2 <= EYE.r ** 2;
      const spot = (x - SPOT.x) ** 2 + (y - SPOT.y) ** 2 <= SPOT.r ** 2;
      data.set(eye ? [40, 35, 35] : spot ? [150, 90, 55] : SKIN, (y * W + x) * 3);
    }
  }
  return { data, width: W, height: W, channels: 3 };
}

/** The smoothing's gain: -0.9 on the skin, 0 on the eye and a ring of 4 photo px round it (as the skin map leaves it). */
function gains(): Float32Array {
  const g = new Float32Array(size * size).fill(-0.9);
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) if ((4 * (u + 0.5) - EYE.x) ** 2 + (4 * (v + 0.5) - EYE.y) ** 2 <= (EYE.r + 4) ** 2) g[v * size + u] = 0;
  return g;
}

const rgb = (img: { data: Uint8Array }, x: number, y: number): number[] => [...img.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
const luma = (p: number[]): number => 0.299 * p[0]! + 0.587 * p[1]! + 0.114 * p[2]!;
/** CIELAB a*, b* distance of a pixel from the skin's colour. */
const chromaOff = (p: number[]): number => {
  const [, a, b] = rgbToLab(p[0]!, p[1]!, p[2]!);
  const [, sa, sb] = rgbToLab(SKIN[0], SKIN[1], SKIN[2]);
  return Math.hypot(a - sa, b - sb);
};

describe('going younger: the skin fades toward its own mean and colour', () => {
  const sigma = 2; // crop px: 8 photo px

  it('a plain blur smudges the skin round a kept eye dark; the skin\'s own mean leaves it as it was', () => {
    const photo = face();
    const plain = scaleOwnDetail(photo, gains(), size, transform, sigma);
    const skinMean = scaleOwnDetail(photo, gains(), size, transform, sigma, { skinMean: 1 });
    // The eye itself is kept either way.
    expect(rgb(plain, EYE.x, EYE.y)).toEqual([40, 35, 35]);
    expect(rgb(skinMean, EYE.x, EYE.y)).toEqual([40, 35, 35]);
    // Skin 26-30 px from the eye's centre (6-10 px past its edge, where the gain is back at -0.9): the plain blur's mean
    // takes in the dark eye, and fading the skin's "detail" against it darkens a ring round the eye.
    let worstPlain = 0;
    let worstMean = 0;
    for (let dx = 26; dx <= 30; dx++) {
      worstPlain = Math.max(worstPlain, luma(SKIN as unknown as number[]) - luma(rgb(plain, EYE.x + dx, EYE.y)));
      worstMean = Math.max(worstMean, Math.abs(luma(SKIN as unknown as number[]) - luma(rgb(skinMean, EYE.x + dx, EYE.y))));
    }
    expect(worstPlain).toBeGreaterThan(4);
    expect(worstMean).toBeLessThan(1.5);
  });

  it('a lifted brown spot keeps its colour cast in lightness alone and takes the skin\'s colour per channel', () => {
    const photo = face();
    const before = chromaOff(rgb(photo, SPOT.x, SPOT.y));
    const lightOnly = scaleOwnDetail(photo, gains(), size, transform, sigma, { skinMean: 1 });
    const colour = scaleOwnDetail(photo, gains(), size, transform, sigma, { skinMean: 1, colour: 1 });
    // Both lift the spot's lightness most of the way to the skin's...
    const skinL = luma(SKIN as unknown as number[]);
    expect(skinL - luma(rgb(photo, SPOT.x, SPOT.y))).toBeGreaterThan(50);
    expect(skinL - luma(rgb(lightOnly, SPOT.x, SPOT.y))).toBeLessThan(25);
    expect(skinL - luma(rgb(colour, SPOT.x, SPOT.y))).toBeLessThan(25);
    // ...but only per channel does its colour go with it: in lightness alone it stays far off the skin's (an orange patch).
    expect(chromaOff(rgb(lightOnly, SPOT.x, SPOT.y))).toBeGreaterThan(0.6 * before);
    expect(chromaOff(rgb(colour, SPOT.x, SPOT.y))).toBeLessThan(0.35 * before);
    // Even skin far from both is untouched.
    expect(rgb(colour, 130, 30)).toEqual([...SKIN]);
  });

  it('a spot lighter than the skin round it keeps its own colour: only what is lifted takes the skin\'s', () => {
    const photo = face();
    // A pale, pinker spot (lighter than the skin) where the brown one was.
    for (let y = SPOT.y - SPOT.r; y <= SPOT.y + SPOT.r; y++) for (let x = SPOT.x - SPOT.r; x <= SPOT.x + SPOT.r; x++) if ((x - SPOT.x) ** 2 + (y - SPOT.y) ** 2 <= SPOT.r ** 2) photo.data.set([235, 160, 150], (y * W + x) * 3);
    const before = chromaOff(rgb(photo, SPOT.x, SPOT.y));
    const lightOnly = scaleOwnDetail(photo, gains(), size, transform, sigma, { skinMean: 1 });
    const colour = scaleOwnDetail(photo, gains(), size, transform, sigma, { skinMean: 1, colour: 1 });
    expect(luma(rgb(colour, SPOT.x, SPOT.y))).toBeLessThan(luma(rgb(photo, SPOT.x, SPOT.y)));
    expect(rgb(colour, SPOT.x, SPOT.y)).toEqual(rgb(lightOnly, SPOT.x, SPOT.y));
    expect(chromaOff(rgb(colour, SPOT.x, SPOT.y))).toBeGreaterThan(0.6 * before);
  });
});

describe('going younger: a lifted fold takes the skin\'s colour', () => {
  it('a dark warm fold lifted to the skin\'s level gets the skin\'s a*, b*; a light pixel or a darkened one keeps its own', () => {
    const n = 48;
    const rgbCrop = new Uint8Array(n * n * 3);
    // Skin (200, 150, 120); a fold 2 px wide at x = 20, 21, darker and redder (150, 80, 50); a light spot at (35, 10).
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) rgbCrop.set(x === 20 || x === 21 ? [150, 80, 50] : x === 35 && y === 10 ? [235, 175, 150] : SKIN, (y * n + x) * 3);
    const crop = { rgb: rgbCrop, chroma: cropChroma(rgbCrop, n * n) };
    // The change lifts the fold by 45 levels, the light spot by 10, and darkens a skin pixel at (5, 5) by 10.
    const delta = new Float32Array(n * n * 3);
    const put = (x: number, y: number, v: number): void => void delta.fill(v, (y * n + x) * 3, (y * n + x) * 3 + 3);
    for (let y = 0; y < n; y++) for (const x of [20, 21]) put(x, y, 45);
    put(35, 10, 10);
    put(5, 5, -10);
    const kept = liftedChroma(crop, delta, n, 0, 4);
    expect(Array.from(kept)).toEqual(Array.from(crop.chroma));
    const moved = liftedChroma(crop, delta, n, 1, 4);
    const [, sa, sb] = rgbToLab(SKIN[0], SKIN[1], SKIN[2]);
    const i = 24 * n + 20;
    const before = Math.hypot(crop.chroma[i * 2]! - sa, crop.chroma[i * 2 + 1]! - sb);
    expect(before).toBeGreaterThan(10);
    // The skin round the fold (blurred with the fold in it) is a little warmer than plain skin: within a third of the gap.
    expect(Math.hypot(moved[i * 2]! - sa, moved[i * 2 + 1]! - sb)).toBeLessThan(0.35 * before);
    for (const j of [10 * n + 35, 5 * n + 5, 30 * n + 40]) {
      expect(moved[j * 2]).toBe(crop.chroma[j * 2]);
      expect(moved[j * 2 + 1]).toBe(crop.chroma[j * 2 + 1]);
    }
  });
});

describe('going younger: the features kept sharp', () => {
  it('the zone is 1 on the eyes, brows, lips and nostrils and falls off within a few spreads', () => {
    const landmarks: Point[] = Array.from({ length: 468 }, () => [-100, -100] as Point);
    const parts = [EYE_POINTS[0]!, BROW_POINTS[0]!, LIP_POINTS, NOSTRIL_POINTS];
    parts.forEach((points, k) => points.forEach((i, j) => (landmarks[i] = [10 + 25 * k + (j % 3), 30 + (j % 4)])));
    const zone = sharpFeatureZone(landmarks, 128, 2);
    for (let k = 0; k < parts.length; k++) expect(zone[31 * 128 + 11 + 25 * k]!).toBeGreaterThan(0.9);
    // Eight spreads below them, nothing.
    expect(zone[(34 + 16) * 128 + 11]!).toBeLessThan(0.01);
  });
});

describe('going younger: settings', () => {
  it('the new keys are optional, range-checked and act going younger only', () => {
    const base = lightnessFromSpec('', null)!;
    expect(parseLightness({ ...base }, 'x')!.youngerColour).toBeUndefined();
    expect(() => parseLightness({ ...base, youngerColour: 1.5 }, 'side.json')).toThrow(/youngerColour must be a number in 0..1/);
    expect(() => parseLightness({ ...base, youngerFeatures: 0.5 }, 'side.json')).toThrow(/youngerFeatures must be a number in 0..0.2/);
    const l = lightnessFromSpec('youngerSmooth=1,youngerSkinMean=1,youngerColour=0.7,youngerFeatures=0.03', null)!;
    const younger = lightnessWeights(l, 70, 20);
    expect(younger.skinMean).toBe(1);
    expect(younger.colourFade).toBe(0.7);
    // Ten years younger, half of it: a face made a little younger keeps most of its own colouring.
    expect(lightnessWeights(l, 70, 60).colourFade).toBeCloseTo(0.35, 6);
    expect(lightnessWeights(lightnessFromSpec('youngerSmooth=1,liftChroma=1', null)!, 70, 65).liftChroma).toBeCloseTo(0.25, 6);
    const older = lightnessWeights(l, 20, 70);
    expect(older.skinMean).toBe(0);
    expect(older.colourFade).toBe(0);
    expect(lightnessWeights(lightnessFromSpec('youngerSmooth=1', null)!, 70, 20).skinMean).toBe(0);
  });
});
