import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights, parseLightness } from '../ml/aging/detail-change.js';
import { featureZone, NOSE_POINTS } from '../ml/aging/feature-zones.js';
import { BROW_POINTS, EYE_POINTS } from '../ml/shape/mesh.js';
import type { Point } from '../ml/prep/geometry.js';

const size = 32;
const n = size * size;

/** Decodes whose target has dark fine lines every 4 px (the source flat), and a prototype change that darkens everywhere. */
function inputs(): { decodes: Float32Array; prototype: Float32Array } {
  const decodes = new Float32Array(2 * n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) decodes[n * 3 + i * 3 + c] = i % size % 4 === 0 ? -0.2 : 0;
  return { decodes, prototype: new Float32Array(n * 3).fill(-6) };
}

describe('the older change held off the eyes, brows and nose (featureShield)', () => {
  it('is an optional setting: a sidecar without it parses and shields nothing; a bad value names the file and the key', () => {
    const plain = parseLightness({ ...DEFAULT_LIGHTNESS }, 'sidecar.json')!;
    expect(plain.featureShield).toBeUndefined();
    expect(lightnessWeights(plain, 30, 60).shield).toBe(0);
    const l = lightnessFromSpec('featureShield=1,featureSpread=0.06', DEFAULT_LIGHTNESS)!;
    expect([l.featureShield, l.featureSpread]).toEqual([1, 0.06]);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, featureShield: 1.5 }, 'm/sidecar.json')).toThrow('m/sidecar.json: aging.lightness.featureShield must be a number in 0..1, got 1.5');
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, featureSpread: 0 }, 'm/sidecar.json')).toThrow('aging.lightness.featureSpread');
  });

  it('acts on adults going older only: none for a child, half at 15, none going younger or at the same age', () => {
    const l = { ...DEFAULT_LIGHTNESS, featureShield: 0.8 };
    expect(lightnessWeights(l, 30, 60).shield).toBeCloseTo(0.8);
    expect(lightnessWeights(l, 15, 60).shield).toBeCloseTo(0.4);
    expect(lightnessWeights(l, 5, 60).shield).toBe(0);
    expect(lightnessWeights(l, 60, 30).shield).toBe(0);
    expect(lightnessWeights(l, 40, 40).shield).toBe(0);
  });

  it('the zone covers the eyes, brows and nose points and nothing else', () => {
    // Every mesh point far off the crop, then one point of each kind placed on it.
    const pts: Point[] = Array.from({ length: 478 }, () => [-100, -100] as Point);
    pts[EYE_POINTS[0]![0]!] = [6.5, 6.5];
    pts[BROW_POINTS[1]![0]!] = [25.5, 6.5];
    pts[NOSE_POINTS[0]!] = [16.5, 20.5];
    pts[10] = [6.5, 28.5]; // the forehead's top: not a feature
    const z = featureZone(pts, size, 2);
    expect(z[6 * size + 6]).toBeCloseTo(1, 5);
    expect(z[6 * size + 25]).toBeCloseTo(1, 5);
    expect(z[20 * size + 16]).toBeCloseTo(1, 5);
    expect(z[20 * size + 18]).toBeCloseTo(Math.exp(-0.5), 5);
    expect(z[28 * size + 6]).toBe(0);
    expect(z[16 * size + 6]).toBe(0);
    expect(Math.max(...z)).toBeLessThanOrEqual(1);
  });

  it('holds the decoder\'s fine band and the prototypes\' change off the zone, by the shield\'s share, and leaves the rest of the face as it was', () => {
    const { decodes, prototype } = inputs();
    // The zone: the left half of the crop.
    const features = Float32Array.from({ length: n }, (_, i) => (i % size < size / 2 ? 1 : 0));
    const l = { ...DEFAULT_LIGHTNESS, featureShield: 1 };
    const run = (source: number, target: number, shield: number) =>
      lightnessChange(l, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, features, weights: { ...lightnessWeights(l, source, target), shield } });
    const open = run(40, 70, 0);
    const held = run(40, 70, 1);
    const half = run(40, 70, 0.5);
    let maxOpenLeft = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = (y * size + x) * 3;
        if (x < size / 2) {
          maxOpenLeft = Math.max(maxOpenLeft, Math.abs(open[i]!));
          expect(held[i]).toBeCloseTo(0, 6);
          expect(half[i]).toBeCloseTo(open[i]! / 2, 4);
        } else {
          expect(held[i]).toBeCloseTo(open[i]!, 6);
        }
      }
    }
    expect(maxOpenLeft).toBeGreaterThan(5);
    // Going younger the weights carry no shield, so the whole face changes as before.
    const younger = lightnessChange(l, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, features, weights: lightnessWeights(l, 70, 40) });
    const noZone = lightnessChange(l, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, weights: lightnessWeights(l, 70, 40) });
    expect(Array.from(younger)).toEqual(Array.from(noZone));
  });
});
