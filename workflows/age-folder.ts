import fs from 'node:fs';
import path from 'node:path';
import { clampAges } from '../ml/aging/ages.js';
import { writeContactSheet, type ContactSheetRow } from '../ml/aging/contact-sheet.js';
import { outputStem } from '../ml/aging/outputs.js';
import { agePhotoToFiles, type AgedPhotoFiles, type AgeJob } from './age.js';
import type { AgeProgress } from './age-stages.js';

export interface FolderJob extends Omit<AgeJob, 'photo' | 'files' | 'onProgress'> {
  readonly photos: readonly string[];
  readonly outDir: string;
  /** Stops before the next photo. */
  readonly signal?: AbortSignal;
  onProgress?(index: number, photo: string, progress: AgeProgress): void;
  /** Each photo once it is done: its faces' files, or why it failed. */
  onPhoto(result: FolderPhoto): void;
}

export type FolderPhoto = { readonly photo: string; readonly aged: AgedPhotoFiles } | { readonly photo: string; readonly error: string };

export interface FolderResult {
  readonly photos: number;
  readonly failed: number;
  readonly faces: number;
  readonly contactSheet: string | null;
}

/** Ages every face of every photo into `<stem>.gif/.png` (`<stem>-<k>` for several faces) and a contact sheet of all strips. */
export async function ageFolder(job: FolderJob): Promise<FolderResult> {
  fs.mkdirSync(job.outDir, { recursive: true });
  const used = new Set<string>();
  const rows: ContactSheetRow[] = [];
  let failed = 0;
  let faces = 0;
  for (const [i, photo] of job.photos.entries()) {
    if (job.signal?.aborted) break;
    let stem: string | undefined;
    try {
      const aged = await agePhotoToFiles({
        ...job,
        photo,
        options: { ...job.options, allFaces: true },
        files: (face, count) => {
          stem ??= outputStem(photo, used);
          const name = count > 1 ? `${stem}-${face.face}` : stem;
          return { gif: path.join(job.outDir, `${name}.gif`), strip: path.join(job.outDir, `${name}.png`) };
        },
        onProgress: (p) => job.onProgress?.(i, photo, p),
      });
      for (const f of aged.faces) rows.push({ label: path.basename(f.files.gif, '.gif'), stripFile: f.files.strip! });
      faces += aged.faces.length;
      job.onPhoto({ photo, aged });
    } catch (err) {
      failed++;
      job.onPhoto({ photo, error: err instanceof Error ? err.message : String(err) });
    }
  }
  let contactSheet: string | null = null;
  if (rows.length > 0) {
    contactSheet = path.join(job.outDir, 'contact-sheet.png');
    await writeContactSheet(contactSheet, rows, { ages: clampAges(job.options.ages, job.model.ageRange).ages });
  }
  return { photos: job.photos.length, failed, faces, contactSheet };
}
