import { describe, expect, it } from 'vitest';
import type { ChronofaceApi, DetectedFace, RequestOf, TeamAgeResult } from '../../../../contract/api.js';
import { asFileUrl } from '../../../../contract/files.js';
import { TeamPlan } from './team.svelte.js';

const face = (index: number, x: number): DetectedFace => ({
  index, score: 0.9, box: [x, 10, 40, 40],
  keypoints: { leftEye: [0, 0], rightEye: [1, 0], nose: [0, 1], mouthLeft: [0, 2], mouthRight: [1, 2] },
  warnings: index === 1 ? [{ kind: 'tiny', message: 'face 1 is tiny' }] : index === 0 ? [{ kind: 'gender', message: 'face 0: gender uncertain' }] : [],
  estimate: { age: 30 + index, gender: 'female', genderProbability: index === 0 ? 0.55 : 0.9 },
});

function fakeApi() {
  const sent: RequestOf<'ageTeam'>[] = [];
  const api = {
    async ageDrawFace(req) {
      return {
        box: [req.box[0] + 1, req.box[1], req.box[2], req.box[3]], keypoints: face(0, 0).keypoints, found: false,
        warnings: [{ kind: 'drawn', message: 'this face: no face was found in the drawn box' }],
        estimate: { age: 40, gender: 'male', genderProbability: 0.64 },
      };
    },
    async ageTeam(req) {
      sent.push(req);
      return {
        photoId: req.photoId, gifUrl: asFileUrl('/files/t.gif'), width: 300, height: 100, ages: req.ages, warnings: [], ms: 1,
        faces: req.faces.map((f, i) => ({ face: f.face ?? 3, box: [0, 0, 1, 1], drawn: !!f.box, sourceAge: 30, sourceAgeEstimated: true, gender: 'female', genderProbability: i === 0 ? 0.55 : 0.9, warnings: [] })),
      } as unknown as TeamAgeResult;
    },
  } as Partial<ChronofaceApi> as ChronofaceApi;
  return { api, sent };
}

describe('TeamPlan', () => {
  it('sends the ticked faces, the drawn boxes and what the user set; flags an uncertain gender as soon as the faces are found', async () => {
    const { api, sent } = fakeApi();
    const plan = new TeamPlan('p1', [face(0, 10), face(1, 80), face(2, 150)]);
    expect(plan.cards[1]!.warnings[0]!.kind).toBe('tiny');
    // Found, not aged yet: the estimate shows, below 0.7 flagged; the gender warning is that flag, not a second note.
    expect(plan.cards.map((c) => c.genderUncertain)).toEqual([true, false, false]);
    expect(plan.cards[0]!.gender.label).toBe('female (p = 0.55)');
    expect(plan.cards[0]!.notes).toEqual([]);
    expect(plan.cards[1]!.notes.map((n) => n.kind)).toEqual(['tiny']);
    plan.cards[1]!.ticked = false;
    await plan.addBox(api, [200, 20, 30, 30]);
    expect(plan.cards).toHaveLength(4);
    expect(plan.cards[3]!.drawn).toBe(true);
    expect(plan.cards[3]!.warnings[0]!.kind).toBe('drawn');
    expect(plan.cards[3]!.genderUncertain).toBe(true);
    expect(plan.numberOf(plan.cards[3]!)).toBe(3);
    plan.cards[2]!.gender.set = 'male';
    plan.cards[2]!.sourceAge = '41';
    await plan.run(api, { ages: [20, 60], modelId: null });
    expect(sent[0]!.faces).toEqual([{ face: 0 }, { face: 2, sourceAge: 41, gender: 'male' }, { box: [201, 20, 30, 30] }]);
    expect(plan.result?.gifUrl).toBe('/files/t.gif');
    expect(plan.cards[0]!.genderUncertain).toBe(true);
    expect(plan.cards[2]!.genderUncertain).toBe(false);
    plan.cards[0]!.gender.set = 'female';
    expect(plan.cards[0]!.genderUncertain).toBe(false);
    expect(plan.cards[0]!.gender.label).toBe('female (set)');
    expect(plan.cards[0]!.choice()).toEqual({ face: 0, gender: 'female' });
  });

  it('refuses to run with no face ticked', async () => {
    const { api, sent } = fakeApi();
    const plan = new TeamPlan('p1', [face(0, 10)]);
    plan.cards[0]!.ticked = false;
    await plan.run(api, { ages: [20], modelId: null });
    expect(plan.error).toMatch(/Tick at least one face/);
    expect(sent).toEqual([]);
  });
});
