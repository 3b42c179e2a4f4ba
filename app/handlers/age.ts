import { ApiError, type FaceNote, type ResponseOf } from '../../contract/api.js';
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

/** The preparation of the model ageRun would use (modelId: that one), for estimates made on the crop aging sees. */
async function prepFor(dataDir: string, modelId: number | null | undefined) {
  const [{ chooseModel, modelPrep }, { normalizePrepSettings }] = await Promise.all([import('../../ml/aging/model.js'), import('../../ml/prep/settings.js')]);
  try {
    return modelPrep(chooseModel(dataDir, modelId === null || modelId === undefined ? undefined : String(modelId)));
  } catch (err) {
    if (modelId !== null && modelId !== undefined) throw new ApiError('not-found', (err as Error).message);
    // No model yet: the faces are still found, their estimates made on the default preparation.
    return normalizePrepSettings(undefined);
  }
}

const notes = (warnings: readonly { kind: FaceNote['kind']; message: string }[]): FaceNote[] => warnings.map((w) => ({ kind: w.kind, message: w.message }));

export function photoHandlers(ctx: ServiceContext): HandlerGroup<'agePhotoAdd' | 'ageDetect' | 'ageDrawFace'> {
  return {
    async agePhotoAdd(req) {
      return added(await storePhoto(ctx.dataDir, 'path' in req ? { path: req.path } : { name: req.name, bytes: Buffer.from(req.dataBase64, 'base64') }));
    },
    async ageDetect({ photoId, modelId }) {
      const photo = getPhoto(ctx.dataDir, photoId);
      const [{ loadPhoto }, { detectFaces }, { orderFaces }, { faceWarnings, genderWarnings }, { estimateFaces }] = await Promise.all([
        import('../../ml/prep/photo.js'),
        import('../../ml/prep/detect.js'),
        import('../../ml/aging/age-photo.js'),
        import('../../ml/aging/team-faces.js'),
        import('../../ml/aging/face-estimate.js'),
      ]);
      const prep = await prepFor(ctx.dataDir, modelId);
      const image = await loadPhoto(photo.abs);
      const host = await ctx.vision();
      // Numbered left to right, the order ageRun's `face` uses.
      const faces = orderFaces(await detectFaces(host, image));
      const estimates = await estimateFaces(host, image, faces, prep);
      return {
        width: image.width,
        height: image.height,
        faces: faces.map((f, index) => ({
          index,
          score: f.score,
          box: f.box,
          keypoints: f.keypoints,
          warnings: notes([...faceWarnings({ face: index, detected: f, drawn: false, fromBoxAlone: false }), ...genderWarnings(index, estimates[index]!.gender, estimates[index]!.genderProbability)]),
          estimate: estimates[index]!,
        })),
      };
    },
    async ageDrawFace({ photoId, box, modelId }) {
      const photo = getPhoto(ctx.dataDir, photoId);
      const [{ loadPhoto }, { faceFromBox, faceWarnings, genderWarnings }, { estimateFaces }] = await Promise.all([
        import('../../ml/prep/photo.js'),
        import('../../ml/aging/team-faces.js'),
        import('../../ml/aging/face-estimate.js'),
      ]);
      const prep = await prepFor(ctx.dataDir, modelId);
      const image = await loadPhoto(photo.abs);
      const host = await ctx.vision();
      let drawn;
      try {
        drawn = await faceFromBox(host, image, [box[0], box[1], box[2], box[3]]);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('the drawn box')) throw new ApiError('invalid-argument', err.message);
        throw err;
      }
      const [estimate] = await estimateFaces(host, image, [drawn.face], prep);
      return {
        box: drawn.face.box,
        keypoints: drawn.face.keypoints,
        found: drawn.found,
        warnings: notes([...faceWarnings({ face: -1, detected: drawn.face, drawn: true, fromBoxAlone: !drawn.found }), ...genderWarnings(-1, estimate!.gender, estimate!.genderProbability)]),
        estimate: estimate!,
      };
    },
  };
}
