import { describe, expect, it } from 'vitest';
import { agesBetween, clampRange, largestFace } from './ages.js';

describe('age targets', () => {
  it('steps through the range and always ends on its top', () => {
    expect(agesBetween(20, 70, 10)).toEqual([20, 30, 40, 50, 60, 70]);
    expect(agesBetween(70, 20, 10)).toEqual([20, 30, 40, 50, 60, 70]);
    expect(agesBetween(10, 45, 10)).toEqual([10, 20, 30, 40, 45]);
    expect(agesBetween(30, 30, 5)).toEqual([30]);
    expect(agesBetween(0, 3, 0)).toEqual([0, 1, 2, 3]);
  });
  it('clamps to the trained range', () => {
    expect(clampRange(5, 95, [1, 90])).toEqual([5, 90]);
    expect(clampRange(5, 95, null)).toEqual([5, 95]);
  });
  it('picks the largest face', () => {
    expect(largestFace([{ index: 0, box: [0, 0, 10, 10] }, { index: 1, box: [5, 5, 30, 20] }])).toBe(1);
    expect(largestFace([])).toBeNull();
  });
});
