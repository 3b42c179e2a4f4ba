import path from 'node:path';
import type { AgedPhotoFace } from '../ml/aging/age-photo.js';
import { writeFileAtomic } from '../ml/io/write-file-atomic.js';
import { encodePng, writeGif, writeStrip } from '../ml/aging/writers.js';

/** GIF frames per second when the request names none (the CLI's --fps, ageRun's fps). */
export const DEFAULT_FPS = 6;

/** Where one aged face's files go (absolute paths); null or absent = not written. */
export interface FaceFiles {
  readonly gif: string;
  /** The frames left to right, each at full size. */
  readonly strip: string | null;
  /** A GIF of the aligned crop frames. */
  readonly cropGif?: string | null;
  /** A folder for every frame as a PNG, `NN-ageA.png`, and its aligned crop, `NN-ageA-crop.png`. */
  readonly framesDir?: string | null;
}

export interface WrittenFrame {
  readonly age: number;
  readonly file: string;
  readonly cropFile: string | null;
}

async function writeFrames(face: AgedPhotoFace, dir: string): Promise<WrittenFrame[]> {
  const written: WrittenFrame[] = [];
  for (const [i, frame] of face.frames.entries()) {
    const age = face.ages.ages[i]!;
    const stem = path.join(dir, `${String(i).padStart(2, '0')}-age${Math.round(age)}`);
    await writeFileAtomic(`${stem}.png`, await encodePng(frame));
    const crop = face.cropFrames[i];
    if (crop) await writeFileAtomic(`${stem}-crop.png`, await encodePng(crop));
    written.push({ age, file: `${stem}.png`, cropFile: crop ? `${stem}-crop.png` : null });
  }
  return written;
}

/** Writes the files `files` asks for; returns the frames written to `framesDir` (none without it). */
export async function writeFaceFiles(face: AgedPhotoFace, files: FaceFiles, fps: number): Promise<WrittenFrame[]> {
  const frames = files.framesDir ? await writeFrames(face, files.framesDir) : [];
  await writeGif(files.gif, face.frames, { fps });
  if (files.strip) await writeStrip(files.strip, face.frames);
  if (files.cropGif) await writeGif(files.cropGif, face.cropFrames, { fps });
  return frames;
}
