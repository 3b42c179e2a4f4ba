import type { PhotoFrameSinks } from '../../ml/aging/age-photo.js';
import type { RawImage } from '../../ml/estimators/image.js';

/** agePhoto's sinks keeping a copy of every frame, per aged face in order (for tests of small photos). */
export function collectFrames(): { sinks: PhotoFrameSinks; frames: RawImage[][] } {
  const frames: RawImage[][] = [];
  const sinks: PhotoFrameSinks = () => {
    const mine: RawImage[] = [];
    frames.push(mine);
    return {
      start: () => undefined,
      frame: async (_k, f) => void mine.push({ ...f, data: new Uint8Array(f.data) }),
    };
  };
  return { sinks, frames };
}
