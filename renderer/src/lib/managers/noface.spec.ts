import { describe, expect, it } from 'vitest';
import type { ChronofaceApi, NoFacePhoto } from '../../../../contract/api.js';
import { asFileUrl } from '../../../../contract/files.js';
import { KEYPOINT_NAMES } from '../../../../contract/types.js';
import { defaultFacePoints, noFaceLabel, TEMPLATE_UNIT } from './noface.js';
import { NoFaceList } from './noface.svelte.js';

describe('pre-placed points for a photo with no face', () => {
  it('puts an upright face of plausible size in the middle of the photo', () => {
    for (const [w, h] of [[400, 500], [1200, 800], [200, 200]] as const) {
      const k = defaultFacePoints(w, h);
      for (const name of KEYPOINT_NAMES) {
        expect(k[name][0]).toBeGreaterThan(0);
        expect(k[name][0]).toBeLessThan(w);
        expect(k[name][1]).toBeGreaterThan(0);
        expect(k[name][1]).toBeLessThan(h);
      }
      const iod = k.rightEye[0] - k.leftEye[0];
      // 27 % of a square of 60 % of the shorter side: well above prepare's 16 px minimum for any usable photo.
      expect(iod).toBeCloseTo(0.27 * 0.6 * Math.min(w, h), 0);
      expect(iod).toBeGreaterThan(16);
      expect(Math.abs(k.leftEye[1] - k.rightEye[1])).toBeLessThan(1);
      expect(k.nose[1]).toBeGreaterThan(k.leftEye[1]);
      expect(k.mouthLeft[1]).toBeGreaterThan(k.nose[1]);
      expect(k.mouthLeft[0]).toBeLessThan(k.mouthRight[0]);
      // Centred horizontally: the eyes' midpoint is on the middle line.
      expect((k.leftEye[0] + k.rightEye[0]) / 2).toBeCloseTo(w / 2, 0);
    }
  });
  it('follows the template proportions', () => {
    const k = defaultFacePoints(1000, 1000);
    const side = 600;
    expect((k.mouthRight[1] - k.leftEye[1]) / side).toBeCloseTo(TEMPLATE_UNIT.mouthRight[1] - TEMPLATE_UNIT.leftEye[1], 2);
    expect(noFaceLabel(1)).toBe('1 photo with no face');
    expect(noFaceLabel(3)).toBe('3 photos with no face');
  });
});

function photos(n: number): NoFacePhoto[] {
  return Array.from({ length: n }, (_, i) => ({
    imageId: i + 1, datasetId: 1, url: asFileUrl(`/images/${i + 1}`), width: 300, height: 400, sourcePath: `/d/${i + 1}.jpg`,
    age: 30, gender: 'female', split: 'train', reason: 'no face found',
  }));
}

describe('NoFaceList', () => {
  it('loads pages, drops a photo once its crop exists, and reports errors', async () => {
    let all = photos(250);
    const calls: string[] = [];
    let fail = false;
    const api = {
      async alignNoFace(req) {
        calls.push(`${req.datasetId ?? '-'}:${req.offset}:${req.limit}`);
        if (fail) throw new Error('the service is down');
        const offset = req.offset ?? 0;
        return { total: all.length, offset, items: all.slice(offset, offset + (req.limit ?? 200)) };
      },
    } as Partial<ChronofaceApi> as ChronofaceApi;
    const list = new NoFaceList(api);
    await list.reload();
    expect([list.total, list.items.length, list.loaded]).toEqual([250, 200, true]);
    await list.more();
    expect(list.items.length).toBe(250);
    await list.more();
    expect(calls).toEqual(['-:0:200', '-:200:200']);

    list.open = list.items[4]!;
    list.resolved(5);
    all = all.filter((p) => p.imageId !== 5);
    expect([list.total, list.items.length, list.open]).toEqual([249, 249, null]);
    expect(list.items.some((p) => p.imageId === 5)).toBe(false);

    list.open = list.items[0]!;
    all = all.slice(1);
    await list.reload(1);
    expect(calls.at(-1)).toBe('1:0:200');
    expect(list.open).toBeNull();

    fail = true;
    await list.reload();
    expect(list.error).toBe('the service is down');
    expect(list.items.length).toBe(200);
  });
});
