import path from 'node:path';
import type { AgedPhotoFace } from '../ml/aging/age-photo.js';
import type { RawImage } from '../ml/estimators/image.js';
import { GifStream } from '../ml/aging/gif-stream.js';
import type { ComposedFrameSink } from '../ml/aging/team-compose.js';
import { writeFileAtomic } from '../ml/io/write-file-atomic.js';
import { StripSpool } from '../ml/aging/strip-spool.js';
import { encodePng, writeGif } from '../ml/aging/writers.js';

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

/**
 * Writes the files `files` asks for as the face's frames arrive, one target age at a time (a sink of agePhoto): the
 * GIF streams each frame to its encoder, the frames folder gets each frame's PNG, and the strip is joined at the end
 * from those PNGs (or, without a frames folder, from PNGs spooled beside the strip: StripSpool), so no frame is kept.
 * The files are complete once the last frame is in; `frames` then lists the ones written to `framesDir`.
 */
export class FaceFileWriter implements ComposedFrameSink {
  readonly frames: WrittenFrame[] = [];
  private gif: GifStream | null = null;
  private count = 0;
  private readonly strip: StripSpool | null;

  constructor(
    private readonly face: AgedPhotoFace,
    readonly files: FaceFiles,
    private readonly fps: number,
    private readonly onFirstFrame: () => void = () => undefined,
  ) {
    this.strip = files.strip ? new StripSpool(files.strip) : null;
  }

  start(info: { width: number; height: number; changing: Uint8Array; frames: number }): void {
    this.gif = new GifStream(info.width, info.height, info.changing, { fps: this.fps });
    this.count = info.frames;
  }

  async frame(k: number, frame: RawImage): Promise<void> {
    if (k === 0) this.onFirstFrame();
    await this.gif!.add(frame);
    const { framesDir } = this.files;
    if (framesDir) {
      const age = this.face.ages.ages[k]!;
      const stem = path.join(framesDir, `${String(k).padStart(2, '0')}-age${Math.round(age)}`);
      await writeFileAtomic(`${stem}.png`, await encodePng(frame));
      const crop = this.face.cropFrames[k];
      if (crop) await writeFileAtomic(`${stem}-crop.png`, await encodePng(crop));
      this.frames.push({ age, file: `${stem}.png`, cropFile: crop ? `${stem}-crop.png` : null });
      this.strip?.addFile(`${stem}.png`);
    } else {
      await this.strip?.add(frame);
    }
    if (k === this.count - 1) await this.finish();
  }

  private async finish(): Promise<void> {
    try {
      await this.gif!.write(this.files.gif);
      this.gif = null;
      await this.strip?.write();
      if (this.files.cropGif) await writeGif(this.files.cropGif, this.face.cropFrames, { fps: this.fps });
    } finally {
      this.discard();
    }
  }

  /** Removes the spooled strip frames (also when the aging failed before its last frame). */
  discard(): void {
    this.strip?.discard();
  }
}
