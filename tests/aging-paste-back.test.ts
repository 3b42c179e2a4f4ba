import { describe, expect, it } from 'vitest';
import { cropDelta, maskInPhoto, pasteBack } from '../ml/aging/paste-back.js';
import type { Affine } from '../ml/prep/geometry.js';
import type { RawImage } from '../ml/estimators/image.js';

function noisePhoto(w: number, h: number): RawImage {
  const data = new Uint8Array(w * h * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = 20 + Math.floor((s / 2147483648) * 180); // 20..199: +/-50 never clips
  }
  return { data, width: w, height: h, channels: 3 };
}

/** Source px -> crop px: rotate 12 degrees, scale 0.4, centred on (cx, cy) -> crop centre. */
function similarity(cx: number, cy: number, size: number): Affine {
  const t = (12 * Math.PI) / 180;
  const s = 0.4;
  const a = s * Math.cos(t);
  const b = -s * Math.sin(t);
  const d = s * Math.sin(t);
  const e = s * Math.cos(t);
  return [a, b, size / 2 - (a * cx + b * cy), d, e, size / 2 - (d * cx + e * cy)];
}

function ellipseMask(size: number, feather: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot((x + 0.5 - size / 2) / (0.3 * size), (y + 0.5 - size / 2) / (0.4 * size));
      // 255 inside r < 1 - feather, 0 beyond r >= 1, linear between.
      m[y * size + x] = Math.round(255 * Math.max(0, Math.min(1, (1 - r) / feather)));
    }
  }
  return m;
}

describe('paste-back', () => {
  const size = 64;
  const photo = noisePhoto(320, 260);
  const transform = similarity(170, 120, size);
  const mask = ellipseMask(size, 0.2);

  it('adds the delta inside the mask, leaves every pixel outside it unchanged, and keeps the photo detail', () => {
    const delta = { size, data: new Float32Array(size * size * 3).fill(40) };
    const out = pasteBack(photo, delta, mask, transform);
    const inPhoto = maskInPhoto(mask, size, transform, photo.width, photo.height);
    let outside = 0;
    let full = 0;
    let touched = 0;
    let changedOutside = 0;
    let wrongInside = 0;
    for (let p = 0; p < inPhoto.length; p++) {
      const m = inPhoto[p]!;
      for (let c = 0; c < 3; c++) {
        const before = photo.data[p * 3 + c]!;
        const after = out.data[p * 3 + c]!;
        if (m === 0 && after !== before) changedOutside++;
        // Where the mask is full, the exact photo pixel plus 40: the noise (sharp detail) survives.
        if (m === 255 && after - before !== 40) wrongInside++;
      }
      if (m === 0) outside++;
      if (m === 255) full++;
      if (m > 0) touched++;
    }
    expect(changedOutside).toBe(0);
    expect(wrongInside).toBe(0);
    expect(outside).toBeGreaterThan(photo.width * photo.height * 0.8);
    // The ellipse covers 0.3*0.4*pi of the crop, i.e. ~0.377*(64/0.4)^2 ~ 9650 photo px; the full part a bit less.
    expect(touched).toBeGreaterThan(8500);
    expect(touched).toBeLessThan(10800);
    expect(full).toBeGreaterThan(5000);
    // The footprint is where the transform says: the photo point (170, 120) is the crop centre.
    expect(inPhoto[120 * photo.width + 170]).toBe(255);
    expect(inPhoto[5 * photo.width + 5]).toBe(0);
  });

  it('a crop-space gradient lands where the inverse transform puts it', () => {
    // delta = +50 in the crop's left half only: in the photo, near the centre, left of centre (rotated 12 deg) changes.
    const data = new Float32Array(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size / 2; x++) data.fill(50, (y * size + x) * 3, (y * size + x) * 3 + 3);
    const out = pasteBack(photo, { size, data }, mask, transform);
    const at = (x: number, y: number): number => out.data[(y * photo.width + x) * 3]! - photo.data[(y * photo.width + x) * 3]!;
    expect(at(170 - 25, 120)).toBe(50);
    expect(at(170 + 25, 120)).toBe(0);
  });

  it('cropDelta scales [-1, 1] decodes to 0..255 units; bad sizes are refused', () => {
    const t = new Float32Array(size * size * 3).fill(0.5);
    const s = new Float32Array(size * size * 3).fill(0.1);
    const d = cropDelta(t, s, size);
    expect(d.data[0]).toBeCloseTo(0.4 * 127.5, 4);
    expect(() => pasteBack(photo, d, new Uint8Array(10), transform)).toThrow(/mask/);
  });
});
