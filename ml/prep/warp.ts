import sharp from 'sharp';
import { affineScale, applyAffine, composeAffine, invertAffine, type Affine } from './geometry.js';
import type { RawImage } from '../vision/host.js';

/** Below this scale (output px per source px) the source is first shrunk with a proper filter, so the affine's
 *  bilinear sampling does not alias. */
const PRESHRINK_BELOW = 0.8;

/**
 * Warps an RGB image through `transform` (source px -> output px, continuous coordinates) into an
 * outSize x outSize RGB image, with sharp's affine. Pixels outside the source get `grey`.
 */
export async function warpAffine(src: RawImage, transform: Affine, outSize: number, grey = 128): Promise<Buffer> {
  if (src.channels !== 3) throw new Error('warpAffine expects RGB');
  const out = Buffer.alloc(outSize * outSize * 3, grey);
  const inv = invertAffine(transform);
  const corners = ([[0, 0], [outSize, 0], [0, outSize], [outSize, outSize]] as const).map((p) => applyAffine(inv, p));
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  // Region of the source that the output sees (with a margin for interpolation), then clipped to the photo.
  const rx0 = Math.floor(Math.min(...xs)) - 2;
  const ry0 = Math.floor(Math.min(...ys)) - 2;
  const rx1 = Math.ceil(Math.max(...xs)) + 2;
  const ry1 = Math.ceil(Math.max(...ys)) + 2;
  const cx0 = Math.max(0, rx0);
  const cy0 = Math.max(0, ry0);
  const cx1 = Math.min(src.width, rx1);
  const cy1 = Math.min(src.height, ry1);
  if (cx1 <= cx0 || cy1 <= cy0) return out;
  const regionW = cx1 - cx0;
  const regionH = cy1 - cy0;
  let pipeline = sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } }).extract({
    left: cx0,
    top: cy0,
    width: regionW,
    height: regionH,
  });
  let w = regionW;
  let h = regionH;
  const scale = affineScale(transform);
  if (scale < PRESHRINK_BELOW) {
    const k = scale / PRESHRINK_BELOW;
    w = Math.max(2, Math.round(regionW * k));
    h = Math.max(2, Math.round(regionH * k));
    pipeline = pipeline.resize(w, h, { fit: 'fill', kernel: 'lanczos3' });
  }
  // Continuous source coordinates -> continuous coordinates of the (shrunk) region.
  const toRegion: Affine = [w / regionW, 0, (-cx0 * w) / regionW, 0, h / regionH, (-cy0 * h) / regionH];
  const [a, b, c, d, e, f] = composeAffine(transform, invertAffine(toRegion));
  // libvips maps pixel indices (not centres): output index = A * input index + (ci, fi).
  const ci = c + 0.5 * (a + b) - 0.5;
  const fi = f + 0.5 * (d + e) - 0.5;
  // Its output window starts at the floor of the transformed bounds; whole-pixel offsets are applied when copying.
  const left = Math.floor(Math.min(0, a * w, b * h, a * w + b * h));
  const top = Math.floor(Math.min(0, d * w, e * h, d * w + e * h));
  const ii = Math.floor(ci);
  const jj = Math.floor(fi);
  const { data, info } = await pipeline
    .affine([a, b, d, e], { odx: ci - ii, ody: fi - jj, background: { r: grey, g: grey, b: grey }, interpolator: sharp.interpolators.bilinear })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const offX = left + ii;
  const offY = top + jj;
  const x0 = Math.max(0, offX);
  const x1 = Math.min(outSize, offX + info.width);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, offY); y < Math.min(outSize, offY + info.height); y++) {
    const rowIn = ((y - offY) * info.width + (x0 - offX)) * ch;
    const rowOut = (y * outSize + x0) * 3;
    if (ch === 3) {
      data.copy(out, rowOut, rowIn, rowIn + (x1 - x0) * 3);
    } else {
      for (let x = 0; x < x1 - x0; x++) {
        out[rowOut + x * 3] = data[rowIn + x * ch]!;
        out[rowOut + x * 3 + 1] = data[rowIn + x * ch + 1]!;
        out[rowOut + x * 3 + 2] = data[rowIn + x * ch + 2]!;
      }
    }
  }
  return out;
}
