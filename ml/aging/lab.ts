/** sRGB <-> CIELAB (D65), 0..255 per channel. */

function linear(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** CIELAB (D65) of an sRGB colour, 0..255 per channel. */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = linear(r), G = linear(g), B = linear(b);
  const x = labF((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047);
  const y = labF(0.2126729 * R + 0.7151522 * G + 0.072175 * B);
  const z = labF((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIELAB L* of an sRGB colour, 0..255 per channel (rgbToLab's first value, for less work). */
export function lightnessOf(r: number, g: number, b: number): number {
  return 116 * labF(0.2126729 * linear(r) + 0.7151522 * linear(g) + 0.072175 * linear(b)) - 16;
}

function gamma(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return v * 255;
}

function labFInverse(t: number): number {
  return t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27);
}

/** sRGB (0..255, not clamped) of a CIELAB (D65) colour. */
export function labToRgb(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = 0.95047 * labFInverse(fy + a / 500);
  const y = labFInverse(fy);
  const z = 1.08883 * labFInverse(fy - b / 200);
  const R = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const G = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const B = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return [gamma(R), gamma(G), gamma(B)];
}
