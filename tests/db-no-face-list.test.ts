import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { insertEditedCrop } from '../db/crops.js';
import { ensureDataset } from '../db/datasets.js';
import { listNoFaceImages, NO_FACE_ERROR } from '../db/faces.js';
import { insertImages, markImagePrepare } from '../db/images.js';
import { CROP_KEYPOINTS, cropData } from './helpers/crop-data.js';
import { tempDir } from './helpers/env.js';

describe('listNoFaceImages', () => {
  it('pages the photos without a face and without a crop, oldest first, per dataset or all', () => {
    const db = openCatalogue(tempDir('noface-list'));
    try {
      const a = ensureDataset(db, { root: '/a', format: 'utkface' }).id;
      const b = ensureDataset(db, { root: '/b', format: 'cacd' }).id;
      const ids = insertImages(
        db,
        Array.from({ length: 30 }, (_, k) => ({ datasetId: k % 3 === 0 ? b : a, relPath: `${k}.jpg`, contentHash: `h${k}`, width: 80 + k, height: 90, format: 'jpeg', age: k, gender: 'female' as const })),
      ) as number[];
      ids.forEach((id, k) => {
        if (k % 2 === 0) markImagePrepare(db, id, 'failed', NO_FACE_ERROR);
        else if (k % 5 === 0) markImagePrepare(db, id, 'failed', 'face too small: the eyes are 3.0 px apart');
        else markImagePrepare(db, id, 'done');
      });
      // A hand-placed crop takes a photo off the list.
      insertEditedCrop(db, { ...cropData(ids[4]!), manualPoints: CROP_KEYPOINTS });
      const want = ids.filter((_, k) => k % 2 === 0 && k !== 4);
      const all = listNoFaceImages(db, { offset: 0, limit: 100 });
      expect(all.total).toBe(14);
      expect(all.rows.map((r) => r.imageId)).toEqual(want);
      expect(all.rows[1]).toEqual({ imageId: ids[2], datasetId: a, relPath: '2.jpg', root: '/a', width: 82, height: 90, age: 2, gender: 'female', split: null, reason: NO_FACE_ERROR });
      expect(listNoFaceImages(db, { offset: 5, limit: 4 })).toMatchObject({ total: 14, rows: want.slice(5, 9).map((imageId) => ({ imageId })) });
      const inB = listNoFaceImages(db, { datasetId: b, offset: 1, limit: 100 });
      expect(inB.total).toBe(5);
      expect(inB.rows.map((r) => r.imageId)).toEqual(ids.filter((_, k) => k % 6 === 0).slice(1));
      expect(listNoFaceImages(db, { offset: 20, limit: 10 })).toEqual({ total: 14, rows: [] });
    } finally {
      db.close();
    }
  });
});
