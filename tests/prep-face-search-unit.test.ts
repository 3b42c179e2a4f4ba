import { describe, expect, it } from 'vitest';
import { iou, nonMaxSuppression } from '../domain/box-overlap.js';
import type { Box } from '../domain/face.js';
import { faceFlags, needsSearch, PROFILE_YAW, type DetectedFace } from '../ml/prep/detect.js';
import { MIN_FACE_FRACTION, planTiles, SCALE_STEP, TILE_INPUT } from '../renderer/vision/tiles.js';

function face(box: Box, yaw = 0): DetectedFace {
  const [x, y, w, h] = box;
  const landmarks: [number, number][] = [[x, y], [x + w, y + h], [x + w / 2, y + h / 2]];
  const k: [number, number] = [x + w / 2, y + h / 2];
  return { score: 0.9, box: [...box], keypoints: { leftEye: k, rightEye: k, nose: k, mouthLeft: k, mouthRight: k }, landmarks, pose: { yaw, pitch: 0, roll: 0 } };
}

describe('box overlap and non-maximum suppression', () => {
  it('computes IoU', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
    expect(iou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });

  it('merges one face seen at two tiles or scales, keeps a child overlapping a parent', () => {
    const parent = { box: [100, 100, 150, 150] as Box, score: 0.9 };
    const again = { box: [110, 105, 140, 150] as Box, score: 0.8 };
    const child = { box: [200, 230, 90, 90] as Box, score: 0.7 };
    expect(iou(parent.box, child.box)).toBeGreaterThan(0);
    expect(nonMaxSuppression([again, child, parent], 0.4)).toEqual([2, 1]);
  });
});

describe('tiles of the face search', () => {
  it('covers every face from minFace up in some tile of a scale it fits, whole, below what the first pass sees', () => {
    const [w, h] = [4000, 3000];
    const scales = planTiles(w, h, 40);
    expect(scales[0]![0]!.side).toBeCloseTo(40 / MIN_FACE_FRACTION);
    for (let i = 1; i < scales.length; i++) expect(scales[i]![0]!.side / scales[i - 1]![0]!.side).toBeCloseTo(SCALE_STEP);
    const largest = scales.at(-1)![0]!.side;
    expect(largest).toBeLessThan(4000);
    expect(largest * SCALE_STEP).toBeGreaterThanOrEqual(4000);
    // Faces from 40 px to a sixth of the photo (the first pass's reach) at many places: each lies whole in a tile
    // where it fills at least MIN_FACE_FRACTION and at most MIN_FACE_FRACTION * SCALE_STEP of the side, or in a
    // tile of the largest scale.
    for (let size = 40; size <= 4000 / 6; size *= 1.37) {
      for (let k = 0; k < 40; k++) {
        const x = (((k * 977) % 1000) / 1000) * (w - size);
        const y = (((k * 613) % 1000) / 1000) * (h - size);
        const fits = scales.some((tiles, i) =>
          tiles.some((t) => {
            const frac = size / t.side;
            const inScale = frac >= MIN_FACE_FRACTION * 0.999 && (frac <= MIN_FACE_FRACTION * SCALE_STEP || i === scales.length - 1);
            return inScale && x >= t.x && y >= t.y && x + size <= t.x + t.side && y + size <= t.y + t.side;
          }),
        );
        expect(fits, `face of ${size.toFixed(0)} px at ${x.toFixed(0)},${y.toFixed(0)}`).toBe(true);
      }
    }
    expect(planTiles(200, 200, 40)).toEqual([]);
  });

  it('costs a few hundred BlazeFace runs for 12 MP at 40 px', () => {
    const count = planTiles(4000, 3000, 40).reduce((n, s) => n + s.length, 0);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(500);
    expect(TILE_INPUT).toBe(128);
  });
});

describe('face flags and when the search runs', () => {
  it('flags faces past the edge as partial and turned ones as profile', () => {
    expect(faceFlags(face([100, 100, 80, 80]), 1000, 800)).toEqual([]);
    expect(faceFlags(face([-30, 100, 80, 80]), 1000, 800)).toEqual(['partial']);
    expect(faceFlags(face([950, 760, 80, 80]), 1000, 800)).toEqual(['partial']);
    expect(faceFlags(face([100, 100, 80, 80], PROFILE_YAW + 1), 1000, 800)).toEqual(['profile']);
    expect(faceFlags(face([-30, 100, 80, 80], -70), 1000, 800)).toEqual(['partial', 'profile']);
  });

  it('searches photos with no face, several, or one small face; not a portrait', () => {
    expect(needsSearch([], 1000, 800)).toBe(true);
    expect(needsSearch([face([100, 100, 300, 300]), face([500, 100, 300, 300])], 1000, 800)).toBe(true);
    expect(needsSearch([face([100, 100, 100, 100])], 1000, 800)).toBe(true);
    expect(needsSearch([face([300, 200, 400, 400])], 1000, 800)).toBe(false);
  });
});
