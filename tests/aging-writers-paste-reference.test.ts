import { describe, expect, it } from 'vitest';
import { pasteBack, type CropDelta } from '../ml/aging/paste-back.js';
import type { Affine } from '../ml/prep/geometry.js';
import type { RawImage } from '../ml/estimators/image.js';

// pasteBack's fast path (a zero-bordered mask-weighted delta field, cells skipped where the mask is 0) must give the
// same bytes as the plain definition: per photo pixel, bilinear taps of delta * mask / 255 at its crop position.

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function reference(photo: RawImage, delta: CropDelta, mask: Uint8Array, t: Affine, gain: number, mono: boolean): Uint8Array {
  const { size } = delta;
  const out = new Uint8Array(photo.data);
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const u = t[0] * (x + 0.5) + t[1] * (y + 0.5) + t[2] - 0.5;
      const v = t[3] * (x + 0.5) + t[4] * (y + 0.5) + t[5] - 0.5;
      if (u <= -1 || v <= -1 || u >= size || v >= size) continue;
      const rgb = [0, 0, 0];
      for (let k = 0; k < 4; k++) {
        const cu = Math.floor(u) + (k & 1);
        const cv = Math.floor(v) + (k >> 1);
        if (cu < 0 || cv < 0 || cu >= size || cv >= size) continue;
        const w = (k & 1 ? u - Math.floor(u) : 1 - (u - Math.floor(u))) * (k >> 1 ? v - Math.floor(v) : 1 - (v - Math.floor(v)));
        const idx = cv * size + cu;
        for (let c = 0; c < 3; c++) rgb[c]! += delta.data[idx * 3 + c]! * (mask[idx]! / 255) * w;
      }
      const grey = 0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!;
      for (let c = 0; c < 3; c++) {
        const p = (y * photo.width + x) * photo.channels + c;
        out[p] = Math.max(0, Math.min(255, Math.round(out[p]! + gain * (mono ? grey : rgb[c]!))));
      }
    }
  }
  return out;
}

describe('paste-back fast path', () => {
  it('matches the plain definition on rotated, scaled and off-photo footprints, colour and grey, with and without gain', () => {
    const rnd = rng(4242);
    let compared = 0;
    let off = 0;
    let touched = 0;
    for (let trial = 0; trial < 6; trial++) {
      const width = 90 + Math.floor(rnd() * 80);
      const height = 90 + Math.floor(rnd() * 80);
      const size = 24 + 8 * (trial % 3);
      const grey = trial % 3 === 2;
      const data = new Uint8Array(width * height * 3);
      for (let i = 0; i < width * height; i++) {
        const v = Math.floor(rnd() * 256);
        for (let c = 0; c < 3; c++) data[i * 3 + c] = grey ? v : Math.floor(rnd() * 256);
      }
      const photo: RawImage = { data, width, height, channels: 3 };
      // A third of the mask is 0, so whole cells are skipped.
      const mask = Uint8Array.from({ length: size * size }, () => (rnd() < 0.33 ? 0 : Math.floor(rnd() * 256)));
      const angle = rnd() * 2 * Math.PI;
      const scale = (0.6 + rnd()) * (size / Math.min(width, height));
      // Centred near a corner on odd trials: part of the crop falls outside the photo.
      const cx = trial % 2 ? width * 0.1 : width / 2;
      const cy = trial % 2 ? height * 0.9 : height / 2;
      const a = scale * Math.cos(angle);
      const b = -scale * Math.sin(angle);
      const d = scale * Math.sin(angle);
      const e = scale * Math.cos(angle);
      const t: Affine = [a, b, size / 2 - (a * cx + b * cy), d, e, size / 2 - (d * cx + e * cy)];
      const delta: CropDelta = { size, data: Float32Array.from({ length: size * size * 3 }, () => (rnd() - 0.5) * 160) };
      const gain = trial < 3 ? 1 : 1.6;
      const fast = pasteBack(photo, delta, mask, t, { gain }).data;
      const want = reference(photo, delta, mask, t, gain, grey);
      for (let i = 0; i < want.length; i++) {
        compared++;
        if (fast[i] !== want[i]) off++;
        if (want[i] !== data[i]) touched++;
      }
    }
    expect(touched).toBeGreaterThan(compared * 0.05);
    // Summing the same products in another order may move a value sitting on .5 by one level; nothing more.
    expect(off).toBeLessThanOrEqual(compared * 1e-4);
  });
});
