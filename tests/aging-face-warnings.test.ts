import { describe, expect, it } from 'vitest';
import { faceWarnings, genderWarnings, UNCERTAIN_GENDER } from '../ml/aging/team-faces.js';
import type { DetectedFace } from '../ml/prep/detect.js';
import { THRESHOLDS } from '../ml/prep/quality.js';

/** A face as detection gives it: eyes `eyes` px apart, turned `yaw` degrees, with the detector's flags. */
function face(eyes: number, yaw: number, flags?: ('partial' | 'profile')[]): DetectedFace {
  const cx = 300;
  return {
    score: 0.9,
    box: [cx - eyes, 200, 2 * eyes, 2 * eyes],
    keypoints: { leftEye: [cx - eyes / 2, 240], rightEye: [cx + eyes / 2, 240], nose: [cx, 260], mouthLeft: [cx - eyes / 3, 290], mouthRight: [cx + eyes / 3, 290] },
    landmarks: [],
    pose: { yaw, pitch: 0, roll: 0 },
    ...(flags ? { flags } : {}),
  };
}

const kinds = (d: DetectedFace, outside: number | null = null, n = 2): string[] => faceWarnings({ face: n, detected: d, drawn: false, fromBoxAlone: false }, outside).map((w) => w.kind);

describe("what a face's aging cannot do well, as every path words it", () => {
  it("tiny below the preparation's eye distance, profile past its yaw, partial when flagged or a fifth outside", () => {
    expect(kinds(face(60, 10))).toEqual([]);
    expect(kinds(face(THRESHOLDS.tinyInterOcular - 5, 10))).toEqual(['tiny']);
    expect(kinds(face(60, THRESHOLDS.profileYaw + 15))).toEqual(['profile']);
    expect(kinds(face(60, -(THRESHOLDS.profileYaw + 15)))).toEqual(['profile']);
    expect(kinds(face(60, 10, ['profile']))).toEqual(['profile']);
    expect(kinds(face(60, 10, ['partial']))).toEqual(['partial']);
    expect(kinds(face(60, 10), 0.3)).toEqual(['partial']);
    expect(kinds(face(60, 10), 0.1)).toEqual([]);
    expect(kinds(face(12, 70, ['partial']))).toEqual(['tiny', 'profile', 'partial']);
    const [profile] = faceWarnings({ face: 2, detected: face(60, -62), drawn: false, fromBoxAlone: false });
    expect(profile!.message).toBe('face 2 is in profile (turned 62°): the frontal aging may distort it');
    const [tiny] = faceWarnings({ face: -1, detected: face(18, 0), drawn: true, fromBoxAlone: false });
    expect(tiny!.message).toBe(`this face is tiny (eyes 18 px apart, under the ${THRESHOLDS.tinyInterOcular} px the preparation asks for): its aging is coarse`);
  });

  it('an estimated gender below 0.7 is flagged with its probability, at 0.7 and above it is not', () => {
    expect(UNCERTAIN_GENDER).toBe(0.7);
    expect(genderWarnings(3, 'female', 0.64)).toEqual([{ kind: 'gender', message: 'face 3: gender uncertain (female, probability 0.64); set it if wrong' }]);
    expect(genderWarnings(-1, 'male', 0.512)).toEqual([{ kind: 'gender', message: 'this face: gender uncertain (male, probability 0.51); set it if wrong' }]);
    expect(genderWarnings(3, 'female', 0.7)).toEqual([]);
    expect(genderWarnings(3, 'female', 0.93)).toEqual([]);
    // A gender given has no probability and no warning.
    expect(genderWarnings(3, 'female', null)).toEqual([]);
  });
});
