import type { Affine, Point } from '../prep/geometry.js';
import { applyAffine } from '../prep/geometry.js';
import { FACE_OVAL } from '../prep/landmarks.js';
import { ellipsePolygon, feather, fillPolygon, shrinkPolygon } from '../prep/masks.js';
import { TEMPLATE_V1 } from '../prep/template.js';

/**
 * The feathered face mask of a stored crop, built as preparation builds it: the landmarks' face oval mapped into the
 * crop (or an ellipse around the template when there are no landmarks), shrunk 3 %, feathered by size / 40.
 */
export async function cropFaceMask(size: number, transform: Affine, landmarks: readonly Point[] | null): Promise<Uint8Array> {
  let outline: Point[];
  if (landmarks && landmarks.length >= 468) {
    outline = FACE_OVAL.map((i) => applyAffine(transform, landmarks[i]!));
  } else {
    const eyeY = TEMPLATE_V1[0]![1] * size;
    const mouthY = TEMPLATE_V1[3]![1] * size;
    outline = ellipsePolygon(0.5 * size, (eyeY + mouthY) / 2 + 0.02 * size, 0.3 * size, 0.42 * size);
  }
  return feather(fillPolygon(shrinkPolygon(outline, 0.97), size), size, size / 40);
}
