import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { MESH_POINTS, MESH_TRIANGLES } from '../ml/shape/mesh.js';
import { meshWarpField, sampleField, warpCropImage } from '../ml/shape/warp-field.js';
import { warpPasteBack } from '../ml/aging/warp-paste.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { defaultModelDir } from '../ml/aging/model.js';

const SIZE = 128;

/** The shipped default model's mean face mesh: a real face shape in crop px. */
function meanMesh(): Point[] {
  const p = readPrototypes(defaultModelDir());
  if (!p) throw new Error('the default model has no age prototypes');
  const flat = shapeAt(p, 'female', 30);
  return Array.from({ length: MESH_POINTS }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as Point);
}

describe('face-mesh warp field', () => {
  it('uses the 852 triangles of MediaPipe’s tesselation over the 468 mesh points', () => {
    expect(MESH_TRIANGLES.length).toBe(852);
    expect(Math.max(...MESH_TRIANGLES.flat())).toBe(MESH_POINTS - 1);
  });

  it('is zero everywhere when nothing moves', () => {
    const mesh = faceMesh();
    const f = meshWarpField(mesh, mesh, { size: SIZE, fade: 0.2 });
    expect(f.box[2]).toBeLessThanOrEqual(f.box[0]);
    expect(f.dx.every((v) => v === 0) && f.dy.every((v) => v === 0)).toBe(true);
  });

  it('moves the face by the mesh change, fades smoothly and leaves the far background at exactly zero', () => {
    const source = faceMesh();
    const target = source.map(([x, y]) => [x, y + 3] as Point);
    const f = meshWarpField(target, source, { size: SIZE, fade: 0.2 });
    const d: [number, number] = [0, 0];
    // The nose tip (point 1) moved down 3 px, so the warped image there shows the original 3 px up.
    sampleField(f, target[1]![0], target[1]![1], d);
    expect(d[0]).toBeCloseTo(0, 3);
    expect(d[1]).toBeCloseTo(-3, 3);
    sampleField(f, 2, 2, d);
    expect(d).toEqual([0, 0]);
    // No step anywhere: neighbouring cells differ by far less than the move.
    let jump = 0;
    for (let y = 0; y < f.n; y++) for (let x = 1; x < f.n; x++) jump = Math.max(jump, Math.abs(f.dy[y * f.n + x]! - f.dy[y * f.n + x - 1]!));
    for (let y = 1; y < f.n; y++) for (let x = 0; x < f.n; x++) jump = Math.max(jump, Math.abs(f.dy[y * f.n + x]! - f.dy[(y - 1) * f.n + x]!));
    expect(jump).toBeLessThan(0.35);
    // The fade reaches past the chin but stops within its reach (0.2 of the side past the face oval).
    const chin = target[152]!;
    sampleField(f, chin[0], chin[1] + 8, d);
    expect(Math.abs(d[1])).toBeGreaterThan(0.5);
    sampleField(f, chin[0], chin[1] + 0.2 * SIZE + 10, d);
    expect(d[1]).toBe(0);
  });

  it('warps a crop image: a 3 px move of the mesh moves a feature 3 px', () => {
    const source = faceMesh();
    const target = source.map(([x, y]) => [x + 3, y] as Point);
    const img = new Uint8Array(SIZE * SIZE);
    const [nx, ny] = source[1]!.map(Math.floor) as [number, number];
    img[ny * SIZE + nx] = 255;
    const warped = warpCropImage(img, SIZE, 1, meshWarpField(target, source, { size: SIZE, fade: 0.2 }));
    expect(warped[ny * SIZE + nx + 3]).toBe(255);
    expect(warped[ny * SIZE + nx]).toBe(0);
  });
});

describe('warped paste-back', () => {
  it('changes the photo only inside the faded region, and keeps every other pixel byte-identical', () => {
    const source = faceMesh();
    const target = source.map(([x, y]) => [x, y + 2] as Point);
    const field = meshWarpField(target, source, { size: SIZE, fade: 0.1 });
    const W = 400, H = 300;
    const photo = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 as const };
    for (let i = 0; i < photo.data.length; i++) photo.data[i] = (i * 7919) % 251;
    // The face sits at (100, 60) in the photo, at twice the crop's scale: source px -> crop px halves and shifts.
    const transform: [number, number, number, number, number, number] = [0.5, 0, -50, 0, 0.5, -30];
    const mask = new Uint8Array(SIZE * SIZE);
    const out = warpPasteBack(photo, { size: SIZE, data: new Float32Array(SIZE * SIZE * 3) }, mask, transform, field);
    let changed = 0;
    let changedOutside = 0;
    const reach = -field.origin;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = (y * W + x) * 3;
        if (out.data[p] === photo.data[p] && out.data[p + 1] === photo.data[p + 1] && out.data[p + 2] === photo.data[p + 2]) continue;
        changed++;
        const u = 0.5 * (x + 0.5) - 50;
        const v = 0.5 * (y + 0.5) - 30;
        if (u < -reach || v < -reach || u > SIZE + reach || v > SIZE + reach) changedOutside++;
      }
    }
    expect(changed).toBeGreaterThan(5000);
    expect(changedOutside).toBe(0);
    // Far corners are the photo's own bytes.
    expect(out.data.subarray(0, 3 * W)).toEqual(photo.data.subarray(0, 3 * W));
  });
});

function faceMesh(): Point[] {
  return meanMesh().map(([x, y]) => [x, y] as Point);
}
