import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
import { cropHashPage, getCrop, getCropByImage, updateCropFix, type CropData, type CropRow } from '../../db/crops.js';
import { listFaces, replaceDetectedFaces } from '../../db/faces.js';
import { getImage, listImages, listImagesForPrepare, markImagePrepare, type ImageRow } from '../../db/images.js';
import { storeDetectedCrop } from '../../db/prepared-crops.js';
import { VisionHostGone, type VisionHost } from '../vision/host.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';
import { cleanStaleTemps, newCropRelPath, removeQuietly } from './crop-files.js';
import type { QualityFlag } from '../../domain/crop-flags.js';
import type { Keypoints } from '../../domain/keypoints.js';
import { detectFaces, interOcular, type DetectedFace } from './detect.js';
import type { Point } from './geometry.js';
import { loadPhoto } from './photo.js';
import { faceSegmentRequest, prepareFace, type PreparedFace } from './prepare-face.js';
import { correlation, DUPLICATE_MAX_DISTANCE, DUPLICATE_MIN_CORRELATION, faceWindow, luminance, qualityScore } from './quality.js';
import { normalizePrepSettings, type PrepSettings } from './settings.js';
import { PhashIndex } from './phash-index.js';

/** Below this inter-ocular distance (source px) a face is refused as too small to align. */
export const MIN_INTER_OCULAR = 16;

export type PrepareEvent =
  | { type: 'image'; imageId: number; status: 'done'; cropId: number; faces: number; flags: string[]; quality: number }
  | { type: 'image'; imageId: number; status: 'failed'; error: string };

export interface PrepareSummary {
  total: number;
  done: number;
  failed: number;
  /** Images already prepared before this run (not touched). */
  skipped: number;
  crops: number;
  duplicates: number;
  seconds: number;
  cancelled: boolean;
}

export interface PrepareOptions {
  dataDir: string;
  db: Db;
  host: VisionHost;
  settings?: Partial<PrepSettings> | PrepSettings;
  /** Images in flight at once (default: 2 per vision page). */
  workers?: number;
  datasetId?: number;
  /** Only these images (pending or not). */
  imageIds?: number[];
  /** Prepare again images that are already done or failed. */
  redo?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, event: PrepareEvent) => void;
}

/** Hashes read per page while loading. At 485,000 crops the longest stretch without a turn of the event loop was
 *  66-90 ms with pages of 5,000 (110-167 ms with 20,000; the whole load, 1.3-1.9 s, at once before). */
export const HASH_PAGE = 5_000;

/** Perceptual-hash candidates, confirmed by correlating the central face windows of the crop files. */
export class DuplicateIndex {
  private readonly hashes = new PhashIndex(DUPLICATE_MAX_DISTANCE);
  /** Crop files written in this run (the catalogue may not have committed them yet). */
  private readonly files = new Map<number, string>();

  private constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {}

  /** Every crop's hash, a page at a time, giving way to other work between pages. */
  static async load(db: Db, dataDir: string, pageSize = HASH_PAGE): Promise<DuplicateIndex> {
    const index = new DuplicateIndex(db, dataDir);
    let after: [string, number] | null = null;
    for (;;) {
      const page = cropHashPage(db, after, pageSize);
      for (const [id, phash] of page) index.hashes.set(id, phash);
      if (page.length < pageSize) return index;
      const [id, phash] = page[page.length - 1]!;
      after = [phash, id];
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async windowOf(id: number): Promise<Float32Array | null> {
    const rel = this.files.get(id) ?? getCrop(this.db, id)?.file;
    if (!rel) return null;
    try {
      const { data, info } = await sharp(path.join(this.dataDir, rel)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.width !== info.height || info.channels !== 3) return null;
      return faceWindow(luminance(data, info.width * info.height), info.width);
    } catch {
      return null;
    }
  }

  async find(phash: string, crop: Buffer, size: number, exceptId?: number): Promise<number | null> {
    const candidates = this.hashes.near(phash, 8, exceptId);
    if (candidates.length === 0) return null;
    const mine = faceWindow(luminance(crop, size * size), size);
    for (const { id } of candidates) {
      const other = await this.windowOf(id);
      if (other && correlation(mine, other) >= DUPLICATE_MIN_CORRELATION) return id;
    }
    return null;
  }

  add(id: number, phash: string, file: string): void {
    this.hashes.set(id, phash);
    this.files.set(id, file);
  }
}

/** A minimal async mutex. */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/** The browser or page died: not the image's fault, so the run stops and the image stays pending. */
export function isHostFailure(err: unknown): boolean {
  return err instanceof VisionHostGone;
}

class HostFailure extends Error {
  override readonly name = 'HostFailure';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Detects, aligns, cleans and scores every pending image; resumable, one failure reason per image. */
export async function runPrepare(opts: PrepareOptions): Promise<PrepareSummary> {
  const t0 = performance.now();
  const { db, dataDir, host } = opts;
  const settings = normalizePrepSettings(opts.settings);
  cleanStaleTemps(dataDir);
  let images: ImageRow[];
  let skipped = 0;
  if (opts.imageIds) {
    images = opts.imageIds.map((id) => getImage(db, id)).filter((im): im is ImageRow => !!im);
    if (!opts.redo) {
      const before = images.length;
      images = images.filter((im) => im.prepareStatus === 'pending');
      skipped = before - images.length;
    }
  } else if (opts.redo) {
    images = listImages(db, { datasetId: opts.datasetId });
  } else {
    images = listImagesForPrepare(db, { datasetId: opts.datasetId });
    skipped = listImages(db, { datasetId: opts.datasetId }).length - images.length;
  }
  const total = images.length;
  const dups = await DuplicateIndex.load(db, dataDir);
  const registerLock = new Lock();
  const summary: PrepareSummary = { total, done: 0, failed: 0, skipped, crops: 0, duplicates: 0, seconds: 0, cancelled: false };
  let finished = 0;
  let next = 0;
  const workers = Math.max(1, Math.floor(opts.workers ?? host.parallelism * 2));

  const fail = (image: ImageRow, error: string): void => {
    markImagePrepare(db, image.id, 'failed', error);
    summary.failed++;
    opts.onProgress?.(++finished, total, { type: 'image', imageId: image.id, status: 'failed', error });
  };

  const one = async (image: ImageRow): Promise<void> => {
    let photo;
    try {
      photo = await loadPhoto(image.sourcePath);
    } catch (err) {
      return fail(image, errorMessage(err));
    }
    let faces: DetectedFace[];
    try {
      faces = await detectFaces(host, photo, settings.background.enabled ? { segmentFace: faceSegmentRequest(settings) } : {});
    } catch (err) {
      if (isHostFailure(err)) throw new HostFailure(`the vision browser stopped: ${errorMessage(err)}`);
      return fail(image, `face detection failed: ${errorMessage(err)}`);
    }
    if (faces.length === 0) {
      // A crop a curator cut from hand-placed points (ml/prep/noface.ts) survives a redo that still finds nothing.
      const kept = getCropByImage(db, image.id);
      if (kept?.edited && kept.manualPoints) {
        markImagePrepare(db, image.id, 'done');
        summary.done++;
        const event = { type: 'image', imageId: image.id, status: 'done', cropId: kept.id, faces: 0, flags: kept.flags, quality: kept.quality ?? 0 } as const;
        opts.onProgress?.(++finished, total, event);
        return;
      }
      replaceDetectedFaces(db, image.id, [], -1);
      return fail(image, 'no face found');
    }
    const face = faces[0]!;
    const iod = interOcular(face.keypoints);
    if (iod < MIN_INTER_OCULAR) {
      replaceDetectedFaces(db, image.id, faces, 0);
      return fail(image, `face too small: the eyes are ${iod.toFixed(1)} px apart (at least ${MIN_INTER_OCULAR} px needed)`);
    }
    let prepared: PreparedFace;
    try {
      prepared = await prepareFace(host, photo, face, settings, { faceCount: faces.length });
    } catch (err) {
      if (isHostFailure(err)) throw new HostFailure(`the vision browser stopped: ${errorMessage(err)}`);
      return fail(image, `preparation failed: ${errorMessage(err)}`);
    }
    const rel = newCropRelPath(image.id);
    try {
      await writeFileAtomic(path.join(dataDir, rel), prepared.png);
    } catch (err) {
      return fail(image, `cannot write the crop: ${errorMessage(err)}`);
    }
    // Duplicate check and registration one image at a time, so two copies in flight together still meet.
    let cropId = 0;
    let flags: QualityFlag[] = [];
    let quality = 0;
    const release = await registerLock.acquire();
    try {
      const old = getCropByImage(db, image.id);
      const dupOf = await dups.find(prepared.phash, prepared.crop, prepared.size, old?.id);
      const marked = markedFlags(prepared, dupOf);
      flags = marked.flags;
      const signals = marked.signals;
      if (dupOf !== null) summary.duplicates++;
      quality = dupOf !== null ? qualityScore(prepared.signals, flags) : prepared.quality;
      cropId = storeDetectedCrop(db, image.id, faces, { ...preparedColumns(prepared, rel), settings, quality, signals, flags }, dupOf);
      if (old && old.file !== rel) removeQuietly(dataDir, old.file);
      dups.add(cropId, prepared.phash, rel);
    } finally {
      release();
    }
    summary.done++;
    summary.crops++;
    opts.onProgress?.(++finished, total, { type: 'image', imageId: image.id, status: 'done', cropId, faces: faces.length, flags, quality });
  };

  let fatal: Error | null = null;
  const lane = async (): Promise<void> => {
    while (next < images.length && !fatal) {
      if (opts.signal?.aborted) {
        summary.cancelled = true;
        return;
      }
      const image = images[next++]!;
      try {
        await one(image);
      } catch (err) {
        if (err instanceof HostFailure) fatal ??= err;
        else fail(image, errorMessage(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, images.length)) }, lane));
  if (fatal) throw fatal;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** Parses "x1,y1,...,x5,y5" (leftEye, rightEye, nose, mouthLeft, mouthRight; source px). */
export function parsePoints(text: string | readonly string[]): Keypoints {
  const parts = (typeof text === 'string' ? text.split(',') : [...text]).map((s) => s.trim()).filter((s) => s.length > 0);
  const nums = parts.map(Number);
  if (nums.length !== 10 || nums.some((n) => !Number.isFinite(n))) {
    throw new Error(`--points needs ten numbers x1,y1,...,x5,y5 (left eye, right eye, nose, left and right mouth corner), got "${parts.join(',')}"`);
  }
  const p = (i: number): Point => [nums[i * 2]!, nums[i * 2 + 1]!];
  return { leftEye: p(0), rightEye: p(1), nose: p(2), mouthLeft: p(3), mouthRight: p(4) };
}

/** The columns of a crop row that come straight from its prepared face, cut into `file`. */
export function preparedColumns(prepared: PreparedFace, file: string): Pick<CropData, 'file' | 'size' | 'transform' | 'inverse' | 'keypoints' | 'phash'> {
  return { file, size: prepared.size, transform: prepared.transform, inverse: prepared.inverse, keypoints: prepared.keypoints, phash: prepared.phash };
}

/** A prepared face's flags and signals (plus `extra` signals), marked as a duplicate of crop `dupOf` when it is one. */
export function markedFlags(prepared: PreparedFace, dupOf: number | null, extra: Record<string, unknown> = {}): { flags: QualityFlag[]; signals: Record<string, unknown> } {
  const flags: QualityFlag[] = [...prepared.flags];
  const signals: Record<string, unknown> = { ...prepared.signals, ...extra };
  if (dupOf !== null) {
    flags.push('duplicate');
    signals.duplicateOf = dupOf;
  }
  return { flags, signals };
}

/** Cuts a crop again from corrected five points (source px): marked edited, signals recomputed, same settings. */
export async function fixCrop(opts: { dataDir: string; db: Db; host: VisionHost; cropId: number; points: Keypoints }): Promise<CropRow> {
  const { db, dataDir, host } = opts;
  const crop = getCrop(db, opts.cropId);
  if (!crop) throw new Error(`crop ${opts.cropId} not found`);
  const image = getImage(db, crop.imageId);
  if (!image) throw new Error(`image ${crop.imageId} of crop ${opts.cropId} not found`);
  const settings = normalizePrepSettings(crop.settings);
  const photo = await loadPhoto(image.sourcePath);
  for (const [name, p] of Object.entries(opts.points) as [string, Point][]) {
    if (p[0] < -photo.width || p[0] > 2 * photo.width || p[1] < -photo.height || p[1] > 2 * photo.height) {
      throw new Error(`point ${name} (${p[0]}, ${p[1]}) is far outside the ${photo.width}x${photo.height} photo`);
    }
  }
  if (interOcular(opts.points) < 2) throw new Error('the two eye points are (almost) the same point');
  const detected = listFaces(db, image.id, 'detected');
  const prev = crop.signals as { score?: number; faceCount?: number };
  const prepared = await prepareFace(
    host,
    photo,
    { keypoints: opts.points, score: typeof prev.score === 'number' ? prev.score : 1 },
    settings,
    { faceCount: typeof prev.faceCount === 'number' ? prev.faceCount : Math.max(1, detected.length) },
  );
  const rel = newCropRelPath(image.id);
  await writeFileAtomic(path.join(dataDir, rel), prepared.png);
  const dupOf = await (await DuplicateIndex.load(db, dataDir)).find(prepared.phash, prepared.crop, prepared.size, crop.id);
  const { flags, signals } = markedFlags(prepared, dupOf);
  updateCropFix(db, crop.id, { ...preparedColumns(prepared, rel), quality: qualityScore(prepared.signals, flags), signals, flags, manualPoints: opts.points });
  if (crop.file !== rel) removeQuietly(dataDir, crop.file);
  return getCrop(db, crop.id)!;
}
