/**
 * The journal of an export, OUT_DIR/.chronoface-export/journal.json, rewritten atomically at each checkpoint: the
 * settings it was started with, the last crop whose row is whole on disk, the counts so far and how many bytes of each
 * appended file hold whole samples. A resume starts from it; nothing it lists as finished is written again.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportSkip } from '../../domain/export.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import type { LayoutState } from './layout.js';

export const JOURNAL_DIR = '.chronoface-export';
const JOURNAL_FILE = 'journal.json';

export interface ExportJournal {
  readonly version: 1;
  /** Hash of the settings: a resume needs the same. */
  readonly fingerprint: string;
  readonly settings: Record<string, unknown>;
  readonly command: string;
  readonly startedAt: string;
  status: 'running' | 'complete' | 'incomplete' | 'cancelled';
  error: string | null;
  lastCropId: number;
  exported: number;
  skipped: number;
  skips: ExportSkip[];
  bySplit: Record<string, number>;
  byGender: Record<string, number>;
  byDecade: Record<string, number>;
  preparations: Record<string, number>;
  layout: LayoutState;
}

export function journalPath(outDir: string): string {
  return path.join(outDir, JOURNAL_DIR, JOURNAL_FILE);
}

export function readJournal(outDir: string): ExportJournal | null {
  try {
    const j = JSON.parse(fs.readFileSync(journalPath(outDir), 'utf8')) as ExportJournal;
    return j.version === 1 ? j : null;
  } catch {
    return null;
  }
}

export async function writeJournal(outDir: string, journal: ExportJournal): Promise<void> {
  await writeFileAtomic(journalPath(outDir), `${JSON.stringify(journal)}\n`);
}
