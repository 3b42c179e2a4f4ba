import sharp from 'sharp';
import { affineScale, applyAffine, composeAffine, invertAffine, type Affine, type Point } from './geometry.js';
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
  const corners: Point[] = [[0, 0], [outSize, 0], [0, outSize], [outSize, outSize]].map((p) => applyAffine(inv, p as Point));
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
  const regionW = rx1 - rx0;
  const regionH = ry1 - ry0;
  const background = { r: grey, g: grey, b: grey };
  let region = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
    .extract({ left: cx0, top: cy0, width: cx1 - cx0, height: cy1 - cy0 })
    .extend({ left: cx0 - rx0, top: cy0 - ry0, right: rx1 - cx1, bottom: ry1 - cy1, background })
    .raw()
    .toBuffer();
  let w = regionW;
  let h = regionH;
  const scale = affineScale(transform);
  if (scale < PRESHRINK_BELOW) {
    const k = scale / PRESHRINK_BELOW;
    w = Math.max(2, Math.round(regionW * k));
    h = Math.max(2, Math.round(regionH * k));
    region = await sharp(region, { raw: { width: regionW, height: regionH, channels: 3 } })
      .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
  }
  // Continuous source coordinates -> continuous region coordinates.
  const toRegion: Affine = [w / regionW, 0, (-rx0 * w) / regionW, 0, h / regionH, (-ry0 * h) / regionH];
  const [a, b, c, d, e, f] = composeAffine(transform, invertAffine(toRegion));
  // sharp/libvips maps pixel indices (not centres) and places the output at the floor of the transformed bounds.
  const ci = c + 0.5 * (a + b) - 0.5;
  const fi = f + 0.5 * (d + e) - 0.5;
  const left = Math.floor(Math.min(0, a * w, b * h, a * w + b * h));
  const top = Math.floor(Math.min(0, d * w, e * h, d * w + e * h));
  const { data, info } = await sharp(region, { raw: { width: w, height: h, channels: 3 } })
    .affine([a, b, d, e], { odx: ci + left, ody: fi + top, background, interpolator: sharp.interpolators.bilinear })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const ox = 0;
  for (let y = 0; y < outSize && y < info.height; y++) {
    const rowIn = y * info.width * ch;
    const rowOut = y * outSize * 3;
    const n = Math.min(outSize, info.width);
    if (ch === 3) {
      data.copy(out, rowOut, rowIn + ox, rowIn + n * 3);
    } else {
      for (let x = 0; x < n; x++) {
        out[rowOut + x * 3] = data[rowIn + x * ch]!;
        out[rowOut + x * 3 + 1] = data[rowIn + x * ch + 1]!;
        out[rowOut + x * 3 + 2] = data[rowIn + x * ch + 2]!;
      }
    }
  }
  return out;
}

