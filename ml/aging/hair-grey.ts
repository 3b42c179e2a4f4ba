/**
 * Hair that greys as a person ages (and grey hair that takes back a colour going younger). The hair lies outside the
 * face mask, so it gets its own region and its own paste: person pixels round the head, above and beside the face
 * oval, whose colour is away from the face's own skin (CIELAB), in the hues hair has.
 */
import type { Affine, Point } from '../prep/geometry.js';
import { composeAffine, invertAffine } from '../prep/geometry.js';
import { warpAffine } from '../prep/warp.js';
import { contextToCrop, type PersonContext } from '../prep/prepare-face.js';
import { blurPlane } from '../prep/masks.js';
import { FACE_OVAL } from '../prep/landmarks.js';
import { BROW_POINTS } from '../shape/mesh.js';
import { TEMPLATE_V1 } from '../prep/template.js';
import { bilinear, bilinearPixel } from '../shape/warp-field.js';
import type { RawImage } from '../estimators/image.js';
import { labToRgb, rgbToLab } from './lab.js';
import { clamp255, cropFootprint, isMonochrome } from './paste-back.js';
import { median } from '../stats.js';

/** Where a face's hair is and what colours it and the skin have: made once per face from the photo. */
export interface HairPlan {
  /** The crop side (the frame is the segmenter's context window, CONTEXT_EXTENT crop sides). */
  readonly size: number;
  readonly side: number;
  /** side x side, 0..1: round the head, on the person, off the face (not yet told from skin by colour). */
  readonly region: Float32Array;
  /** side x side, 0..1: inside the face oval's top, where a pixel's colour must be farther from the skin's. */
  readonly strict: Float32Array;
  /** side x side, 0..1: near the face oval, where the forehead's skin is asked about too. */
  readonly close: Float32Array;
  /** side x side, 0..1: the hair found in the frame (region, colour, background and collar guards), blurred a little. */
  readonly hairMap: Float32Array;
  /** side x side, 0..1: near that hair (its edge, into the oval's rim above the eyes), where a pixel's own colour decides. */
  readonly edge: Float32Array;
  /** side x side, 0..1: the share of that hair that is grey (little chroma, lighter than the tone), blurred as it. */
  readonly greyMap: Float32Array;
  /** side x side: the hair's broad lightness (L*, a blur of its own pixels). */
  readonly base: Float32Array;
  /** side x side: the background's colour near each point (CIELAB) and its share there. */
  readonly bgL: Float32Array;
  readonly bgA: Float32Array;
  readonly bgB: Float32Array;
  readonly bgWeight: Float32Array;
  /** The face's own skin, and the hair's median, CIELAB. */
  readonly skin: readonly [number, number, number];
  readonly hair: readonly [number, number, number];
  /** The forehead's skin under the hairline (CIELAB; lighter and paler than the face's where lit), or null: as the face's. */
  readonly forehead: readonly [number, number, number] | null;
  /** Median L* of the hair pixels that are grey (going younger they are taken to `tone` by it). */
  readonly greyL: number;
  /** The colour grey hair takes back going younger: the brows' (darker half), else a dark brown. */
  readonly tone: readonly [number, number, number];
  /** The lightness grey hair reaches at the full share: a little over the skin's, within 60..82. */
  readonly greyLevel: number;
  /** The a*, b* grey hair takes: the photo's warm cast, read in its background (photoCast); (0, 0) in a neutral photo. */
  readonly cast: readonly [number, number];
  /** A greyscale photo: lightness only, no colour added. */
  readonly mono: boolean;
}

/** The most chroma a photo's cast lends grey hair: a coloured wall behind the head is no cast. */
export const CAST_MAX = 12;

/**
 * The photo's cast, as grey hair would show it: the median a*, b* of the background round the head (`background` 0..1
 * per pixel of the frame, `lab` its CIELAB), warm only (a blue sky or a green wall is a backdrop, not the light) and at
 * most CAST_MAX in chroma; (0, 0) when too little background shows. A neutral grey in a warm scan reads as cyan.
 */
export function photoCast(lab: Float32Array, background: Float32Array): [number, number] {
  const as: number[] = [], bs: number[] = [];
  for (let i = 0; i < background.length; i++) {
    if (background[i]! < 0.5) continue;
    as.push(lab[i * 3 + 1]!);
    bs.push(lab[i * 3 + 2]!);
  }
  if (as.length < 0.05 * background.length) return [0, 0];
  const a = Math.max(0, median(as)), b = Math.max(0, median(bs));
  const k = Math.min(1, CAST_MAX / Math.max(1e-6, Math.hypot(a, b)));
  return [a * k, b * k];
}

/** Share of people's hair that is grey at an age: little before 35, half at 52, most by 70-80 (a logistic). */
export function greyShareAt(age: number): number {
  return 1 / (1 + Math.exp(-(age - 52) / 6.5));
}

/**
 * Share of the hair changed from `source` to `target` years, times `strength`: > 0 greys that share of the coloured
 * hair left (going older), < 0 gives that share of the grey hair its colour back (going younger).
 */
export function hairShare(strength: number, source: number, target: number): number {
  if (strength <= 0 || target === source) return 0;
  const s = greyShareAt(source);
  const t = greyShareAt(target);
  // Going younger, the share is of the grey a person of the source age has, at least half: a young person's light
  // pixels are not grey hair.
  return target > source ? (strength * (t - s)) / (1 - s) : (-strength * (s - t)) / Math.max(s, 0.5);
}

function ramp(v: number, from: number, to: number): number {
  const t = (v - from) / (to - from);
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}

/**
 * Chroma from which a dark colour (L* under 30) off hair's hues (red-orange to yellow) starts to be, and is, a hat, hood
 * or shirt and not hair (10 and 18 from L* 45 up): black hair with a blue cast (the sky, a scan) reaches 18.
 */
const DARK_HAT_CHROMA: readonly [number, number] = [16, 26];

/** Distances from the skin's colour (CIELAB, lightness at 1/2.5) from which a colour starts to be hair, and is hair. */
const HAIR_FROM_SKIN: readonly [number, number] = [7, 15];
/** The same for a single pixel of the photo, inside hair the frame found: only what is plainly skin is left alone. */
const PIXEL_FROM_SKIN: readonly [number, number] = [3, 8];

/**
 * The segmenter's person confidence from which a pixel may be hair, and fully, above the eyes (hair, at the photo's
 * border most, is often under 0.9) and below them (the mask's soft edge there is the shadow between jaw and background).
 */
const PERSON: readonly [number, number] = [0.45, 0.75];
const PERSON_LOWER: readonly [number, number] = [0.6, 0.9];

/** Distances from the brows' points (face widths) from which a pixel starts to be, and is, off the brows. */
const BROW_REACH: readonly [number, number] = [0.08, 0.14];

/** The blur (hair frame px at a side of 128) of the oval whose tripled share is near it. */
const CLOSE_SIGMA = 3;

/** The blur (hair frame px at a side of 128) whose doubled share is the hair's edge. */
const EDGE_SIGMA = 1.5;

/**
 * Levels added to the hair's broad lightness and its median where the lift goes in proportion below the median: in
 * very dark hair (L* 5) a shadow a few levels darker would else stay half as dark, and the hair's edge, whose broad
 * lightness takes in some skin, would stand out as a light rim.
 */
const SHADE = 15;

/** The same at the hair's edge, where the pixel's own colour decides: between the two. */
const EDGE_FROM_SKIN: readonly [number, number] = [5, 11];

/** Levels of a pixel's difference from the hair's broad lightness that count as strands (more is skin or background mixed in). */
const STRAND = 12;
/** Grey hair shows its strands as much as the dark hair did in proportion (its ratio to the broad lightness): this share of that. */
const STRAND_GAIN = 0.5;
/** Levels a strand may stand above or below the greyed hair round it. */
const STRAND_MAX = 20;

/** A dark brown, the colour grey hair takes back when the brows are no darker than it. */
const DARK_BROWN: readonly [number, number, number] = [30, 6, 13];

/**
 * How hair-like (0..1) a colour is against the skin: far enough from it (lightness counts less, skin shades), and of
 * a hue and chroma hair has (black, brown, blond, red, grey, white), not a saturated hat, hood or shirt.
 */
export function hairness(l: number, a: number, b: number, skin: readonly [number, number, number], mono: boolean, strict = 0, near: readonly [number, number] = HAIR_FROM_SKIN): number {
  const dl = (l - skin[0]) / 2.5;
  const da = mono ? 0 : a - skin[1];
  const db = mono ? 0 : b - skin[2];
  let h = ramp(Math.sqrt(dl * dl + da * da + db * db), near[0] + 6 * strict, near[1] + 6 * strict);
  if (h === 0 || mono) return h;
  const c = Math.sqrt(a * a + b * b);
  h *= 1 - ramp(c, 55, 75);
  if (c > 10) {
    const hue = (Math.atan2(b, a) * 180) / Math.PI;
    const off = hue < 20 ? 20 - hue : hue > 105 ? hue - 105 : 0;
    // Dark hair may have a blue cast (the sky, a scan): below L* 30 more chroma is allowed off hair's hues.
    const dark = 1 - ramp(l, 30, 45);
    h *= 1 - ramp(c, 10 + dark * (DARK_HAT_CHROMA[0] - 10), 18 + dark * (DARK_HAT_CHROMA[1] - 18)) * ramp(off, 0, 20);
  }
  return h;
}

/**
 * hairness against the face's skin and, near the face oval (`close`, 0..1), the forehead's too: the top of a lit
 * forehead (inside the oval or above the mesh's oval top, under the hairline) is lighter and paler than the face's
 * median skin, as far from it as hair.
 */
function hairLike(l: number, a: number, b: number, skin: readonly [number, number, number], forehead: readonly [number, number, number] | null, mono: boolean, strict: number, close: number, near: readonly [number, number] = HAIR_FROM_SKIN): number {
  const h = hairness(l, a, b, skin, mono, strict, near);
  if (!forehead || close === 0 || h === 0) return h;
  return Math.min(h, 1 - close * (1 - hairness(l, a, b, forehead, mono, strict, near)));
}

/**
 * The forehead's skin: the median colour of the face mask's inner pixels above the brows (the frame's), when it is
 * skin-like (a fringe over the forehead is not); else null.
 */
function foreheadSkin(lab: Float32Array, landmarks: readonly Point[], faceMask: Uint8Array, size: number, side: number, skin: readonly [number, number, number], mono: boolean): [number, number, number] | null {
  const browTop = Math.min(...BROW_POINTS.flat().map((i) => landmarks[i]![1]));
  const [k, , o] = contextToCrop(size, side);
  const ls: number[] = [], as: number[] = [], bs: number[] = [];
  for (let y = 0; y < side; y++) {
    const v = Math.floor((y + 0.5) * k + o);
    if (v < 0 || v >= size || v >= browTop) continue;
    for (let x = 0; x < side; x++) {
      const u = Math.floor((x + 0.5) * k + o);
      if (u < 0 || u >= size || faceMask[v * size + u]! < 230) continue;
      const i = (y * side + x) * 3;
      ls.push(lab[i]!);
      as.push(lab[i + 1]!);
      bs.push(lab[i + 2]!);
    }
  }
  if (ls.length < 8) return null;
  const forehead: [number, number, number] = [median(ls), median(as), median(bs)];
  return hairness(forehead[0], forehead[1], forehead[2], skin, mono) < 0.5 ? forehead : null;
}

/**
 * The head region in the hair frame (0..1, feathered): an ellipse round the head from the face oval (as wide as the
 * face and nine tenths, up to the face's height over the oval's top), down to just under the chin beside the face
 * (long hair, no shoulders); off the face oval (`faceMask`) but above the brows, where the oval's top reaches into
 * the hairline and a fringe: there `strict` (0..1) asks more of a pixel's colour (forehead skin can be pale or shiny).
 */
function headRegion(landmarks: readonly Point[], faceMask: Uint8Array, size: number, side: number): { region: Float32Array; strict: Float32Array; rim: Float32Array } {
  const oval = FACE_OVAL.map((i) => landmarks[i]!);
  const xs = oval.map((p) => p[0]);
  const ys = oval.map((p) => p[1]);
  const left = Math.min(...xs), right = Math.max(...xs), top = Math.min(...ys), chin = Math.max(...ys);
  const w = right - left;
  const h = chin - top;
  const cx = (left + right) / 2;
  const brows = BROW_POINTS.flat().map((i) => landmarks[i]!);
  const browTop = Math.min(...brows.map((p) => p[1]));
  // The box round the brows past which no pixel is near them (BROW_REACH face widths).
  const reach = BROW_REACH[1] * w;
  const browBox = [Math.min(...brows.map((p) => p[0])) - reach, browTop - reach, Math.max(...brows.map((p) => p[0])) + reach, Math.max(...brows.map((p) => p[1])) + reach] as const;
  const rx = 0.95 * w;
  const ryUp = browTop - top + 1.0 * h;
  const bottom = chin + 0.05 * h;
  const fade = 0.12 * w;
  const [k, , o] = contextToCrop(size, side);
  const eyeY = TEMPLATE_V1[0]![1] * size;
  const region = new Float32Array(side * side);
  const strict = new Float32Array(side * side);
  const rim = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const v = (y + 0.5) * k + o;
    // Inside the oval only well above the brows.
    const above = 1 - ramp(v, browTop - 0.08 * h, browTop - 0.03 * h);
    for (let x = 0; x < side; x++) {
      const u = (x + 0.5) * k + o;
      const dx = (u - cx) / rx;
      const dy = v < browTop ? (v - browTop) / ryUp : 0;
      let m = 1 - ramp(Math.sqrt(dx * dx + dy * dy), 1 - fade / rx, 1);
      m *= 1 - ramp(v, bottom - 0.15 * h, bottom);
      if (m === 0) continue;
      const iu = Math.floor(u), iv = Math.floor(v);
      // Below the eyes the oval's feathered tail is left too: the shadow between jaw and background is no hair.
      const lower = v > eyeY;
      const mask = iu >= 0 && iv >= 0 && iu < size && iv < size ? faceMask[iv * size + iu]! : 0;
      const face = ramp(mask, lower ? 4 : 20, lower ? 60 : 110);
      // The brows' tails may reach past the oval: they stay the brows' own.
      let near = Infinity;
      if (u > browBox[0] && u < browBox[2] && v > browBox[1] && v < browBox[3]) for (const [bx, by] of brows) near = Math.min(near, (u - bx) ** 2 + (v - by) ** 2);
      const brow = near >= reach * reach ? 1 : ramp(Math.sqrt(near), BROW_REACH[0] * w, reach);
      region[y * side + x] = m * (1 - face * (1 - above)) * brow;
      strict[y * side + x] = face;
      // Above the eyes the hair's edge may reach through the oval's feathered rim (temples, a hairline the mesh's oval
      // cuts): there only a pixel's own colour, asked as much as the frame's, tells hair from skin. Below them, none
      // (beside the jaw the edge is the shadow between face and background).
      rim[y * side + x] = lower ? 0 : m * (1 - ramp(mask, 150, 250) * (1 - above)) * brow;
    }
  }
  return { region, strict, rim };
}

/** Channel `c` of a 3-channel plane. */
function channel(planes: Float32Array, c: number): Float32Array {
  const out = new Float32Array(planes.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = planes[i * 3 + c]!;
  return out;
}

/**
 * A plane's normalized blur: the blur of value x weight over `den`, the blur of weight (0 where that is tiny; given
 * when several planes share the weights).
 */
function weightedBlur(values: Float32Array, weights: Float32Array, side: number, sigma: number, den = blurPlane(weights.slice(), side, sigma)): Float32Array {
  const num = new Float32Array(values.length);
  for (let i = 0; i < num.length; i++) num[i] = values[i]! * weights[i]!;
  blurPlane(num, side, sigma);
  for (let i = 0; i < num.length; i++) num[i] = den[i]! > 0.02 ? num[i]! / den[i]! : 0;
  return num;
}

/**
 * The hair of one face: its region, the skin's and hair's colours, the tone grey hair takes back. `transform` maps
 * photo px -> crop px, `landmarks` (crop px) are the mesh's, `person` the segmenter's confidence over the hair frame.
 * Null when the head has too little hair to tell (a bald head, a hat that hides it, a face without landmarks).
 */
export async function hairPlan(photo: RawImage, transform: Affine, landmarks: readonly Point[] | null | undefined, faceMask: Uint8Array, size: number, person: PersonContext | null): Promise<HairPlan | null> {
  if (!person || !landmarks || landmarks.length < 468 || photo.channels < 3) return null;
  const side = person.side;
  const toCrop = contextToCrop(size, side);
  const toFrame = composeAffine(invertAffine(toCrop), transform);
  const rgb = await warpAffine({ data: Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.length), width: photo.width, height: photo.height, channels: 3 }, toFrame, side);
  const inv = invertAffine(transform);
  const toPhoto = composeAffine(inv, toCrop);
  const box = cropFootprint(toPhoto, side, photo.width, photo.height);
  const mono = isMonochrome(photo, box.x0, box.y0, box.x1, box.y1);
  const n = side * side;
  const lab = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) lab.set(rgbToLab(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, LAB), i * 3);
  const [k, , o] = toCrop;
  const eyeY = TEMPLATE_V1[0]![1] * size;
  const cropIndex = (i: number): number => {
    const u = Math.floor(((i % side) + 0.5) * k + o);
    const v = Math.floor((Math.floor(i / side) + 0.5) * k + o);
    return u >= 0 && v >= 0 && u < size && v < size ? v * size + u : -1;
  };
  // The skin: the inner face, its median colour (eyes, brows and lips are a minority).
  const skinL: number[] = [], skinA: number[] = [], skinB: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cropIndex(i);
    if (c < 0 || faceMask[c]! < 230) continue;
    skinL.push(lab[i * 3]!);
    skinA.push(lab[i * 3 + 1]!);
    skinB.push(lab[i * 3 + 2]!);
  }
  if (skinL.length < 16) return null;
  const skin: [number, number, number] = [median(skinL), median(skinA), median(skinB)];
  const forehead = foreheadSkin(lab, landmarks, faceMask, size, side, skin, mono);
  const { region, strict, rim } = headRegion(landmarks, faceMask, size, side);
  // Near the oval (within about two of its feather's widths): where the forehead's skin is asked about too.
  const close = blurPlane(strict.slice(), side, CLOSE_SIGMA * (side / 128));
  for (let i = 0; i < n; i++) close[i] = Math.min(1, 3 * close[i]!);
  // On the person, and inside the photo (the frame beyond it is padding); the background: off the person, inside.
  const inside = new Float32Array(n);
  const background = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const fx = (i % side) + 0.5, fy = Math.floor(i / side) + 0.5;
    const px = toPhoto[0] * fx + toPhoto[1] * fy + toPhoto[2];
    const py = toPhoto[3] * fx + toPhoto[4] * fy + toPhoto[5];
    inside[i] = px >= 0 && py >= 0 && px < photo.width && py < photo.height ? 1 : 0;
    const p = person.data[i]! / 255;
    const [from, to] = fy * k + o > eyeY ? PERSON_LOWER : PERSON;
    region[i] = inside[i]! * region[i]! * ramp(p, from, to);
    rim[i] = inside[i]! * rim[i]! * ramp(p, from, to);
    background[i] = inside[i]! * (1 - ramp(p, 0.15, 0.4));
  }
  // Hair reaches into the person mask's soft edge; the background's colour, near each point, is what it must not be.
  const bgSigma = Math.max(1, side / 64);
  const bgWeight = blurPlane(background.slice(), side, bgSigma);
  const bg = [0, 1, 2].map((c) => weightedBlur(channel(lab, c), background, side, bgSigma, bgWeight));
  let area = 0;
  const hairL: number[] = [], hairA: number[] = [], hairB: number[] = [], greyL: number[] = [];
  const isHair = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (region[i]! <= 0.02) continue;
    area += region[i]!;
    const [l, a, b] = [lab[i * 3]!, lab[i * 3 + 1]!, lab[i * 3 + 2]!];
    const h = region[i]! * hairLike(l, a, b, skin, forehead, mono, strict[i]!, close[i]!) * awayFrom(l, a, b, bg[0]![i]!, bg[1]![i]!, bg[2]![i]!, bgWeight[i]!);
    isHair[i] = h;
    // The hair's colour is read above the eyes: beside the chin a collar or shoulder may be as far from the skin.
    if (h < 0.5 || (Math.floor(i / side) + 0.5) * k + o > eyeY) continue;
    hairL.push(l);
    hairA.push(a);
    hairB.push(b);
    if (Math.hypot(a, b) < 10) greyL.push(l);
  }
  // Too little hair to tell: a bald head, or a region that is mostly skin.
  if (hairL.length < 0.08 * area || hairL.length < 12) return null;
  const hair: [number, number, number] = [median(hairL), median(hairA), median(hairB)];
  // Below the eyes only what is near the hair's own colour counts.
  for (let i = 0; i < n; i++) if (isHair[i]! > 0) isHair[i] = isHair[i]! * lowerGate((Math.floor(i / side) + 0.5) * k + o, lab[i * 3]!, lab[i * 3 + 1]!, lab[i * 3 + 2]!, hair, size);
  // The hair's broad lightness (its own pixels only): the strands and grain are each pixel's difference from it.
  const base = weightedBlur(channel(lab, 0), isHair, side, Math.max(1, side / 128));
  for (let i = 0; i < n; i++) if (base[i] === 0) base[i] = hair[0];
  const hairMap = blurPlane(isHair.slice(), side, 0.75);
  // The hair's edge: where the hair found in the frame is near (its blur, doubled and more, so full over the edge
  // itself), within the rim. The frame's hair map fades over a few of its pixels there, which left a dark band of
  // half-greyed hair at the hairline and temples.
  // In a greyscale photo lightness alone cannot tell the hair's edge from a dark cap's band or a shadow: none.
  const edge = mono ? new Float32Array(n) : blurPlane(isHair.slice(), side, EDGE_SIGMA * (side / 128));
  if (!mono) for (let i = 0; i < n; i++) edge[i] = Math.min(1, 2.5 * edge[i]!) * rim[i]!;
  const tone = browTone(lab, landmarks, size, side, mono);
  // Grey hair, read in the frame (smooth: going younger all of a grey lock turns, not single pixels).
  const greyMap = new Float32Array(n);
  for (let i = 0; i < n; i++) if (isHair[i]! > 0) greyMap[i] = isHair[i]! * greyness(lab[i * 3]!, lab[i * 3 + 1]!, lab[i * 3 + 2]!, tone);
  blurPlane(greyMap, side, 0.75);
  return { size, side, region, strict, close, hairMap, edge, base, bgL: bg[0]!, bgA: bg[1]!, bgB: bg[2]!, bgWeight, skin, forehead, hair, greyL: greyL.length ? median(greyL) : hair[0], greyMap, tone, greyLevel: Math.max(60, Math.min(82, skin[0] + 8)), cast: mono ? [0, 0] : photoCast(lab, background), mono };
}

/**
 * 1 above the eyes (the aligned crop's template), falling to how near a colour is to the hair's own (CIELAB) by the
 * mouth: beside the chin a dark collar, a shoulder or a hand may be as far from the skin as hair is.
 */
function lowerGate(v: number, l: number, a: number, b: number, hair: readonly [number, number, number], size: number): number {
  const low = ramp(v, TEMPLATE_V1[0]![1] * size, TEMPLATE_V1[3]![1] * size);
  if (low === 0) return 1;
  const d = Math.sqrt(((l - hair[0]) / 1.5) ** 2 + (a - hair[1]) ** 2 + (b - hair[2]) ** 2);
  return 1 - low * ramp(d, 10, 22);
}

/** 0..1: how grey a hair colour is: little chroma, and lighter than the tone it would take back. */
function greyness(l: number, a: number, b: number, tone: readonly [number, number, number]): number {
  return (1 - ramp(Math.sqrt(a * a + b * b), 6, 14)) * ramp(l, tone[0] + 8, tone[0] + 25);
}

/** 0..1: how far a colour is from the background's colour near it (`w` the background's share there; none: 1). */
function awayFrom(l: number, a: number, b: number, bl: number, ba: number, bb: number, w: number): number {
  if (w < 0.05) return 1;
  const d = Math.sqrt(((l - bl) / 1.5) ** 2 + (a - ba) ** 2 + (b - bb) ** 2);
  return 1 - ramp(w, 0.05, 0.3) * (1 - ramp(d, 5, 14));
}

/** The darker half of the brows' colour (their landmarks' pixels in the frame), when darker than L* 45; else a dark brown. */
function browTone(lab: Float32Array, landmarks: readonly Point[], size: number, side: number, mono: boolean): [number, number, number] {
  const inv = invertAffine(contextToCrop(size, side));
  const samples: [number, number, number][] = [];
  for (const i of BROW_POINTS.flat()) {
    const [u, v] = landmarks[i]!;
    const x = Math.floor(inv[0] * u + inv[2]);
    const y = Math.floor(inv[4] * v + inv[5]);
    if (x < 0 || y < 0 || x >= side || y >= side) continue;
    const p = (y * side + x) * 3;
    samples.push([lab[p]!, lab[p + 1]!, lab[p + 2]!]);
  }
  samples.sort((p, q) => p[0] - q[0]);
  const dark = samples.slice(0, Math.max(1, Math.ceil(samples.length / 2)));
  const l = median(dark.map((s) => s[0]));
  if (!(l <= 45)) return mono ? [DARK_BROWN[0], 0, 0] : [...DARK_BROWN];
  const tone: [number, number, number] = [Math.max(18, l), median(dark.map((s) => s[1])), median(dark.map((s) => s[2]))];
  // Grey brows: the dark brown's hue at the brows' lightness.
  if (!mono && Math.hypot(tone[1], tone[2]) < 4) {
    tone[1] = (DARK_BROWN[1] * tone[0]) / DARK_BROWN[0];
    tone[2] = (DARK_BROWN[2] * tone[0]) / DARK_BROWN[0];
  }
  // A brown: hue 40-80 degrees, chroma at most 14 (a warm scan's reddish brows are not a hair colour to paint).
  const c = Math.min(14, Math.hypot(tone[1], tone[2]));
  const hue = Math.max(40, Math.min(80, (Math.atan2(tone[2], tone[1]) * 180) / Math.PI)) * (Math.PI / 180);
  tone[1] = c * Math.cos(hue);
  tone[2] = c * Math.sin(hue);
  if (mono) tone[1] = tone[2] = 0;
  return tone;
}

/** What a frame pixel's change needs besides the share, `HAIR_VALUES` per pixel: L*, a*, b*, its hair weight, the
 * hair's broad lightness there, the grey share of the hair there (over the hair map's) and its strand ratio. */
const HAIR_VALUES = 7;

/**
 * The pixels of a frame the hair map reaches, weighed once per face (the plan) and frame geometry in the photo: every
 * target age's frame is the photo plus the face's paste, so outside the paste a pixel's colour, weight and strand ratio
 * are the same at every age.
 */
interface HairPixels {
  readonly width: number;
  readonly height: number;
  /** Frame px -> context-window px, and context-window px -> crop px (scale, offset). */
  readonly toFrame: Affine;
  readonly toCrop: readonly [number, number];
  /** The frame pixel (y * width + x) of each pixel the hair map reaches, and its colour when weighed (RGB). */
  readonly index: Int32Array;
  readonly rgb: Uint8Array;
  /** Its values' place in `values` (in HAIR_VALUES), or -1: no hair by its colour. */
  readonly slot: Int32Array;
  readonly values: Float64Array;
  /** The places (in `index`) where the frame found grey hair: all that going younger may change. */
  readonly grey: Int32Array;
  /** The plan's maps interleaved (MAPS a point: hair map, strict, background L*, a*, b* and share, base, grey map, edge, close). */
  readonly maps: Float32Array;
}

const MAPS = 10;

const weighed = new WeakMap<HairPlan, HairPixels>();

/** Levels of R, G or B by which the face's paste may change a pixel and leave it weighed as before (more: weighed again). */
const REWEIGH = 12;

/** Bytes of weighed pixels kept across frames, over every face alive (a team photo's faces all are, while its frames are made). */
export const HAIR_KEPT_BYTES = 128 * 1024 * 1024;

/** Rows of a frame weighed at a time when a face's weighed pixels are not kept (the box's bytes past what may be kept). */
const HAIR_BAND_ROWS = 256;

/** Bytes of a weighed place (a pixel the hair map reaches): its index, colour and slot. */
const HAIR_PLACE_BYTES = 4 + 3 + 4;

/** Bytes a pixel of the hair's box may take when weighed: a place, and its values if it is hair. */
const HAIR_BYTES_PER_PIXEL = HAIR_PLACE_BYTES + HAIR_VALUES * 8;

let keptBytes = 0;
const release = new FinalizationRegistry<number>((bytes) => {
  keptBytes -= bytes;
});

/** The frame px -> context px transform of a plan's frame, the context px -> crop px scale and offset, and the box it reaches. */
function hairFrame(frame: RawImage, plan: HairPlan, transform: Affine) {
  const crop = contextToCrop(plan.size, plan.side);
  const toFrame = composeAffine(invertAffine(crop), transform);
  const toCrop = [crop[0], crop[2]] as const;
  const box = cropFootprint(invertAffine(toFrame), plan.side, frame.width, frame.height);
  return { toFrame, toCrop, box };
}

/**
 * The plan's weighed pixels in `frame` (this size and geometry): made at the first call and kept for the next ones
 * while every face's kept pixels fit `budget` bytes; else null, and greyHair weighs the frame band by band each time
 * (the same weights: they come from the same photo). Memory stays bounded on a 100 MP team photo of 50 faces.
 */
export function hairPixels(frame: RawImage, plan: HairPlan, transform: Affine, budget = HAIR_KEPT_BYTES): HairPixels | null {
  const { toFrame, box } = hairFrame(frame, plan, transform);
  const known = weighed.get(plan);
  if (known && known.width === frame.width && known.height === frame.height && known.toFrame.every((c, i) => c === toFrame[i])) return known;
  const most = Math.max(0, box.x1 - box.x0) * Math.max(0, box.y1 - box.y0) * HAIR_BYTES_PER_PIXEL;
  if (keptBytes + most > budget) return null;
  const made = weighRows(frame, plan, transform, box.y0, box.y1);
  keptBytes += keptSize(made);
  release.register(plan, keptSize(made), plan);
  weighed.set(plan, made);
  return made;
}

const keptSize = (pixels: HairPixels): number => pixels.index.length * HAIR_PLACE_BYTES + pixels.values.length * 8 + pixels.grey.length * 4;

/** Lets go of a plan's kept weighed pixels (a team face pasted at every age), so that the next faces' may be kept. */
export function forgetHairPixels(plan: HairPlan): void {
  const known = weighed.get(plan);
  if (!known) return;
  weighed.delete(plan);
  keptBytes -= keptSize(known);
  release.unregister(plan);
}

const sampled = new WeakMap<HairPlan, { maps: Float32Array; any: Float32Array; live: Uint8Array }>();

/**
 * The plan's maps interleaved for one bilinear sample a point (MAPS values), where hair may be (the hair map or its
 * edge), and the map cells (2 x 2 points, as the sample reads them) where that is above 0.005 at a corner: a box's other
 * pixels are no hair, unsampled. Made once per plan (every frame and band of rows reads them).
 */
function planMaps(plan: HairPlan): { maps: Float32Array; any: Float32Array; live: Uint8Array } {
  const known = sampled.get(plan);
  if (known) return known;
  const side = plan.side;
  const maps = new Float32Array(side * side * MAPS);
  [plan.hairMap, plan.strict, plan.bgL, plan.bgA, plan.bgB, plan.bgWeight, plan.base, plan.greyMap, plan.edge, plan.close].forEach((plane, c) => {
    for (let i = 0; i < plane.length; i++) maps[i * MAPS + c] = plane[i]!;
  });
  const any = new Float32Array(side * side);
  for (let i = 0; i < any.length; i++) any[i] = Math.max(plan.hairMap[i]!, plan.edge[i]!);
  const live = new Uint8Array(side * side);
  for (let v = 0; v < side - 1; v++) {
    for (let u = 0; u < side - 1; u++) {
      const i = v * side + u;
      live[i] = Math.max(any[i]!, any[i + 1]!, any[i + side]!, any[i + side + 1]!) > 0.005 ? 1 : 0;
    }
  }
  const made = { maps, any, live };
  sampled.set(plan, made);
  return made;
}

/** The plan's pixels in rows y0..y1 of `frame`, weighed (HairPixels). */
function weighRows(frame: RawImage, plan: HairPlan, transform: Affine, y0: number, y1: number): HairPixels {
  const { toFrame, toCrop, box } = hairFrame(frame, plan, transform);
  const { width, height, channels: ch, data } = frame;
  const side = plan.side;
  const { maps, any, live } = planMaps(plan);
  const [a0, b0, c0, d0, e0, f0] = toFrame;
  const index: number[] = [];
  for (let y = Math.max(box.y0, y0); y < Math.min(box.y1, y1); y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const fu = a0 * (x + 0.5) + b0 * (y + 0.5) + c0 - 0.5;
      const fv = d0 * (x + 0.5) + e0 * (y + 0.5) + f0 - 0.5;
      if (fu < -0.5 || fv < -0.5 || fu > side - 0.5 || fv > side - 0.5) continue;
      const iu = Math.min(side - 2, Math.floor(Math.max(0, Math.min(side - 1, fu))));
      const iv = Math.min(side - 2, Math.floor(Math.max(0, Math.min(side - 1, fv))));
      if (live[iv * side + iu] && bilinear(any, side, 1, fu, fv, 0) > 0.005) index.push(y * width + x);
    }
  }
  const rgb = new Uint8Array(index.length * 3);
  const slot = new Int32Array(index.length).fill(-1);
  const grey: number[] = [];
  let values = new Float64Array(Math.max(1, index.length >> 1) * HAIR_VALUES);
  let count = 0;
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    const p = i * ch;
    rgb[j * 3] = data[p]!;
    rgb[j * 3 + 1] = data[p + 1]!;
    rgb[j * 3 + 2] = data[p + 2]!;
    if ((count + 1) * HAIR_VALUES > values.length) {
      const grown = new Float64Array(values.length * 2);
      grown.set(values);
      values = grown;
    }
    if (weigh(plan, { toFrame, toCrop, maps }, i % width, Math.floor(i / width), data[p]!, data[p + 1]!, data[p + 2]!, values, count * HAIR_VALUES)) slot[j] = count++;
    // weigh sampled the maps there first: the hair map and the grey map.
    if (SAMPLE[0]! > 0.01 && SAMPLE[7]! > 0) grey.push(j);
  }
  return { width, height, toFrame, toCrop, maps, index: Int32Array.from(index), rgb, slot, values: values.slice(0, count * HAIR_VALUES), grey: Int32Array.from(grey) };
}

/** Scratch colours of the pixel loops (lab.ts writes into them: no allocation per pixel). */
const LAB: [number, number, number] = [0, 0, 0];
const RGB: [number, number, number] = [0, 0, 0];

/** The plan's maps sampled at one point (MAPS values: HairPixels.maps' order). */
const SAMPLE = new Float64Array(MAPS);

/**
 * Weighs a frame pixel of colour (R, G, B) into `out` from `o` (HAIR_VALUES): false when it is no hair. The frame's
 * hair map decides (smooth: no islands where a colour straddles a threshold); each pixel only leaves out what is
 * plainly skin (the face's paste, the warp's moved edge) or the background near it.
 */
function weigh(plan: HairPlan, pixels: Pick<HairPixels, 'toFrame' | 'toCrop' | 'maps'>, x: number, y: number, R: number, G: number, B: number, out: Float64Array, o: number, pasted = false): boolean {
  const { size, side } = plan;
  const [a0, b0, c0, d0, e0, f0] = pixels.toFrame;
  const fu = a0 * (x + 0.5) + b0 * (y + 0.5) + c0 - 0.5;
  const fv = d0 * (x + 0.5) + e0 * (y + 0.5) + f0 - 0.5;
  bilinearPixel(pixels.maps, side, MAPS, fu, fv, SAMPLE);
  const r = SAMPLE[0]!, base = SAMPLE[6]!;
  const [l, a, b] = rgbToLab(R, G, B, LAB);
  // A colour the face's paste made is asked as much as the frame's (the paste's lighter hairline is the skin's).
  let w = r * hairLike(l, a, b, plan.skin, plan.forehead, plan.mono, SAMPLE[1]!, SAMPLE[9]!, pasted ? HAIR_FROM_SKIN : PIXEL_FROM_SKIN);
  // At the hair's edge the pixel's own colour decides.
  const edge = SAMPLE[8]!;
  if (edge > r) w = Math.max(w, edge * hairLike(l, a, b, plan.skin, plan.forehead, plan.mono, SAMPLE[1]!, SAMPLE[9]!, EDGE_FROM_SKIN));
  if (w <= 0.005) return false;
  w *= awayFrom(l, a, b, SAMPLE[2]!, SAMPLE[3]!, SAMPLE[4]!, SAMPLE[5]!);
  w *= lowerGate((fv + 0.5) * pixels.toCrop[0] + pixels.toCrop[1], l, a, b, plan.hair, size);
  if (w <= 0.005) return false;
  out[o] = l;
  out[o + 1] = a;
  out[o + 2] = b;
  out[o + 3] = w;
  out[o + 4] = base;
  // The grey share of the hair there (the frame's), over the hair map's share already in w.
  out[o + 5] = r > 0.01 ? Math.min(1, SAMPLE[7]! / r) : 0;
  out[o + 6] = strandRatio(l, base);
  return true;
}

/** x^0.6 - 1 over the strand ratios' range 0.4..1.6, by STRAND_STEPS (read with linear interpolation: within 1e-7). */
const STRAND_STEPS = 4096;
const STRAND_POWER = Float64Array.from({ length: STRAND_STEPS + 2 }, (_, i) => (0.4 + (1.2 * i) / STRAND_STEPS) ** 0.6 - 1);

/** A pixel's ratio to the hair's broad lightness (dark hair's texture is multiplicative), held to 0.4..1.6, to the power 0.6, less 1. */
function strandRatio(l: number, base: number): number {
  const s = ((Math.max(0.4, Math.min(1.6, Math.max(1, l) / Math.max(1, base))) - 0.4) * STRAND_STEPS) / 1.2;
  const i = Math.floor(s);
  return STRAND_POWER[i]! + (s - i) * (STRAND_POWER[i + 1]! - STRAND_POWER[i]!);
}

/**
 * Greys (share > 0) or colours back (share < 0) the hair of `frame` in place, at its own resolution: each pixel of the
 * plan's region (sampled bilinearly at the pixel's crop position, `transform` frame px -> crop px) that is hair-like
 * by its own colour and unlike the background near it. Its lightness is the hair's broad lightness there (`base`)
 * plus its own detail (strands, grain). Going older the chroma falls toward a faint warm white in the photo's cast, the broad lightness
 * rises toward the grey level (in proportion below the hair's median, so dark roots and shadows stay darker) and the
 * strands gain up to half their contrast; going younger a grey pixel (little chroma, lighter than the tone) takes the
 * tone's colour, its lightness scaled by tone / grey L*. The pixels are weighed once per plan and frame geometry, in
 * `before` (the photo under the face's paste, the frame's size; hairPixels): where the paste changed a pixel by a shade
 * its own colour takes the weights as weighed, and where by more it is weighed again.
 */
export function greyHair(frame: RawImage, plan: HairPlan, transform: Affine, share: number, before: RawImage = frame, budget = HAIR_KEPT_BYTES): void {
  if (share === 0) return;
  const kept = hairPixels(before, plan, transform, budget);
  if (kept) {
    greyPixels(frame, plan, kept, share);
    return;
  }
  const { box } = hairFrame(before, plan, transform);
  for (let y = box.y0; y < box.y1; y += HAIR_BAND_ROWS) greyPixels(frame, plan, weighRows(before, plan, transform, y, y + HAIR_BAND_ROWS), share);
}

/** greyHair over weighed pixels (all of a frame's, or a band's). */
function greyPixels(frame: RawImage, plan: HairPlan, pixels: HairPixels, share: number): void {
  const { width, channels: ch, data } = frame;
  const s = Math.abs(share);
  const older = share > 0;
  const lift = Math.max(0, plan.greyLevel - plan.hair[0]);
  const hairL = Math.max(5, plan.hair[0]);
  const white = plan.mono ? 0 : 3;
  const toneRatio = plan.tone[0] / Math.max(plan.tone[0] + 1, plan.greyL);
  const again = new Float64Array(HAIR_VALUES);
  const { index, rgb, slot } = pixels;
  // Going younger only grey hair changes: the places where the frame found some (any pixel's weight is 0 elsewhere).
  const places = older ? null : pixels.grey;
  const count = places ? places.length : index.length;
  for (let q = 0; q < count; q++) {
    const j = places ? places[q]! : q;
    const i = index[j]!;
    const p = i * ch;
    let v = pixels.values;
    let o = slot[j]! * HAIR_VALUES;
    const R = data[p]!, G = data[p + 1]!, B = data[p + 2]!;
    const step = Math.max(Math.abs(R - rgb[j * 3]!), Math.abs(G - rgb[j * 3 + 1]!), Math.abs(B - rgb[j * 3 + 2]!));
    if (step > REWEIGH) {
      // Changed by the face's paste past a shade (skin the warp moved over hair): weighed again.
      if (!weigh(plan, pixels, i % width, Math.floor(i / width), R, G, B, again, 0, true)) continue;
      v = again;
      o = 0;
    } else if (o < 0) {
      continue;
    } else if (step > 0) {
      // A shade of the face's paste (its detail, its tone): the pixel's own colour, the weights and strand ratio as weighed.
      const [l, a, b] = rgbToLab(R, G, B, LAB);
      again[0] = l;
      again[1] = a;
      again[2] = b;
      for (let c = 3; c < HAIR_VALUES; c++) again[c] = v[o + c]!;
      again[6] = strandRatio(l, again[4]!);
      v = again;
      o = 0;
    }
    const l = v[o]!, a = v[o + 1]!, b = v[o + 2]!;
    let w = v[o + 3]!;
    let nl: number, na: number, nb: number;
    if (older) {
      w *= s;
      const base = v[o + 4]!;
      // Below the hair's median the broad lightness lifts in proportion (shadows stay darker); above it, toward the
      // grey level and never past it.
      const raised = base + w * (base <= hairL ? (lift * (base + SHADE)) / (hairL + SHADE) : Math.max(0, plan.greyLevel - base));
      // The distance to the grey level shrinks as the base's does (a pixel as light as it stays, none passes it);
      // what that takes from the strands' contrast comes back as their own detail, held to strand size.
      const g = plan.greyLevel;
      const kappa = g > base ? (g - raised) / (g - base) : 1 - w;
      // Strands: the pixel's ratio to the base (dark hair's texture is multiplicative), at the raised level, held to
      // strand size and fading out for bigger steps (a mix with skin or background at the edge is no strand).
      const d = l - base;
      const taper = Math.abs(d) <= STRAND ? 1 : Math.max(0, 2 - Math.abs(d) / STRAND);
      const strand = taper * Math.max(-STRAND_MAX, Math.min(STRAND_MAX, STRAND_GAIN * (raised * v[o + 6]! - d)));
      nl = g - (g - l) * kappa + (1 - kappa) * (d * taper) + w * strand;
      na = a + w * (plan.cast[0] - a);
      nb = b + w * (white + plan.cast[1] - b);
    } else {
      w *= s * v[o + 5]!;
      if (w <= 0.005) continue;
      nl = l + w * (l * toneRatio - l);
      na = a + w * (plan.tone[1] - a);
      nb = b + w * (plan.tone[2] - b);
    }
    const rgbOut = labToRgb(nl, plan.mono ? 0 : na, plan.mono ? 0 : nb, RGB);
    if (plan.mono) {
      data[p] = data[p + 1] = data[p + 2] = clamp255(rgbOut[1]);
    } else {
      data[p] = clamp255(rgbOut[0]);
      data[p + 1] = clamp255(rgbOut[1]);
      data[p + 2] = clamp255(rgbOut[2]);
    }
  }
}

/** The box (crop px) the plan may change: its frame, for the team's regions. */
export function hairCropBox(plan: HairPlan): [number, number, number, number] {
  const [k, , o] = contextToCrop(plan.size, plan.side);
  return [o, o, o + k * plan.side, o + k * plan.side];
}
