import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { MIGRATIONS } from '../db/schema.js';
import { REPO_ROOT } from './helpers/env.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();
const CHILD = path.join(REPO_ROOT, 'tests/helpers/open-catalogue.mjs');

interface Opened {
  version?: number;
  tables?: string[];
  error?: string;
}

/** Starts a process that opens the catalogue of dataDir when told "go"; resolves once it is ready to. */
function startOpener(dataDir: string): Promise<{ child: ChildProcess; result: Promise<Opened> }> {
  const child = spawn(process.execPath, [CHILD, dataDir], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<Opened>((resolve, reject) => {
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (last.startsWith('{')) resolve(JSON.parse(last) as Opened);
      else reject(new Error(`opener exited ${code}: ${out}${err}`));
    });
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout!.on('data', (d: Buffer) => {
      const wasReady = out.includes('ready\n');
      out += d.toString();
      if (!wasReady && out.includes('ready\n')) resolve({ child, result });
    });
    result.catch(reject);
  });
}

describe('catalogue migrations', () => {
  it('two processes opening the same new catalogue at once both succeed (needs npm run build:node)', async () => {
    const reference = openCatalogue(tempDir('migrate-reference'));
    const expectedTables = reference
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    reference.close();
    expect(expectedTables).toContain('crops_review_quality');

    for (let round = 0; round < 6; round++) {
      const dataDir = tempDir(`migrate-race-${round}`);
      const openers = await Promise.all([startOpener(dataDir), startOpener(dataDir)]);
      for (const o of openers) o.child.stdin!.end('go\n');
      const results = await Promise.all(openers.map((o) => o.result));
      for (const r of results) expect(r, `round ${round}`).toEqual({ version: MIGRATIONS.length, tables: expectedTables });
    }
  }, 60_000);
});
