import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:unit`: the fast tier. No browser, no CLI or trainer process, no build needed: the library and the
 * renderer's specs, on the real data in ../shared.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: undefined,
    include: [
      'renderer/src/**/*.spec.ts',
      'tests/aging-{blend,model-choice,paste-back,paste-back-grey,writers,writers-gif,writers-paste-reference}.test.ts',
      'tests/aging-detail.test.ts',
      'tests/aging-younger.test.ts',
      'tests/aging-younger-skin.test.ts',
      'tests/aging-line-filter.test.ts',
      'tests/aging-tone-hold.test.ts',
      'tests/aging-bright-cap.test.ts',
      'tests/aging-dark-cap.test.ts',
      'tests/aging-broad-follow.test.ts',
      'tests/aging-child-shade.test.ts',
      'tests/aging-grey-beard.test.ts',
      'tests/aging-grain.test.ts',
      'tests/aging-change-average.test.ts',
      'tests/aging-feature-shield.test.ts',
      'tests/aging-detail-bank.test.ts',
      'tests/aging-{gif-stream,team-compose}.test.ts',
      'tests/aging-face-warnings.test.ts',
      'tests/aging-kernels.test.ts',
      'tests/cvae-*.test.ts',
      'tests/docs-links.test.ts',
      'tests/db-{images,migration-formats,no-face-list,review-counts}.test.ts',
      'tests/eval-*.test.ts',
      'tests/export-rows.test.ts',
      'tests/import-{cacd,corrupt,fgnet,imdb-wiki,mat-file,morph2,utkface}.test.ts',
      'tests/import-fuzz.test.ts',
      'tests/import-csv-limits.test.ts',
      'tests/io-*.test.ts',
      'tests/main-*.test.ts',
      'tests/model-files-check.test.ts',
      'tests/prep-unit.test.ts',
      'tests/prep-face-search-unit.test.ts',
      'tests/serve-limits.test.ts',
      'tests/serve-events.test.ts',
      'tests/service-contract.test.ts',
      'tests/shape-{prototypes,warp}.test.ts',
      'tests/shape-prototypes-stream.test.ts',
      'tests/stats-catalogue.test.ts',
      'tests/train-loss-curve.test.ts',
      'tests/aging-hair-grey.test.ts',
    ],
  },
});
