import { describe, expect, it } from 'vitest';
import { personFromCrop } from '../ml/eval/age-eval-face.js';
import { contextToCrop } from '../ml/prep/prepare-face.js';

const S = 128;

/** A crop whose left third is the background grey and the rest a dark-brown person (hair at the top edge). */
function crop(): Uint8Array {
  const c = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) c.set(x < S / 3 ? [128, 128, 128] : [60, 40, 30], (y * S + x) * 3);
  return c;
}

describe('personFromCrop: the person in a stored crop, for eval and the contact sheet', () => {
  const person = personFromCrop(crop(), S);
  const [k, , o] = contextToCrop(S, person.side);
  const at = (u: number, v: number): number => person.data[Math.floor((v - o) / k) * person.side + Math.floor((u - o) / k)]!;

  it('reads the person and the background grey inside the crop', () => {
    expect(at(100, 64)).toBe(255);
    expect(at(10, 64)).toBe(0);
  });

  it('goes on past the crop edge as at the nearest edge pixel, so hair greys past the top edge without a bar', () => {
    expect(at(100, -30)).toBe(255);
    expect(at(100, S + 30)).toBe(255);
    expect(at(S + 40, 64)).toBe(255);
    expect(at(-40, 64)).toBe(0);
    expect(at(10, -30)).toBe(0);
  });
});
