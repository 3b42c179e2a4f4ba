/** sRGB <-> CIELAB (D65), 0..255 per channel. */

function linearExact(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function gammaExact(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return v * 255;
}

// The sRGB transfer both ways without Math.pow (the aging path converts every crop pixel at every target age): whole
// levels from a table, other values from a table's linear interpolation refined by Newton steps on y^5 = t^12
// (linear) and y^12 = c^5 (gamma), which land within an ulp or two of the power.
const LINEAR_LEVELS = Float64Array.from({ length: 256 }, (_, v) => linearExact(v));
const POWER_STEPS = 16;
/** ((v / 255 + 0.055) / 1.055) ^ 2.4 at every 1/POWER_STEPS level. */
const POWER = Float64Array.from({ length: 255 * POWER_STEPS + 2 }, (_, i) => ((i / POWER_STEPS / 255 + 0.055) / 1.055) ** 2.4);
const ROOT_SIZE = 1 << 12;
/** c ^ (1 / 2.4) at every 1/ROOT_SIZE. */
const ROOT = Float64Array.from({ length: ROOT_SIZE + 2 }, (_, i) => (i / ROOT_SIZE) ** (1 / 2.4));

function linear(v: number): number {
  if (!(v >= 0 && v <= 255)) return linearExact(v);
  const i = v | 0;
  if (i === v) return LINEAR_LEVELS[i]!;
  const c = v / 255;
  if (c <= 0.04045) return c / 12.92;
  const s = v * POWER_STEPS;
  const k = s | 0;
  let y = POWER[k]! + (s - k) * (POWER[k + 1]! - POWER[k]!);
  const t = (c + 0.055) / 1.055;
  const t2 = t * t;
  const t4 = t2 * t2;
  const t12 = t4 * t4 * t4;
  for (let step = 0; step < 2; step++) {
    const y2 = y * y;
    const y4 = y2 * y2;
    y -= (y4 * y - t12) / (5 * y4);
  }
  return y;
}

function gamma(c: number): number {
  if (!(c > 0.0031308 && c < 1)) return gammaExact(c);
  const s = c * ROOT_SIZE;
  const k = s | 0;
  let y = ROOT[k]! + (s - k) * (ROOT[k + 1]! - ROOT[k]!);
  const c2 = c * c;
  const c5 = c2 * c2 * c;
  for (let step = 0; step < 2; step++) {
    const y2 = y * y;
    const y4 = y2 * y2;
    const y11 = y4 * y4 * y2 * y;
    y -= (y11 * y - c5) / (12 * y11);
  }
  return (1.055 * y - 0.055) * 255;
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** CIELAB (D65) of an sRGB colour, 0..255 per channel (into `out` when given: no allocation in a pixel loop). */
export function rgbToLab(r: number, g: number, b: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const R = linear(r), G = linear(g), B = linear(b);
  const x = labF((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047);
  const y = labF(0.2126729 * R + 0.7151522 * G + 0.072175 * B);
  const z = labF((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883);
  out[0] = 116 * y - 16;
  out[1] = 500 * (x - y);
  out[2] = 200 * (y - z);
  return out;
}

/** CIELAB L* of an sRGB colour, 0..255 per channel (rgbToLab's first value, for less work). */
export function lightnessOf(r: number, g: number, b: number): number {
  return 116 * labF(0.2126729 * linear(r) + 0.7151522 * linear(g) + 0.072175 * linear(b)) - 16;
}

function labFInverse(t: number): number {
  const cube = t * t * t;
  return cube > 216 / 24389 ? cube : (116 * t - 16) / (24389 / 27);
}

/** sRGB (0..255, not clamped) of a CIELAB (D65) colour (into `out` when given). */
export function labToRgb(l: number, a: number, b: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = 0.95047 * labFInverse(fy + a / 500);
  const y = labFInverse(fy);
  const z = 1.08883 * labFInverse(fy - b / 200);
  const R = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const G = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const B = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  out[0] = gamma(R);
  out[1] = gamma(G);
  out[2] = gamma(B);
  return out;
}

/** Rec. 601 luma of the RGB triple that starts at `i` of `rgb`. */
export function lumaAt(rgb: ArrayLike<number>, i: number): number {
  return 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
}

/** The luma of `pixels` RGB triples from `offset`, times `scale`, as a plane. */
export function lumaPlane(rgb: ArrayLike<number>, pixels: number, offset = 0, scale = 1): Float32Array {
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = scale * lumaAt(rgb, offset + i * 3);
  return out;
}
