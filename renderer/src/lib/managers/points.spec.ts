import { describe, expect, it } from 'vitest';
import type { Keypoints } from '../../../../contract/api.js';
import { faceViewBox, movePoint, nudgePoint, samePoints } from './points.js';

const kp: Keypoints = { leftEye: [100, 100], rightEye: [160, 100], nose: [130, 130], mouthLeft: [110, 160], mouthRight: [150, 160] };

describe('keypoint editing', () => {
  it('moves a point and keeps it inside the photo', () => {
    expect(movePoint(kp, 'nose', [135.26, 140], 400, 300).nose).toEqual([135.3, 140]);
    expect(movePoint(kp, 'nose', [-5, 400], 400, 300).nose).toEqual([0, 300]);
    expect(kp.nose).toEqual([130, 130]);
  });
  it('nudges by keyboard steps', () => {
    const k = nudgePoint(nudgePoint(kp, 'leftEye', 1, 0, 400, 300), 'leftEye', 0, -10, 400, 300);
    expect(k.leftEye).toEqual([101, 90]);
    expect(samePoints(k, kp)).toBe(false);
    expect(samePoints(nudgePoint(k, 'leftEye', -1, 10, 400, 300), kp)).toBe(true);
  });
  it('frames the face inside the photo', () => {
    const [x, y, w, h] = faceViewBox(kp, 400, 300);
    expect(w).toBeCloseTo(60 * 4.2);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y + h).toBeLessThanOrEqual(300);
    expect(x).toBeLessThanOrEqual(100);
    expect(x + w).toBeGreaterThanOrEqual(160);
    expect(faceViewBox(kp, 120, 90)).toEqual([0, 0, 120, 90]);
  });
});
