import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { importDataset } from '../db/importers/run.js';
import { decadeBin as ageBin } from '../domain/age-bins.js';
import { catalogueStats } from '../db/stats.js';
import { tempDir } from './helpers/env.js';
import { makeJpeg } from './import-fixtures.js';

describe('catalogue stats', () => {
  it('bins ages at decade edges', () => {
    expect([0, 9.99, 10, 89.5, 90, 120].map(ageBin)).toEqual(['0-9', '0-9', '10-19', '80-89', '90+', '90+']);
  });

  it('counts images by gender, age bin and split, and crops by status', async () => {
    const root = tempDir('stats');
    const rows = ['path,age,gender,split'];
    const labels: [number | '', string, string][] = [[5, 'M', 'train'], [15, 'F', 'train'], [95, 'F', 'test'], ['', 'M', 'val'], [9.5, '', '']];
    for (const [i, [age, g, split]] of labels.entries()) {
      fs.writeFileSync(path.join(root, `${i}.jpg`), await makeJpeg(10, 10, i));
      rows.push(`${i}.jpg,${age},${g},${split}`);
    }
    fs.writeFileSync(path.join(root, 'l.csv'), rows.join('\n'));
    const db = openCatalogue(tempDir('stats-data'));
    try {
      await importDataset(db, { path: root });
      const ids = listImages(db).map((i) => i.id);
      const addCrop = db.prepare(
        `INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status) VALUES (?, 'c.png', 64, '[]', '[]', '[]', '{}', ?)`,
      );
      addCrop.run(ids[0], 'accepted');
      addCrop.run(ids[1], 'accepted');
      addCrop.run(ids[2], 'needs-fix');
      addCrop.run(ids[3], 'pending');
      const s = catalogueStats(db);
      expect(s).toEqual({
        images: 5,
        byGender: { male: 2, female: 2, unknown: 1 },
        byAgeBin: { '0-9': 2, '10-19': 1, '20-29': 0, '30-39': 0, '40-49': 0, '50-59': 0, '60-69': 0, '70-79': 0, '80-89': 0, '90+': 1 },
        ageUnknown: 1,
        // The one image without a split gets one at import.
        bySplit: expect.objectContaining({ unassigned: 0 }),
        byStatus: { pending: 1, accepted: 2, rejected: 0, 'needs-fix': 1 },
      });
      expect(s.bySplit.train + s.bySplit.val + s.bySplit.test).toBe(5);
    } finally {
      db.close();
    }
  });
});
