import { dropBatch, getCropDetail, clearManualEdit, recordAlignmentEdit, imageSourceFile, type HistoryEntry, type Keypoints5 } from '../../db/review.js';
import { parseJson } from '../../db/catalogue.js';
import type { Keypoints } from '../../contract/types.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { toDetail } from './shape.js';
import type { HandlerGroup } from './types.js';

type AlignMethods = 'alignRecut' | 'alignPreview' | 'alignReset';

export interface Aligner {
  /** Cuts the crops of an alignment batch again from their previous points; returns how many were reverted. */
  undo(batch: string, entries: HistoryEntry[]): Promise<number>;
}

function mutable(k: Keypoints): Keypoints5 {
  return {
    leftEye: [k.leftEye[0], k.leftEye[1]],
    rightEye: [k.rightEye[0], k.rightEye[1]],
    nose: [k.nose[0], k.nose[1]],
    mouthLeft: [k.mouthLeft[0], k.mouthLeft[1]],
    mouthRight: [k.mouthRight[0], k.mouthRight[1]],
  };
}

/** The photo last decoded for previews: dragging a point asks for many previews of the same photo. */
interface PhotoCacheEntry {
  imageId: number;
  photo: Awaited<ReturnType<typeof import('../../ml/prep/photo.js').loadPhoto>>;
}

export function alignHandlers(ctx: ServiceContext): HandlerGroup<AlignMethods> & Aligner {
  const { db, bus } = ctx;
  let cached: PhotoCacheEntry | null = null;

  const detailOf = (id: number) => {
    const d = getCropDetail(db, id);
    if (!d) throw notFound(`crop ${id} does not exist`);
    return d;
  };

  const recut = async (cropId: number, points: Keypoints5): Promise<void> => {
    const { fixCrop } = await import('../../ml/prep/pipeline.js');
    await fixCrop({ dataDir: ctx.dataDir, db, host: await ctx.vision(), cropId, points });
  };

  return {
    async alignRecut({ id, keypoints }) {
      const before = detailOf(id);
      const points = mutable(keypoints);
      await recut(id, points);
      recordAlignmentEdit(db, id, { points: before.manualKeypoints ?? before.keypoints, edited: before.edited }, points);
      bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return toDetail(detailOf(id));
    },

    async alignPreview({ id, keypoints }) {
      const d = detailOf(id);
      const [{ loadPhoto }, { prepareFace }, { normalizePrepSettings }] = await Promise.all([
        import('../../ml/prep/photo.js'),
        import('../../ml/prep/prepare-face.js'),
        import('../../ml/prep/settings.js'),
      ]);
      if (cached?.imageId !== d.imageId) {
        const file = imageSourceFile(db, d.imageId);
        if (!file) throw notFound(`image ${d.imageId} does not exist`);
        cached = { imageId: d.imageId, photo: await loadPhoto(file) };
      }
      const settingsJson = (db.prepare('SELECT settings_json FROM crops WHERE id = ?').pluck().get(id) as string | undefined) ?? '{}';
      const settings = normalizePrepSettings(parseJson<unknown>(settingsJson, {}));
      const prepared = await prepareFace(await ctx.vision(), cached.photo, { keypoints: mutable(keypoints) }, settings);
      return { dataUrl: `data:image/png;base64,${prepared.png.toString('base64')}` };
    },

    async alignReset({ id }) {
      const before = detailOf(id);
      if (!before.detectedKeypoints) throw notFound(`crop ${id} has no detected points to reset to`);
      await recut(id, before.detectedKeypoints);
      clearManualEdit(db, id);
      recordAlignmentEdit(db, id, { points: before.manualKeypoints ?? before.keypoints, edited: before.edited }, before.detectedKeypoints);
      bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return toDetail(detailOf(id));
    },

    async undo(batch, entries) {
      let reverted = 0;
      for (const e of entries) {
        const old = parseJson<{ points: Keypoints5 | null; edited: boolean }>(e.oldValue, { points: null, edited: false });
        if (!old.points) continue;
        await recut(e.cropId, old.points);
        if (!old.edited) clearManualEdit(db, e.cropId);
        reverted++;
      }
      dropBatch(db, batch);
      return reverted;
    },
  };
}
