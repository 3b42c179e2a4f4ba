import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFaces, type DetectedFace } from '../ml/prep/detect.js';
import { loadPhoto } from '../ml/prep/photo.js';
import type { Box } from '../domain/face.js';
import { makeGroupPhoto, recallByWidth, scoreDetections } from './helpers/group-photo.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';

/** Composite group photos of UTKFace test-split faces 40-150 px wide: 106 faces on 1,600-6,000 px canvases. */
const GROUPS = [
  { faces: 12, widths: [40, 150], canvas: [1600, 900], seed: 11 },
  { faces: 24, widths: [40, 150], canvas: [2400, 1350], seed: 12 },
  { faces: 30, widths: [40, 150], canvas: [4000, 3000], seed: 13 },
  { faces: 40, widths: [40, 100], canvas: [6000, 2400], seed: 14 },
] as const;

const centre = (b: Box): [number, number] => [b[0] + b[2] / 2, b[1] + b[3] / 2];
const near = (f: DetectedFace, b: Box): boolean => Math.hypot(centre(f.box)[0] - centre(b)[0], centre(f.box)[1] - centre(b)[1]) < b[2] / 2;

describe('finding every face of a team photo', () => {
  const host = visionHostForSuite();

  it('finds at least 95 % of 106 faces 40-150 px wide on 1,600-6,000 px composites, with at most one box on no face', async () => {
    const truth: Box[] = [];
    const found: boolean[] = [];
    const falseBoxes: Box[] = [];
    for (const g of GROUPS) {
      const group = await makeGroupPhoto({ ...g, widths: [...g.widths], canvas: [...g.canvas] });
      const faces = await detectFaces(host, await loadPhoto(group.jpeg));
      const score = scoreDetections(group.boxes, faces.map((f) => f.box));
      truth.push(...group.boxes);
      found.push(...score.found);
      falseBoxes.push(...score.falseBoxes);
      expect(score.duplicates, `seed ${g.seed}: one face boxed twice`).toBe(0);
      // The landmarks are the face's own: the eyes lie inside its true box.
      for (const f of faces) {
        const b = group.boxes.find((t) => near(f, t));
        if (b) for (const [x, y] of [f.keypoints.leftEye, f.keypoints.rightEye]) expect(x > b[0] && x < b[0] + b[2] && y > b[1] && y < b[1] + b[3]).toBe(true);
      }
    }
    const recall = found.filter(Boolean).length / truth.length;
    console.log(`team detection: recall ${recall.toFixed(3)} of ${truth.length} faces, ${falseBoxes.length} false boxes; by width ${JSON.stringify(recallByWidth(truth, found))}`);
    expect(truth.length).toBeGreaterThanOrEqual(100);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(falseBoxes.length, `boxes on no face: ${JSON.stringify(falseBoxes)}`).toBeLessThanOrEqual(1);
  });

  it('keeps two overlapping faces (a child in front of a parent) and flags a face cut by the edge as partial', async () => {
    // Parent 150 px; child 90 px over the parent's lower right; a third face, 100 px, half past the right edge.
    const at = [[600, 300, 150], [700, 430, 90], [1540, 500, 100]] as const;
    const group = await makeGroupPhoto({ faces: 0, widths: [0, 0], canvas: [1600, 1000], seed: 21, at });
    const faces = await detectFaces(host, await loadPhoto(group.jpeg));
    const [parent, child, cut] = group.boxes.map((b) => faces.filter((f) => near(f, b)));
    expect([parent!.length, child!.length, cut!.length]).toEqual([1, 1, 1]);
    expect(faces).toHaveLength(3);
    expect(cut![0]!.flags).toContain('partial');
    expect(parent![0]!.flags ?? []).not.toContain('partial');
    expect(child![0]!.flags ?? []).not.toContain('partial');
  });

  it('caps the faces at maxFaces, the most prominent kept', async () => {
    const group = await makeGroupPhoto({ faces: 12, widths: [60, 140], canvas: [1600, 900], seed: 11 });
    const photo = await loadPhoto(group.jpeg);
    const all = await detectFaces(host, photo);
    const five = await detectFaces(host, photo, { maxFaces: 5 });
    expect(all.length).toBeGreaterThanOrEqual(11);
    expect(five.map((f) => f.box)).toEqual(all.slice(0, 5).map((f) => f.box));
    await expect(detectFaces(host, photo, { maxFaces: 0 })).rejects.toThrow(/maxFaces must be a whole number of at least 1, got 0/);
  });

  it('leaves a one-face portrait to the first pass (no search: the same faces as search "never")', async () => {
    const photo = await loadPhoto(path.join(FGNET_DIR, 'images/005A18.JPG'));
    const auto = await detectFaces(host, photo);
    const never = await detectFaces(host, photo, { search: 'never' });
    expect(auto).toHaveLength(1);
    expect(auto).toEqual(never);
  });
});
