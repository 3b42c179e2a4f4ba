import { parseJson } from '../../db/catalogue.js';
import { getCropDetail } from '../../db/crop-detail.js';
import { dropBatch, recordAlignmentEdit, type HistoryEntry } from '../../db/crop-history.js';
import { clearManualEdit, commonCropSettings, getCrop } from '../../db/crops.js';
import { getFace, isHandPlaced, listNoFaceImages } from '../../db/faces.js';
import { getImage } from '../../db/images.js';
import { ApiError } from '../../contract/api.js';
import { imageRef } from '../../contract/files.js';
import type { Keypoints } from '../../contract/types.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import path from 'node:path';
import { toDetail } from './shape.js';
import type { HandlerGroup } from './types.js';

type AlignMethods = 'alignRecut' | 'alignPreview' | 'alignReset' | 'alignNoFace' | 'alignCreatePreview' | 'alignCreate';

export interface Aligner {
  /** Cuts the crops of an alignment batch again from their previous points; returns how many were reverted. */
  undo(batch: string, entries: HistoryEntry[]): Promise<number>;
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

  const photoOf = async (imageId: number) => {
    const { loadPhoto } = await import('../../ml/prep/photo.js');
    if (cached?.imageId !== imageId) {
      const file = getImage(db, imageId)?.sourcePath;
      if (!file) throw notFound(`image ${imageId} does not exist`);
      cached = { imageId, photo: await loadPhoto(file) };
    }
    return cached.photo;
  };

  /** Hand-placed-point errors as API errors: bad points and an existing crop are the caller's to fix. */
  const handPlaced = async <T>(work: () => Promise<T>): Promise<T> => {
    const { HandPlacedError } = await import('../../ml/prep/noface.js');
    try {
      return await work();
    } catch (err) {
      if (err instanceof HandPlacedError) throw new ApiError(err.kind === 'not-found' ? 'not-found' : 'invalid-argument', err.message);
      throw err;
    }
  };

  const recut = async (cropId: number, points: Keypoints): Promise<void> => {
    const { fixCrop } = await import('../../ml/prep/pipeline.js');
    await fixCrop({ dataDir: ctx.dataDir, db, host: await ctx.vision(), cropId, points });
  };

  return {
    async alignRecut({ id, keypoints }) {
      const before = detailOf(id);
      await recut(id, keypoints);
      recordAlignmentEdit(db, id, { points: before.manualKeypoints ?? before.keypoints, edited: before.edited }, keypoints);
      bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return toDetail(detailOf(id));
    },

    async alignPreview({ id, keypoints }) {
      const d = detailOf(id);
      const [{ prepareFace }, { normalizePrepSettings }] = await Promise.all([import('../../ml/prep/prepare-face.js'), import('../../ml/prep/settings.js')]);
      const photo = await photoOf(d.imageId);
      const settings = normalizePrepSettings(getCrop(db, id)?.settings ?? {});
      const prepared = await prepareFace(await ctx.vision(), photo, { keypoints }, settings);
      return { dataUrl: `data:image/png;base64,${prepared.png.toString('base64')}` };
    },

    async alignReset({ id }) {
      const before = detailOf(id);
      const face = before.faceId === null ? undefined : getFace(db, before.faceId);
      if (face && isHandPlaced(face)) throw new ApiError('invalid-argument', `crop ${id} was cut from hand-placed points (no face was detected): there are no detected points to reset to`);
      if (!before.detectedKeypoints) throw notFound(`crop ${id} has no detected points to reset to`);
      await recut(id, before.detectedKeypoints);
      clearManualEdit(db, id);
      recordAlignmentEdit(db, id, { points: before.manualKeypoints ?? before.keypoints, edited: before.edited }, before.detectedKeypoints);
      bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return toDetail(detailOf(id));
    },

    async alignNoFace({ datasetId, offset, limit }) {
      const page = listNoFaceImages(db, { ...(datasetId !== undefined ? { datasetId } : {}), offset: offset ?? 0, limit: limit ?? 200 });
      const { shownSize } = await import('../../ml/prep/noface.js');
      const sizes = await Promise.all(page.rows.map((r) => shownSize(path.join(r.root, ...r.relPath.split('/')), r.width, r.height)));
      return {
        total: page.total,
        offset: offset ?? 0,
        items: page.rows.map((r, i) => ({
          imageId: r.imageId,
          datasetId: r.datasetId,
          url: imageRef(r.imageId),
          width: sizes[i]!.width,
          height: sizes[i]!.height,
          sourcePath: path.join(r.root, ...r.relPath.split('/')),
          age: r.age,
          gender: r.gender,
          split: r.split,
          reason: r.reason,
        })),
      };
    },

    async alignCreatePreview({ imageId, keypoints }) {
      const [{ checkHandPoints }, { prepareFace }, { normalizePrepSettings }] = await Promise.all([
        import('../../ml/prep/noface.js'),
        import('../../ml/prep/prepare-face.js'),
        import('../../ml/prep/settings.js'),
      ]);
      const datasetId = getImage(db, imageId)?.datasetId;
      if (datasetId === undefined) throw notFound(`image ${imageId} does not exist`);
      const photo = await photoOf(imageId);
      await handPlaced(async () => checkHandPoints(keypoints, photo.width, photo.height));
      const settings = normalizePrepSettings(commonCropSettings(db, datasetId) ?? undefined);
      const prepared = await prepareFace(await ctx.vision(), photo, { keypoints }, settings, { faceCount: 0 });
      return { dataUrl: `data:image/png;base64,${prepared.png.toString('base64')}` };
    },

    async alignCreate({ imageId, keypoints }) {
      const { createCropFromPoints } = await import('../../ml/prep/noface.js');
      const crop = await handPlaced(async () => createCropFromPoints({ dataDir: ctx.dataDir, db, host: await ctx.vision(), imageId, points: keypoints }));
      bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return toDetail(detailOf(crop.id));
    },

    async undo(batch, entries) {
      let reverted = 0;
      for (const e of entries) {
        const old = parseJson<{ points: Keypoints | null; edited: boolean }>(e.oldValue, { points: null, edited: false });
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
