import { blurPlane } from '../prep/masks.js';
import { textureShare } from './change-filters.js';
import { labToRgb, lightnessOf, rgbToLab } from './lab.js';

/**
 * How the texture change ages a face in lightness and detail, keeping the person's colouring (the `lightness` block
 * of a model sidecar's `aging`). Age estimators, and people, read age from lightness and detail: lines, folds, sag
 * shading. The decoder's broad change is where dark and coloured patches live, so only its fine band is used.
 */
export interface LightnessSettings {
  /** Weight of the decoder change's fine band (its lightness minus a blur of `fineBlur`), going older, at the full adult share. */
  readonly decoderOlder: number;
  /** The same going older from a source of 10 or under (linear to decoderOlder at 20): a child's decoded change is an adult's texture drawn over it. */
  readonly decoderChild: number;
  /** The same going younger. */
  readonly decoderYounger: number;
  /**
   * Weight of the decoder change's broad band (its lightness blurred by `fineBlur`) going younger: the decoder's younger
   * face is smoother and lighter where lines and beard shadow were.
   */
  readonly broadYounger: number;
  /** The same going older from a source of 10 or under (none from 20 on, where the broad band draws patches): a child's face grows into an adult's shading. */
  readonly broadChild: number;
  /** Width of the fine band's blur, as a share of the face's width. */
  readonly fineBlur: number;
  /**
   * Soft limit (levels) on the decoder fine band's lightness change: v becomes limit x tanh(v / limit), so lines (5-15
   * levels) pass and blotches (20-40) are held back. 0: no limit. Optional in a sidecar (0 when absent).
   */
  readonly fineLimit?: number;
  /** Soft limit (levels) on the prototypes' lightness change, as `fineLimit`: their receding hairline and dark eye sockets stay moderate. Optional. */
  readonly prototypeLimit?: number;
  /**
   * Soft limit (levels) on the prototypes' lightening going older: an older face mostly darkens (shadows, lines), and
   * where the source-age mean face has hair and the older one skin (a receding hairline), or at its temples, the ratio
   * would paint a bright band or blob on the person's forehead, cap or hair. Optional (0, no limit, when absent).
   */
  readonly prototypeLighten?: number;
  /** Weight of the prototypes' relative lightness change going older, for a source of 10 or under (gentle: a child grows). */
  readonly prototypeChild: number;
  /** The same for a source of 20 or over (adults need it stronger); linear between. */
  readonly prototypeAdult: number;
  /** The same going younger. */
  readonly prototypeYounger: number;
  /** Share of the prototypes' broad colour change kept for a child source (none from 20 on): children grow without turning grey. */
  readonly colourChild: number;
  /**
   * The face's own detail (its lightness minus a blur of `linesBlur` of the face width, at the photo's resolution) is
   * scaled by 1 + lines x (r - 1), r the ratio of the prototypes' detail energy at the target to the source age,
   * region by region: lines and beard shadow fade going younger and deepen going older.
   */
  readonly linesYounger: number;
  readonly linesOlder: number;
  readonly linesBlur: number;
  /**
   * Going younger, the face's own detail is measured against a blur of this share of the face's width instead of
   * `linesBlur`: a wider band takes folds and deep lines as well as fine ones. Optional (linesBlur when absent).
   */
  readonly linesBlurYounger?: number;
  /**
   * Share of the older change (the decoder's fine band and the prototypes' lightness) held off the eyes, brows and nose
   * (feature-zones.ts) for an adult source (none for a source of 10 or under, linear between): darkened brows, eye
   * sockets and nose sides move a face descriptor away from the person's real later face. Optional (0 when absent:
   * the change covers the whole face).
   */
  readonly featureShield?: number;
  /** Spread of that zone round each feature point, as a share of the face's width. Optional (0.05 when absent). */
  readonly featureSpread?: number;
}

export const LIGHTNESS_KEYS: readonly (keyof LightnessSettings)[] = [
  'decoderOlder',
  'decoderChild',
  'decoderYounger',
  'broadYounger',
  'broadChild',
  'fineBlur',
  'prototypeChild',
  'prototypeAdult',
  'prototypeYounger',
  'colourChild',
  'linesYounger',
  'linesOlder',
  'linesBlur',
];

/** Settings a sidecar may leave out. */
export const OPTIONAL_KEYS: readonly (keyof LightnessSettings)[] = ['fineLimit', 'prototypeLimit', 'prototypeLighten', 'linesBlurYounger', 'featureShield', 'featureSpread'];

/** The feature zone's spread when a sidecar gives a shield but no spread. */
export const DEFAULT_FEATURE_SPREAD = 0.05;

/** Ranges a stored setting must lie in. */
const RANGES: Record<keyof LightnessSettings, [number, number]> = {
  decoderOlder: [0, 5],
  decoderChild: [0, 5],
  decoderYounger: [0, 5],
  broadYounger: [0, 3],
  broadChild: [0, 3],
  fineBlur: [0.001, 0.2],
  prototypeChild: [0, 5],
  prototypeAdult: [0, 5],
  prototypeYounger: [0, 5],
  colourChild: [0, 1],
  linesYounger: [0, 6],
  linesOlder: [0, 3],
  linesBlur: [0.001, 0.2],
  fineLimit: [0, 100],
  prototypeLimit: [0, 100],
  prototypeLighten: [0, 100],
  linesBlurYounger: [0.001, 0.2],
  featureShield: [0, 1],
  featureSpread: [0.01, 0.2],
};

/** The settings in a sidecar's `aging.lightness`, checked: an error names the file and the bad value. */
export function parseLightness(value: unknown, file: string): LightnessSettings | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: aging.lightness must be an object of numbers`);
  const v = value as Record<string, unknown>;
  const out: Partial<Record<keyof LightnessSettings, number>> = {};
  for (const key of [...LIGHTNESS_KEYS, ...OPTIONAL_KEYS]) {
    if (OPTIONAL_KEYS.includes(key) && v[key] === undefined) continue;
    const x = v[key];
    const [lo, hi] = RANGES[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi) throw new Error(`${file}: aging.lightness.${key} must be a number in ${lo}..${hi}, got ${JSON.stringify(x)}`);
    out[key] = x;
  }
  return out as LightnessSettings;
}

export interface LightnessWeights {
  readonly decoder: number;
  readonly broad: number;
  readonly prototype: number;
  readonly colour: number;
  readonly lines: number;
  /** Width of the blur the face's own detail is measured against, as a share of the face's width. */
  readonly linesBlur: number;
  /** Soft limit (levels) on the prototypes' lightening (0: none). */
  readonly lighten: number;
  /** Share of the decoder's fine band and the prototypes' change held off the eyes, brows and nose (LightnessInput.features). */
  readonly shield?: number;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** The weights for one source and target age: gentle for children, stronger for adults going older. */
export function lightnessWeights(l: LightnessSettings, sourceAge: number, targetAge: number): LightnessWeights {
  const older = targetAge >= sourceAge;
  const adult = clamp01((sourceAge - 10) / 10);
  return {
    decoder: (older ? l.decoderChild + (l.decoderOlder - l.decoderChild) * adult : l.decoderYounger) * textureShare(sourceAge, targetAge),
    broad: (older ? l.broadChild * (1 - adult) : l.broadYounger) * textureShare(sourceAge, targetAge),
    prototype: older ? l.prototypeChild + (l.prototypeAdult - l.prototypeChild) * adult : l.prototypeYounger,
    colour: l.colourChild * (1 - adult),
    lines: older ? l.linesOlder : l.linesYounger,
    linesBlur: older ? l.linesBlur : (l.linesBlurYounger ?? l.linesBlur),
    lighten: older ? (l.prototypeLighten ?? 0) : 0,
    shield: targetAge > sourceAge ? (l.featureShield ?? 0) * adult : 0,
  };
}

/** Rec. 601 luma of an RGB change or image, as a plane. */
export function lumaPlane(rgb: ArrayLike<number>, pixels: number, offset = 0, scale = 1): Float32Array {
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const j = offset + i * 3;
    out[i] = scale * (0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!);
  }
  return out;
}

/** Width in px of the mask's widest row (pixels above half). */
export function maskWidth(mask: ArrayLike<number>, size: number): number {
  let widest = 0;
  for (let y = 0; y < size; y++) {
    let n = 0;
    for (let x = 0; x < size; x++) if (mask[y * size + x]! >= 128) n++;
    widest = Math.max(widest, n);
  }
  return widest;
}

/** The plane minus its blur (Gaussian of `sigma` px): its fine band. */
export function fineBand(plane: Float32Array, size: number, sigma: number): Float32Array {
  const blurred = blurPlane(Float32Array.from(plane), size, sigma);
  return Float32Array.from(plane, (v, i) => v - blurred[i]!);
}

export interface LightnessInput {
  readonly size: number;
  /** The decodes without their checkerboard (-1..1), the source first; `target` is the index of the target decode. */
  readonly decodes: Float32Array;
  readonly target: number;
  /** Multiplies the decoder's change (the `gain` setting). */
  readonly gain: number;
  /** The prototypes' relative texture change at weight 1 (RGB, 0..255 units, the face's own geometry), or null. */
  readonly prototype: Float32Array | null;
  /** The face's width in crop px. */
  readonly faceWidth: number;
  readonly weights: LightnessWeights;
  /** The eyes, brows and nose (featureZone, 0..1 per pixel): `weights.shield` of the change is held off them. */
  readonly features?: Float32Array | null;
  /** The face's crop (RGB 0..255) and its cropChroma: when given, the lightness change keeps each pixel's own a*, b* (CIELAB). */
  readonly crop?: { readonly rgb: ArrayLike<number>; readonly chroma: Float32Array };
}

/** Per pixel of an RGB crop, its CIELAB a*, b* (a0, b0, a1, b1, ...): what a lightness change keeps. */
export function cropChroma(crop: ArrayLike<number>, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 2);
  for (let i = 0; i < pixels; i++) {
    const [, a, b] = rgbToLab(crop[i * 3]!, crop[i * 3 + 1]!, crop[i * 3 + 2]!);
    out[i * 2] = a;
    out[i * 2 + 1] = b;
  }
  return out;
}

const clamp255 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v);

/**
 * The grey change `d` of an RGB pixel as the RGB change that moves its CIELAB lightness alike (to the L* of the pixel
 * plus d) but keeps its a*, b*; written into out[o..o+2].
 */
function keepColour(r: number, g: number, b: number, a: number, bb: number, d: number, out: Float32Array, o: number): void {
  if (d === 0) {
    out[o] = out[o + 1] = out[o + 2] = 0;
    return;
  }
  const [R, G, B] = labToRgb(lightnessOf(clamp255(r + d), clamp255(g + d), clamp255(b + d)), a, bb);
  out[o] = clamp255(R) - r;
  out[o + 1] = clamp255(G) - g;
  out[o + 2] = clamp255(B) - b;
}

const softLimit = (v: number, limit: number): number => (limit > 0 ? limit * Math.tanh(v / limit) : v);

export function lightnessChange(l: LightnessSettings, input: LightnessInput): Float32Array {
  const { size, decodes, target, gain, prototype, weights: w } = input;
  const n = size * size;
  const delta = new Float32Array(n * 3);
  const shield = w.shield ?? 0;
  const zone = shield > 0 ? input.features : null;
  const keep = (i: number): number => (zone ? 1 - shield * zone[i]! : 1);
  if (w.decoder > 0 || w.broad > 0) {
    const change = new Float32Array(n * 3);
    const off = target * n * 3;
    for (let i = 0; i < n * 3; i++) change[i] = gain * (decodes[off + i]! - decodes[i]!) * 127.5;
    const y = lumaPlane(change, n);
    const limit = l.fineLimit ?? 0;
    const fine = fineBand(y, size, l.fineBlur * input.faceWidth);
    for (let i = 0; i < n; i++) {
      const v = keep(i) * softLimit(w.decoder * fine[i]!, limit) + w.broad * (y[i]! - fine[i]!);
      for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
    }
  }
  const colour = prototype && w.colour > 0 ? lumaFree(prototype, size) : null;
  if (prototype && w.prototype > 0) {
    const y = lumaPlane(prototype, n);
    const limit = l.prototypeLimit ?? 0;
    for (let i = 0; i < n; i++) {
      const p = w.prototype * y[i]!;
      const v = keep(i) * softLimit(p > 0 && w.lighten > 0 ? softLimit(p, w.lighten) : p, limit);
      for (let c = 0; c < 3; c++) delta[i * 3 + c] = delta[i * 3 + c]! + v;
    }
  }
  const crop = input.crop;
  if (crop) {
    const { rgb, chroma } = crop;
    for (let i = 0; i < n; i++) keepColour(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, chroma[i * 2]!, chroma[i * 2 + 1]!, delta[i * 3]!, delta, i * 3);
  }
  if (colour) for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) delta[i * 3 + c] = delta[i * 3 + c]! + w.colour * colour[c]![i]!;
  return delta;
}

/** The broad colour of an RGB change (its difference from its luma, blurred by an eighth of the crop), per channel. */
function lumaFree(rgb: Float32Array, size: number): Float32Array[] {
  const n = size * size;
  const y = lumaPlane(rgb, n);
  return [0, 1, 2].map((c) => blurPlane(Float32Array.from({ length: n }, (_, i) => rgb[i * 3 + c]! - y[i]!), size, size / 8));
}

/** How far the face's own detail may be scaled down (going younger) or up (going older). */
const LINE_GAIN = { min: -0.9, max: 1.5 } as const;

/**
 * Per crop pixel, the gain on the face's own detail: lines x (ratio - 1), where `ratio` is the prototypes' detail-energy
 * ratio (target / source, the face's geometry), on the skin only (`skin`, 0..1). Going older it only deepens, going
 * younger it only fades: where the table's cells take in hair (a child's fringe over the forehead reads as detail), its
 * ratio points the other way, and a face made younger must not gain texture there.
 */
export function lineGains(ratio: Float32Array, skin: Float32Array, lines: number, older = true): Float32Array {
  const [lo, hi] = older ? [0, LINE_GAIN.max] : [LINE_GAIN.min, 0];
  return Float32Array.from(ratio, (r, i) => Math.min(hi, Math.max(lo, lines * (r - 1))) * skin[i]!);
}

/** Starting values for a model that has no lightness settings of its own, when some are asked for (`--lightness k=v`). */
export const DEFAULT_LIGHTNESS: LightnessSettings = {
  decoderOlder: 2.5,
  decoderChild: 1,
  decoderYounger: 1.5,
  broadYounger: 0.6,
  broadChild: 0.6,
  fineBlur: 0.03,
  prototypeChild: 1,
  prototypeAdult: 4,
  prototypeYounger: 1,
  colourChild: 0.4,
  linesYounger: 2,
  linesOlder: 0.5,
  linesBlur: 0.025,
};

/**
 * `off` (the older blend), or `key=value,...` over `base` (the model's settings, else DEFAULT_LIGHTNESS); the result
 * is checked like a sidecar's.
 */
export function lightnessFromSpec(spec: string, base: LightnessSettings | null): LightnessSettings | null {
  if (spec.trim() === 'off') return null;
  const merged: Record<string, unknown> = { ...(base ?? DEFAULT_LIGHTNESS) };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    const keys: readonly string[] = [...LIGHTNESS_KEYS, ...OPTIONAL_KEYS];
    if (!key || value === undefined || !keys.includes(key)) throw new Error(`--lightness: expected off or key=value pairs with keys ${keys.join(', ')}; got "${part}"`);
    merged[key] = Number(value);
  }
  return parseLightness(merged, '--lightness');
}
