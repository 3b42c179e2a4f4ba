import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLines, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { emptyStructBomb, zeroInflationBomb } from './helpers/hostile-mat.js';
import { bulkImdbRows, writeImdbWikiFixture } from './helpers/imdb-wiki-fixture.js';
import { runCliMeasured } from './helpers/peak-rss.js';

/** The bounds for a hostile file: refused within 20 s, under 600 MB. */
const MAX_MS = 20_000;
const MAX_RSS_MB = 600;

describe('chronoface import --format imdb-wiki: hostile wiki.mat files (built CLI)', () => {
  let dataDir: string;
  let goodStats: Record<string, unknown>;

  beforeAll(async () => {
    dataDir = tempDir('hostile-data');
    const good = path.join(tempDir('hostile-good'), 'wiki_crop');
    await writeImdbWikiFixture(good, 'wiki', bulkImdbRows(40));
    const r = await runCli(['import', '--data-dir', dataDir, '--json', '--format', 'imdb-wiki', good]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.last).toMatchObject({ imported: 40, failed: 0 });
    goodStats = (await runCli(['stats', '--data-dir', dataDir, '--json'])).last;
    expect(goodStats).toMatchObject({ images: 40 });
  }, 60_000);

  const cases: [string, () => Promise<Buffer> | Buffer, RegExp][] = [
    ['a 192-byte struct declaring 2,000,000,000 records with no fields', () => emptyStructBomb(), /wiki\.mat cannot be read: wiki: declares 2000000000 struct elements, but only 0 bytes are left/],
    ['one compressed variable that inflates to 1 GiB of zeros', () => zeroInflationBomb(), /wiki\.mat cannot be read: variable "wiki": inflates to more than \d+ bytes, the limit for a \d+-byte file/],
  ];

  for (const [what, make, message] of cases) {
    it(`refuses ${what} within ${MAX_MS / 1000} s under ${MAX_RSS_MB} MB, naming the file, and keeps the earlier import`, async () => {
      const folder = path.join(tempDir('hostile'), 'wiki_crop');
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'wiki.mat'), await make());
      const r = await runCliMeasured(['import', '--data-dir', dataDir, '--json', '--format', 'imdb-wiki', folder], MAX_MS + 5_000);
      console.log(`hostile wiki.mat (${what}): exit ${r.code}, ${r.ms} ms, peak RSS ${r.peakRssMb} MB`);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code).not.toBe(0);
      expect(String(parseJsonLines(r.stdout).at(-1)?.error)).toMatch(message);
      expect(r.ms).toBeLessThan(MAX_MS);
      expect(r.peakRssMb).toBeGreaterThan(0);
      expect(r.peakRssMb).toBeLessThan(MAX_RSS_MB);
      expect((await runCli(['stats', '--data-dir', dataDir, '--json'])).last).toEqual(goodStats);
    }, 60_000);
  }
});
