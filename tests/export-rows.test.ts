/** The export's page query walks the crops' primary key whatever the filter: a page costs the same at any depth. */
import { describe, expect, it } from 'vitest';
import { exportPageQuery, exportRowsAfter, countExportRows } from '../db/export-rows.js';
import { syntheticCatalogue } from './helpers/export-catalogue.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const temp = tempDirsForFile();

describe('export pages', () => {
  it('search the primary key by range and never sort, for every filter', async () => {
    const db = await syntheticCatalogue(temp('export-rows'), 30);
    // Without the unary +, SQLite searches the review index by status and sorts every match for each page (15 s a page
    // at 485,000 crops).
    const filters = [
      { statuses: ['accepted', 'pending', 'rejected', 'needs-fix'] as const },
      { statuses: ['accepted'] as const, datasetId: 1 },
      { statuses: ['accepted'] as const, splits: ['val', 'test'] as const },
    ];
    for (const filter of filters) {
      for (const landmarks of [false, true]) {
        const q = exportPageQuery(filter, landmarks);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(0, ...q.params, 256) as { detail: string }[]).map((r) => r.detail);
        expect(plan[0], JSON.stringify(plan)).toMatch(/^SEARCH c USING INTEGER PRIMARY KEY \(rowid>\?\)/);
        expect(plan.join(' | ')).not.toContain('TEMP B-TREE');
      }
    }
    // Pages after pages cover the matching crops once each, in crop id order.
    const filter = { statuses: ['accepted'] as const, splits: ['train'] as const };
    const seen: number[] = [];
    for (let after = 0; ; ) {
      const page = exportRowsAfter(db, filter, after, 7, false);
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.cropId));
      after = page[page.length - 1]!.cropId;
    }
    expect(seen.length).toBe(countExportRows(db, filter));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    db.close();
  });
});
