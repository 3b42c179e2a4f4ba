import { ApiError, type ResponseOf } from '../../contract/api.js';
import { fileRef, type Served } from '../../contract/files.js';
import type { ServiceContext } from '../context.js';
import { getPhoto, storePhoto, type StoredPhoto } from '../photos.js';
import type { HandlerGroup } from './types.js';

function added(stored: StoredPhoto): Served<ResponseOf<'agePhotoAdd'>> {
  return { photoId: stored.photoId, name: stored.name, url: fileRef(stored.file), width: stored.width, height: stored.height };
}

export async function addPhotoBytes(dataDir: string, name: string, bytes: Buffer): Promise<Served<ResponseOf<'agePhotoAdd'>>> {
  return added(await storePhoto(dataDir, { name, bytes }));
}

export function photoHandlers(ctx: ServiceContext): HandlerGroup<'agePhotoAdd' | 'ageDetect' | 'ageDrawFace'> {
  return {
    async agePhotoAdd(req) {
      return added(await storePhoto(ctx.dataDir, 'path' in req ? { path: req.path } : { name: req.name, bytes: Buffer.from(req.dataBase64, 'base64') }));
    },
    async ageDetect({ photoId }) {
      const photo = getPhoto(ctx.dataDir, photoId);
      const [{ loadPhoto }, { detectFaces }, { orderFaces }, { faceWarnings }] = await Promise.all([
        import('../../ml/prep/photo.js'),
        import('../../ml/prep/detect.js'),
        import('../../ml/aging/age-photo.js'),
        import('../../ml/aging/team-faces.js'),
      ]);
      const image = await loadPhoto(photo.abs);
      // Numbered left to right, the order ageRun's `face` uses.
      const faces = orderFaces(await detectFaces(await ctx.vision(), image));
      return {
        width: image.width,
        height: image.height,
        faces: faces.map((f, index) => ({
          index,
          score: f.score,
          box: f.box,
          keypoints: f.keypoints,
          warnings: faceWarnings({ face: index, detected: f, drawn: false, fromBoxAlone: false }).map((w) => ({ kind: w.kind, message: w.message })),
        })),
      };
    },
    async ageDrawFace({ photoId, box }) {
      const photo = getPhoto(ctx.dataDir, photoId);
      const [{ loadPhoto }, { faceFromBox, faceWarnings }] = await Promise.all([import('../../ml/prep/photo.js'), import('../../ml/aging/team-faces.js')]);
      const image = await loadPhoto(photo.abs);
      let drawn;
      try {
        drawn = await faceFromBox(await ctx.vision(), image, [box[0], box[1], box[2], box[3]]);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('the drawn box')) throw new ApiError('invalid-argument', err.message);
        throw err;
      }
      const warnings = faceWarnings({ face: -1, detected: drawn.face, drawn: true, fromBoxAlone: !drawn.found });
      return {
        box: drawn.face.box,
        keypoints: drawn.face.keypoints,
        found: drawn.found,
        warnings: warnings.map((w) => ({ kind: w.kind, message: w.message })),
      };
    },
  };
}
