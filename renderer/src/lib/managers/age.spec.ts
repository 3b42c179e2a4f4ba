import { describe, expect, it } from 'vitest';
import type { AgeResult, ChronofaceApi, DetectedFace } from '../../../../contract/api.js';
import { asFileUrl } from '../../../../contract/files.js';
import { AgeJob, fileToBase64 } from './age.svelte.js';

const face = (index: number, w: number, p = 0.9): DetectedFace => ({
  index, score: 0.9, box: [10, 10, w, w],
  keypoints: { leftEye: [0, 0], rightEye: [1, 0], nose: [0, 1], mouthLeft: [0, 2], mouthRight: [1, 2] },
  warnings: [{ kind: 'profile', message: `face ${index} is in profile` }, ...(p < 0.7 ? [{ kind: 'gender' as const, message: `face ${index}: gender uncertain` }] : [])],
  estimate: { age: 33, gender: 'male', genderProbability: p },
});

function fakeApi(faces: DetectedFace[]) {
  const runs: { face?: number; ages: number[]; gender?: string }[] = [];
  const api = {
    async agePhotoAdd() { return { photoId: 'p1', name: 'a.jpg', url: asFileUrl('/files/p1.jpg'), width: 100, height: 80 }; },
    async ageDetect() { return { width: 100, height: 80, faces }; },
    async ageRun(req) {
      runs.push({ face: req.face, ages: req.ages, ...(req.gender ? { gender: req.gender } : {}) });
      return { gifUrl: asFileUrl('/files/a.gif'), ages: req.ages, faceWarnings: [{ kind: 'partial', message: 'partly outside' }] } as unknown as AgeResult;
    },
  } as Partial<ChronofaceApi> as ChronofaceApi;
  return { api, runs };
}

describe('AgeJob', () => {
  it('ages the largest face of a photo straight away', async () => {
    const { api, runs } = fakeApi([face(0, 20), face(1, 50)]);
    const job = new AgeJob('k', 'a.jpg');
    await job.start(api, { name: 'a.jpg', dataBase64: '' }, { ages: [20, 40], modelId: null }, false);
    expect(job.stage).toBe('done');
    expect(runs).toEqual([{ face: 1, ages: [20, 40] }]);
  });

  it('outlines the team when there are several faces and it may ask; one face can still be aged alone', async () => {
    const { api, runs } = fakeApi([face(0, 20), face(1, 50)]);
    const job = new AgeJob('k', 'a.jpg');
    await job.start(api, { path: '/x/a.jpg' }, { ages: [30], modelId: 3 }, true);
    expect(job.stage).toBe('team');
    expect(job.team?.cards.map((c) => c.face)).toEqual([0, 1]);
    expect(runs).toEqual([]);
    job.face = 0;
    await job.run(api, { ages: [30], modelId: 3 });
    expect(runs).toEqual([{ face: 0, ages: [30] }]);
  });

  it('says so when no face is found in a gallery photo; a photo alone offers drawing one', async () => {
    const { api } = fakeApi([]);
    const job = new AgeJob('k', 'empty.png');
    await job.start(api, { path: '/x/empty.png' }, { ages: [30], modelId: null }, false);
    expect(job.stage).toBe('error');
    expect(job.error).toMatch(/No face was found in empty.png/);
    const alone = new AgeJob('k2', 'empty.png');
    await alone.start(api, { path: '/x/empty.png' }, { ages: [30], modelId: null }, true);
    expect(alone.stage).toBe('team');
    expect(alone.team?.cards).toEqual([]);
    expect(alone.team?.drawing).toBe(true);
  });

  it("shows the chosen face's gender estimate from detection, flags it below 0.7, and ages with the gender the user sets", async () => {
    const { api, runs } = fakeApi([face(0, 20, 0.93), face(1, 50, 0.61)]);
    const job = new AgeJob('k', 'a.jpg');
    await job.start(api, { name: 'a.jpg', dataBase64: '' }, { ages: [20], modelId: null }, false);
    expect(job.face).toBe(1);
    expect(job.gender?.label).toBe('male (p = 0.61)');
    expect(job.gender?.uncertain).toBe(true);
    // Aged with the estimate (nothing sent); the aging's own warnings replace detection's.
    expect(runs).toEqual([{ face: 1, ages: [20] }]);
    expect(job.notes.map((n) => n.kind)).toEqual(['partial']);
    job.gender!.set = 'female';
    expect(job.gender?.uncertain).toBe(false);
    await job.run(api, { ages: [20], modelId: null, gender: 'male' });
    expect(runs[1]).toEqual({ face: 1, ages: [20], gender: 'female' });
    // Another face keeps its own estimate and setting.
    job.face = 0;
    expect(job.gender?.uncertain).toBe(false);
    expect(job.gender?.label).toBe('male (p = 0.93)');
  });

  it('encodes file bytes as base64', async () => {
    expect(await fileToBase64(new Blob([new Uint8Array([0, 255, 71, 73, 70])]))).toBe('AP9HSUY=');
  });
});
