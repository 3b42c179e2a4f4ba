import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { deleteDataset, ensureDataset, getDataset, getDatasetByRoot, listDatasets } from '../db/datasets.js';
import { countImages, getImage, listImages, listImagesForPrepare, markImagePrepare, updateImageLabels } from '../db/images.js';
import { importDataset } from '../db/importers/run.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

describe('datasets and images repository', () => {
  let db: Db;
  let datasetId: number;
  beforeAll(async () => {
    db = openCatalogue(tempDir('db-images'));
    datasetId = (await importDataset(db, { path: FGNET_DIR })).dataset;
  });
  afterAll(() => db.close());

  it('lists datasets with their counts and finds them by absolute root', () => {
    expect(listDatasets(db)).toEqual([expect.objectContaining({ id: datasetId, format: 'fgnet', name: 'fgnet', root: FGNET_DIR, images: 73, errors: 0 })]);
    expect(getDatasetByRoot(db, path.join(FGNET_DIR, 'images', '..'))?.id).toBe(datasetId);
    expect(ensureDataset(db, { root: FGNET_DIR, format: 'fgnet' }).id).toBe(datasetId);
    expect(getDataset(db, 999)).toBeUndefined();
  });

  it('hands pending images to preparation and records its outcome', () => {
    const first = listImagesForPrepare(db, { datasetId, limit: 3 });
    expect(first).toHaveLength(3);
    expect(first.map((i) => i.id)).toEqual([...first.map((i) => i.id)].sort((a, b) => a - b));
    markImagePrepare(db, first[0]!.id, 'done');
    markImagePrepare(db, first[1]!.id, 'failed', 'no face found');
    expect(getImage(db, first[1]!.id)).toMatchObject({ prepareStatus: 'failed', prepareError: 'no face found' });
    expect(listImagesForPrepare(db)).toHaveLength(71);
    expect(listImagesForPrepare(db)[0]!.id).toBe(first[2]!.id);
    markImagePrepare(db, first[1]!.id, 'pending', 'ignored');
    expect(getImage(db, first[1]!.id)).toMatchObject({ prepareStatus: 'pending', prepareError: null });
    expect(listImages(db, { prepareStatus: 'done' }).map((i) => i.id)).toEqual([first[0]!.id]);
  });

  it('edits labels and refuses impossible ones', () => {
    const im = listImages(db, { limit: 1 })[0]!;
    expect(updateImageLabels(db, im.id, { age: 42.5, gender: 'female' })).toMatchObject({ id: im.id, age: 42.5, gender: 'female', subject: im.subject });
    expect(updateImageLabels(db, im.id, { age: null })).toMatchObject({ age: null, gender: 'female' });
    expect(() => updateImageLabels(db, im.id, { age: 121 })).toThrow(/age 121 is outside 0-120/);
    expect(() => updateImageLabels(db, im.id, { gender: 'other' as 'male' })).toThrow(/gender must be one of/);
    expect(() => updateImageLabels(db, 123456, { age: 3 })).toThrow(/no image with id 123456/);
    expect(getImage(db, im.id)).toMatchObject({ age: null, gender: 'female' });
  });

  it('deletes a dataset with its images and ground-truth faces', () => {
    expect(deleteDataset(db, datasetId)).toBe(true);
    expect(countImages(db)).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(0);
  });
});
