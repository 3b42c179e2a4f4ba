import { fileRef } from '../../contract/files.js';
import type { ServiceContext } from '../context.js';
import { getPhoto, storePhoto } from '../photos.js';
import type { HandlerGroup } from './types.js';

export function photoHandlers(ctx: ServiceContext): HandlerGroup<'agePhotoAdd' | 'ageDetect'> {
  return {
    async agePhotoAdd(req) {
      const stored = await storePhoto(ctx.dataDir, 'path' in req ? { path: req.path } : { name: req.name, bytes: Buffer.from(req.dataBase64, 'base64') });
      return { photoId: stored.photoId, name: stored.name, url: fileRef(stored.file), width: stored.width, height: stored.height };
    },
    async ageDetect({ photoId }) {
      const photo = getPhoto(ctx.dataDir, photoId);
      const [{ loadPhoto }, { detectFaces }, { orderFaces }] = await Promise.all([
        import('../../ml/prep/photo.js'),
        import('../../ml/prep/detect.js'),
        import('../../ml/aging/age-photo.js'),
      ]);
      const image = await loadPhoto(photo.abs);
      // Numbered left to right, the order ageRun's `face` uses.
      const faces = orderFaces(await detectFaces(await ctx.vision(), image));
      return {
        width: image.width,
        height: image.height,
        faces: faces.map((f, index) => ({ index, score: f.score, box: f.box, keypoints: f.keypoints })),
      };
    },
  };
}
