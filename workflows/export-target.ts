/** OUT_DIR before an export: empty, an unfinished export of the same settings to resume, or refused. */
import fs from 'node:fs';
import path from 'node:path';
import { CSV_FILE } from '../ml/export/csv-layout.js';
import { JOURNAL_DIR, readJournal, type ExportJournal } from '../ml/export/journal.js';
import { ExportError } from './export-choices.js';

export const CARD = 'README.md';

/** Top-level names a Chronoface export writes (what --force removes). */
function isExportEntry(name: string): boolean {
  return [CARD, CSV_FILE, JOURNAL_DIR, 'train', 'validation', 'test', 'unassigned', 'images'].includes(name) || /^(train|validation|test|unassigned)-\d{6}\.tar$/.test(name);
}

function entriesOf(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ExportError('not-empty', `${dir} is a file, not a folder`);
    throw err;
  }
}

/** The journal to resume from (null: start afresh, after removing `stale`); refuses a non-empty OUT_DIR otherwise. */
export function resumeOrRefuse(outDir: string, fingerprint: string, force: boolean): { journal: ExportJournal | null; stale: string[] } {
  const entries = entriesOf(outDir);
  if (entries.length === 0) return { journal: null, stale: [] };
  const previous = readJournal(outDir);
  if (previous && previous.fingerprint === fingerprint && previous.status !== 'complete' && !force) return { journal: previous, stale: [] };
  if (force) return { journal: null, stale: entries.filter(isExportEntry).map((name) => path.join(outDir, name)) };
  const why = !previous
    ? `it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`
    : previous.fingerprint !== fingerprint
      ? 'it holds an export with other settings'
      : 'it holds this export, finished';
  throw new ExportError('not-empty', `${outDir} is not empty: ${why}; choose an empty folder, or pass --force to write there anyway`);
}
