/**
 * Finds faces of every size: BlazeFace on overlapping tiles at several scales (each scale from one resampled copy of
 * the image, so a tile is a plain 128 x 128 copy), boxes merged by non-maximum suppression, then the landmarker on
 * each face's own crop, enlarged, so the 478 points and the pose of a small face are as good as a large one's.
 */
import type { FaceDetector } from '@mediapipe/tasks-vision';
import type { FaceSearchRequest, PageFace } from '../../contract/vision-page';
import { iou, nonMaxSuppression } from '../../domain/box-overlap';
import type { Box } from '../../domain/face';
import { landmarkBox } from './face-region';
import { planTiles, TILE_INPUT } from './tiles';

export interface SearchModels {
  tileDetector: FaceDetector;
  /** The landmarker's faces in a canvas, canvas px. */
  landmarkFaces(canvas: OffscreenCanvas): Promise<PageFace[]>;
}

/** Tile boxes of one face seen at neighbouring tiles or scales overlap more than this; two real faces, less. */
const NMS_IOU = 0.4;
/** Side of the canvas a face's crop is landmarked on. */
const CROP_INPUT = 256;
/** A face's crop is this many times its detection box (the landmarker's own detector then sees it at ~45 %). */
const CROP_EXTENT = 2.2;
/** Landmarked faces whose point boxes overlap more than this are one face found twice. */
const SAME_FACE_IOU = 0.5;
const GREY = 'rgb(128,128,128)';
const RESAMPLE_QUALITY: ImageSmoothingQuality = 'medium';

/** Whether a box's centre lies in the middle half of another box (a part of that face, not a face beside it). */
function centredIn(a: Box, b: Box): boolean {
  const cx = a[0] + a[2] / 2;
  const cy = a[1] + a[3] / 2;
  return Math.abs(cx - (b[0] + b[2] / 2)) < b[2] / 4 && Math.abs(cy - (b[1] + b[3] / 2)) < b[3] / 4 && a[2] < b[2];
}

interface Candidate {
  box: Box;
  score: number;
}

function context(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  // willReadFrequently keeps the canvas in software: drawing it on the (software-emulated) GPU costs far more.
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d canvas for the face search');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  return ctx;
}

/** Draws the square [x, y, side] of the source (it may reach past the edges: grey there) onto the whole canvas. */
function drawSquare(ctx: OffscreenCanvasRenderingContext2D, src: OffscreenCanvas, x: number, y: number, side: number): void {
  const out = ctx.canvas.width;
  const k = out / side;
  ctx.fillStyle = GREY;
  ctx.fillRect(0, 0, out, out);
  const sx = Math.max(0, x);
  const sy = Math.max(0, y);
  const ex = Math.min(src.width, x + side);
  const ey = Math.min(src.height, y + side);
  if (ex <= sx || ey <= sy) return;
  ctx.drawImage(src, sx, sy, ex - sx, ey - sy, (sx - x) * k, (sy - y) * k, (ex - sx) * k, (ey - sy) * k);
}

/** A software copy of an image at w x h (drawing from it never reads a GPU texture back). */
function softCopy(src: CanvasImageSource, w: number, h: number, quality: ImageSmoothingQuality = 'high'): OffscreenCanvas {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = context(canvas);
  ctx.imageSmoothingQuality = quality;
  ctx.drawImage(src, 0, 0, w, h);
  return canvas;
}

/** The tile [x, y, side] of level pixels (RGBA) as a TILE_INPUT square (side === TILE_INPUT), grey past the edges. */
function tilePixels(level: ImageData, x: number, y: number, out: ImageData): ImageData {
  const dst = out.data;
  dst.fill(128);
  const src = level.data;
  const x0 = Math.max(0, x);
  const x1 = Math.min(level.width, x + TILE_INPUT);
  if (x1 <= x0) return out;
  for (let ty = 0; ty < TILE_INPUT; ty++) {
    const ly = y + ty;
    if (ly < 0 || ly >= level.height) continue;
    const from = (ly * level.width + x0) * 4;
    dst.set(src.subarray(from, from + (x1 - x0) * 4), (ty * TILE_INPUT + (x0 - x)) * 4);
  }
  return out;
}

/** BlazeFace's boxes on every tile of every scale, image px. Each scale resamples the image once, so that its tiles
 *  are exactly TILE_INPUT level pixels; a tile is then a copy of level pixels. */
async function tileCandidates(models: SearchModels, src: OffscreenCanvas, req: FaceSearchRequest, stages: Record<string, number>): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const tile = new ImageData(TILE_INPUT, TILE_INPUT);
  let tiles = 0;
  let resampleMs = 0;
  let modelMs = 0;
  let from = src;
  for (const scale of planTiles(src.width, src.height, req.minFace, req.minFraction, req.scaleStep)) {
    const r0 = performance.now();
    const k = Math.min(1, TILE_INPUT / scale[0]!.side);
    const lw = Math.max(1, Math.round(src.width * k));
    const lh = Math.max(1, Math.round(src.height * k));
    // Each level from the previous one (at most scaleStep times larger); one software copy then serves all its tiles.
    if (lw < from.width) from = softCopy(from, lw, lh, RESAMPLE_QUALITY);
    const level = context(from).getImageData(0, 0, lw, lh);
    const kx = lw / src.width;
    const ky = lh / src.height;
    resampleMs += performance.now() - r0;
    const of = req.part?.of ?? 1;
    const index = req.part?.index ?? 0;
    for (const [i, t] of scale.entries()) {
      if (Math.floor((i * of) / scale.length) !== index) continue;
      const lx = Math.round(t.x * kx);
      const ly = Math.round(t.y * ky);
      const d0 = performance.now();
      const found = models.tileDetector.detect(tilePixels(level, lx, ly, tile)).detections;
      modelMs += performance.now() - d0;
      tiles++;
      for (const d of found) {
        const score = d.categories[0]?.score ?? 0;
        const b = d.boundingBox;
        if (!b || score < req.minScore) continue;
        out.push({ score, box: [(lx + b.originX) / kx, (ly + b.originY) / ky, b.width / kx, b.height / ky] });
      }
    }
  }
  stages.tiles = tiles;
  stages.resample = resampleMs;
  stages.tileModel = modelMs;
  return out;
}

/** The face nearest the crop's centre, landmarked on its own enlarged crop, in image px; null when none is there. */
async function landmarkCrop(models: SearchModels, image: OffscreenCanvas, c: Candidate, ctx: OffscreenCanvasRenderingContext2D): Promise<PageFace | null> {
  const [x, y, w, h] = c.box;
  const side = CROP_EXTENT * Math.max(w, h);
  const x0 = x + w / 2 - side / 2;
  const y0 = y + h / 2 - side / 2;
  const k = CROP_INPUT / side;
  drawSquare(ctx, image, x0, y0, side);
  const faces = await models.landmarkFaces(ctx.canvas as OffscreenCanvas);
  let best: PageFace | null = null;
  let bestOff = 0.25 * CROP_INPUT;
  for (const f of faces) {
    const [bx, by, bw, bh] = f.box ?? landmarkBox(f.points);
    const off = Math.hypot(bx + bw / 2 - CROP_INPUT / 2, by + bh / 2 - CROP_INPUT / 2);
    if (off < bestOff) {
      bestOff = off;
      best = f;
    }
  }
  if (!best) return null;
  const points = best.points.map((v, i) => (i % 3 === 0 ? x0 + v / k : i % 3 === 1 ? y0 + v / k : v / k));
  const box: [number, number, number, number] = best.box
    ? [x0 + best.box[0] / k, y0 + best.box[1] / k, best.box[2] / k, best.box[3] / k]
    : [x, y, w, h];
  return { score: c.score, box, points, matrix: best.matrix };
}

/** Every face in the image, highest scores first, at most req.maxFaces. */
export async function searchFaces(
  models: SearchModels,
  image: ImageData | ImageBitmap,
  req: FaceSearchRequest,
): Promise<{ faces: PageFace[]; stages: Record<string, number> }> {
  const stages: Record<string, number> = {};
  const t0 = performance.now();
  // Pixels go straight into a software canvas; a decoded bitmap is read back once (it may live on the GPU).
  let src: OffscreenCanvas;
  if (image instanceof ImageData) {
    src = new OffscreenCanvas(image.width, image.height);
    context(src).putImageData(image, 0, 0);
  } else src = softCopy(image, image.width, image.height);
  stages.copy = performance.now() - t0;
  const raw = await tileCandidates(models, src, req, stages);
  const candidates = nonMaxSuppression(raw, NMS_IOU).map((i) => raw[i]!);
  const t1 = performance.now();
  stages.detector = t1 - t0;
  stages.candidates = candidates.length;
  const ctx = context(new OffscreenCanvas(CROP_INPUT, CROP_INPUT));
  const faces: PageFace[] = [];
  const boxes: Box[] = [];
  let crops = 0;
  for (const c of candidates) {
    if (faces.length >= req.maxFaces) break;
    // A candidate on a face already landmarked (seen again at another scale, or partly) needs no second crop.
    if (faces.some((f) => iou(f.box!, c.box) > SAME_FACE_IOU || centredIn(c.box, f.box!))) continue;
    crops++;
    const face = await landmarkCrop(models, src, c, ctx);
    if (!face) continue;
    const lb = landmarkBox(face.points);
    if (boxes.some((b) => iou(b, lb) > SAME_FACE_IOU)) continue;
    boxes.push(lb);
    faces.push(face);
  }
  stages.landmarks = performance.now() - t1;
  stages.crops = crops;
  return { faces, stages };
}
