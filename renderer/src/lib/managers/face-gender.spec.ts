import { describe, expect, it } from 'vitest';
import { FaceGender, UNCERTAIN_GENDER } from './face-gender.svelte.js';

describe('FaceGender', () => {
  it('shows the estimate with its probability, flags it below 0.7 until the user sets the gender', () => {
    const unsure = new FaceGender({ age: 15, gender: 'female', genderProbability: 0.544 });
    expect(unsure.label).toBe('female (p = 0.54)');
    expect(unsure.uncertain).toBe(true);
    expect(unsure.chosen).toBeUndefined();
    unsure.set = 'male';
    expect([unsure.uncertain, unsure.chosen, unsure.label]).toEqual([false, 'male', 'male (set)']);
    unsure.set = '';
    expect(unsure.uncertain).toBe(true);
  });

  it('is sure from 0.7 on; a face without an estimate is never flagged', () => {
    expect(new FaceGender({ age: 40, gender: 'male', genderProbability: UNCERTAIN_GENDER }).uncertain).toBe(false);
    expect(new FaceGender({ age: 40, gender: 'male', genderProbability: 0.699 }).uncertain).toBe(true);
    const none = new FaceGender(null);
    expect([none.uncertain, none.label, none.chosen]).toEqual([false, 'not estimated', undefined]);
  });
});
