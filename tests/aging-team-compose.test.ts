import { describe, expect, it } from 'vitest';
import { composeAge, composeFaces, markChanging, restoreRegions, type ComposeFaceInput } from '../ml/aging/team-compose.js';
import { pasteBack } from '../ml/aging/paste-back.js';
import type { Affine } from '../ml/prep/geometry.js';
import type { RawImage } from '../ml/estimators/image.js';

const SIZE = 48;

function photo(w: number, h: number): RawImage {
  const data = new Uint8Array(w * h * 3);
  let s = 5;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = 60 + ((s >> 16) % 100);
  }
  return { data, width: w, height: h, channels: 3 };
}

/** Source px -> crop px: scale 0.5 around (cx, cy) -> crop centre. */
function at(cx: number, cy: number): Affine {
  return [0.5, 0, SIZE / 2 - 0.5 * cx, 0, 0.5, SIZE / 2 - 0.5 * cy];
}

function disc(): Uint8Array {
  const m = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const r = Math.hypot(x + 0.5 - SIZE / 2, y + 0.5 - SIZE / 2) / (SIZE * 0.45);
      m[y * SIZE + x] = Math.round(255 * Math.max(0, Math.min(1, (1 - r) / 0.3)));
    }
  }
  return m;
}

/** A face whose change at age k adds `per` * (k + 1) to one channel. */
function face(cx: number, cy: number, channel: number, per: number, ages = 2): ComposeFaceInput {
  return {
    crop: new Uint8Array(SIZE * SIZE * 3),
    size: SIZE,
    transform: at(cx, cy),
    mask: disc(),
    deltas: Array.from({ length: ages }, (_, k) => {
      const d = new Float32Array(SIZE * SIZE * 3);
      for (let i = channel; i < d.length; i += 3) d[i] = per * (k + 1);
      return d;
    }),
    fields: Array.from({ length: ages }, () => null),
  };
}

function copy(img: RawImage): RawImage {
  return { ...img, data: new Uint8Array(img.data) };
}

describe('team frames: every face on one frame', () => {
  const img = photo(260, 120);
  const faces = [face(50, 60, 0, 20), face(160, 60, 2, 20), face(195, 60, 1, 20)];
  const composed = composeFaces(faces, img.width, img.height);

  it('a face that overlaps no other is exactly its single-face paste; outside every region the photo is unchanged', () => {
    const frame = copy(img);
    composeAge(img, frame, composed, 1);
    const alone = pasteBack(img, { size: SIZE, data: faces[0]!.deltas[1]! }, faces[0]!.mask, faces[0]!.transform);
    const r = composed[0]!.region;
    expect(composed[0]!.neighbours).toEqual([]);
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const p = (y * img.width + x) * 3;
        const inAny = composed.some(({ region: q }) => x >= q.x0 && x < q.x1 && y >= q.y0 && y < q.y1);
        const want = x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1 ? alone.data : img.data;
        if (!inAny) expect([frame.data[p], frame.data[p + 1], frame.data[p + 2]]).toEqual([img.data[p], img.data[p + 1], img.data[p + 2]]);
        else if (want === alone.data) expect([frame.data[p], frame.data[p + 1], frame.data[p + 2]]).toEqual([alone.data[p], alone.data[p + 1], alone.data[p + 2]]);
      }
    }
  });

  it('overlapping faces are each aged once: where both masks are full the changes are shared, with no seam', () => {
    expect(composed[1]!.neighbours).toEqual([2]);
    const frame = copy(img);
    composeAge(img, frame, composed, 0);
    // Midway between faces 1 and 2 (x 177): both masks are full there, so each change counts half.
    const mid = (60 * img.width + 177) * 3;
    expect(frame.data[mid + 2]! - img.data[mid + 2]!).toBeGreaterThanOrEqual(9);
    expect(frame.data[mid + 2]! - img.data[mid + 2]!).toBeLessThanOrEqual(11);
    expect(frame.data[mid + 1]! - img.data[mid + 1]!).toBeGreaterThanOrEqual(9);
    expect(frame.data[mid + 1]! - img.data[mid + 1]!).toBeLessThanOrEqual(11);
    // No seam: along the row through both faces, the change moves by at most a few levels from pixel to pixel.
    let jump = 0;
    for (let x = 110; x < 245; x++) {
      for (const c of [1, 2]) {
        const a = (60 * img.width + x) * 3 + c;
        const b = a + 3;
        jump = Math.max(jump, Math.abs(frame.data[b]! - img.data[b]! - (frame.data[a]! - img.data[a]!)));
      }
    }
    expect(jump).toBeLessThanOrEqual(4);
  });

  it('the change map holds exactly the pixels some age changes; a reused frame gives what a fresh one does', () => {
    const changing = new Uint8Array(img.width * img.height);
    markChanging(img, composed, changing);
    const a0 = copy(img);
    composeAge(img, a0, composed, 0);
    const a1 = copy(img);
    composeAge(img, a1, composed, 1);
    let marked = 0;
    for (let i = 0; i < changing.length; i++) {
      const p = i * 3;
      const differs = [0, 1, 2].some((c) => a0.data[p + c] !== img.data[p + c] || a1.data[p + c] !== img.data[p + c]);
      if (differs) expect(changing[i]).toBe(1);
      marked += changing[i]!;
    }
    expect(marked).toBeGreaterThan(3000);
    const reused = copy(a0);
    restoreRegions(img, reused, composed);
    composeAge(img, reused, composed, 1);
    expect(Buffer.from(reused.data).equals(Buffer.from(a1.data))).toBe(true);
    // The pasted regions markChanging keeps give the same frame; with no budget none are kept.
    const cache = markChanging(img, composed, new Uint8Array(changing.length));
    expect(cache.every((ages) => ages.length === 2 && ages.every(Boolean))).toBe(true);
    expect(markChanging(img, composed, new Uint8Array(changing.length), 0).flat().filter(Boolean)).toHaveLength(0);
    const cached = copy(img);
    composeAge(img, cached, composed, 1, cache);
    expect(Buffer.from(cached.data).equals(Buffer.from(a1.data))).toBe(true);
  });
});
