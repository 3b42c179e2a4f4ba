import { describe, expect, it } from 'vitest';
import { isMonochrome, pasteBack } from '../ml/aging/paste-back.js';
import type { Affine } from '../ml/prep/geometry.js';
import type { RawImage } from '../ml/estimators/image.js';

const size = 32;
const identity: Affine = [1, 0, 0, 0, 1, 0];

function photo(grey: boolean): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const v = 60 + ((i * 7) % 120);
    data[i * 3] = v;
    data[i * 3 + 1] = grey ? v : v + 20;
    data[i * 3 + 2] = grey ? v : v - 20;
  }
  return { data, width: size, height: size, channels: 3 };
}

describe('paste-back onto a greyscale photo', () => {
  const delta = { size, data: new Float32Array(size * size * 3).map((_, i) => (i % 3 === 0 ? 30 : i % 3 === 1 ? -10 : 5)) };
  const mask = new Uint8Array(size * size).fill(255);

  it('tells greyscale from colour', () => {
    expect(isMonochrome(photo(true), 0, 0, size, size)).toBe(true);
    expect(isMonochrome(photo(false), 0, 0, size, size)).toBe(false);
  });

  it('keeps a greyscale photo grey, carrying the change as luminance', () => {
    const out = pasteBack(photo(true), delta, mask, identity);
    const lum = 0.299 * 30 + 0.587 * -10 + 0.114 * 5;
    for (let i = 0; i < size * size; i++) {
      expect(out.data[i * 3]).toBe(out.data[i * 3 + 1]);
      expect(out.data[i * 3 + 1]).toBe(out.data[i * 3 + 2]);
    }
    expect(out.data[0]! - photo(true).data[0]!).toBe(Math.round(60 + lum) - 60);
  });

  it('carries the colour change onto a colour photo', () => {
    const src = photo(false);
    const out = pasteBack(src, delta, mask, identity);
    expect(out.data[0]! - src.data[0]!).toBe(30);
    expect(out.data[1]! - src.data[1]!).toBe(-10);
  });
});
