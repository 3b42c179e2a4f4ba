import { FaceDetector, FaceLandmarker, FilesetResolver, ImageSegmenter, type Detection } from '@mediapipe/tasks-vision';
import { decodeVisionFrame, encodeVisionFrame } from '../../contract/vision-frame';
import type {
  ChronofaceVisionApi,
  FaceRegion,
  FaceSegmentRequest,
  PageDetectResult,
  PageFace,
  PageFaceMask,
  PageSegmentResult,
  TimeModelsRequest,
  TimeModelsResult,
  VisionDetectInput,
  VisionSearchInput,
  VisionImageInput,
  VisionInitRequest,
  VisionPageMethods,
} from '../../contract/vision-page';
import { prominence } from '../../domain/face';
import { faceRegion, landmarkBox } from './face-region';
import { searchFaces } from './face-search';
import { createLandmarkerWithDetections, parseDetection, type LandmarkerWithDetections } from './landmarker-detections';

declare global {
  interface Window {
    chronofaceVision: ChronofaceVisionApi;
  }
}

interface Tasks {
  landmarker: FaceLandmarker | LandmarkerWithDetections;
  /** Only when the landmarker's own detections could not be read. */
  detector: FaceDetector | null;
  /** BlazeFace alone, for the face search's tiles: made on the first search (preparation pages never need it). */
  tileDetector: () => Promise<FaceDetector>;
  segmenter: ImageSegmenter;
}

let tasks: Tasks | null = null;
let initialising: Promise<Tasks> | null = null;

function fromBase64(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native) return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as { toBase64?: () => string }).toBase64;
  if (native) return native.call(bytes);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function toImageData(bytes: Uint8Array<ArrayBuffer>, width: number, height: number, channels: number): ImageData {
  const n = width * height;
  if ((channels !== 3 && channels !== 4) || bytes.length !== n * channels) {
    throw new Error(`pixel input has ${bytes.length} bytes, expected ${width}x${height}x${channels} with 3 or 4 channels`);
  }
  if (channels === 4) return new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length), width, height);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    rgba[i * 4] = bytes[j]!;
    rgba[i * 4 + 1] = bytes[j + 1]!;
    rgba[i * 4 + 2] = bytes[j + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

async function toImage(img: VisionImageInput): Promise<ImageData | ImageBitmap> {
  const bytes = img.bytes as Uint8Array<ArrayBuffer>;
  if (!(bytes instanceof Uint8Array)) throw new Error(`${img.kind} input carries no bytes`);
  if (img.kind === 'pixels') return toImageData(bytes, img.width, img.height, img.channels);
  return decodeEncoded(bytes, img.mime);
}

/**
 * Decodes a photo's bytes inside this page with WebCodecs where it can (a secure context): a Blob would first copy
 * them to the browser process and back, which measured about a tenth of a preparation's CPU time.
 */
async function decodeEncoded(bytes: Uint8Array<ArrayBuffer>, mime: string): Promise<ImageBitmap> {
  if (typeof ImageDecoder !== 'undefined') {
    try {
      return await decodeWithWebCodecs(bytes, mime);
    } catch {
      // Whatever WebCodecs refuses, the image element's decoder gets a chance (and gives the error if it fails too).
    }
  }
  return createImageBitmap(new Blob([bytes], { type: mime }), { imageOrientation: 'none', colorSpaceConversion: 'default' });
}

async function decodeWithWebCodecs(bytes: Uint8Array<ArrayBuffer>, mime: string): Promise<ImageBitmap> {
  const decoder = new ImageDecoder({ data: bytes, type: mime, preferAnimation: false });
  try {
    const { image } = await decoder.decode();
    try {
      return await createImageBitmap(image);
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/** Thousandths of a pixel are plenty and keep the JSON small. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function requireTasks(): Tasks {
  if (!tasks) throw new Error('vision page not initialised: call init first');
  return tasks;
}

async function createTasks(req: VisionInitRequest): Promise<Tasks> {
  const fileset = await FilesetResolver.forVisionTasks(req.wasmBaseUrl);
  const create = (): Promise<FaceLandmarker> =>
    FaceLandmarker.createFromOptions(fileset, {
      baseOptions: { modelAssetPath: req.faceLandmarkerUrl, delegate: req.delegate ?? 'CPU' },
      runningMode: 'IMAGE',
      numFaces: req.maxFaces,
      minFaceDetectionConfidence: req.minDetectionConfidence,
      minFacePresenceConfidence: req.minDetectionConfidence,
      outputFacialTransformationMatrixes: false,
      outputFaceBlendshapes: false,
    });
  let landmarker: FaceLandmarker | LandmarkerWithDetections;
  let detector: FaceDetector | null = null;
  try {
    landmarker = await createLandmarkerWithDetections(create);
  } catch (err) {
    console.warn(`FaceLandmarker detections unavailable (${(err as Error).message}); using a separate FaceDetector pass`);
    landmarker = await create();
    detector = await FaceDetector.createFromOptions(fileset, {
      baseOptions: { modelAssetPath: req.faceDetectorUrl, delegate: 'CPU' },
      runningMode: 'IMAGE',
      minDetectionConfidence: Math.min(0.3, req.minDetectionConfidence),
    });
  }
  let made: Promise<FaceDetector> | null = null;
  const tileDetector = (): Promise<FaceDetector> =>
    (made ??= FaceDetector.createFromOptions(fileset, {
      baseOptions: { modelAssetPath: req.faceDetectorUrl, delegate: 'CPU' },
      runningMode: 'IMAGE',
      minDetectionConfidence: TILE_MIN_CONFIDENCE,
    }).catch((err: unknown) => {
      made = null;
      throw err;
    }));
  const segmenter = await ImageSegmenter.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: req.segmenterUrl, delegate: req.delegate ?? 'CPU' },
    runningMode: 'IMAGE',
    outputConfidenceMasks: true,
    outputCategoryMask: false,
  });
  return { landmarker, detector, tileDetector, segmenter };
}

/** The tile detector keeps what scores this much; each search drops what scores below its own minScore. */
const TILE_MIN_CONFIDENCE = 0.3;

/** BlazeFace looks at 128x128 anyway: run it on a small copy (cheaper WebGL upload), boxes mapped back. */
const DETECTOR_SIDE = 256;
async function detectSmall(detector: FaceDetector, image: ImageData | ImageBitmap | OffscreenCanvas): Promise<Detection[]> {
  const scale = Math.min(1, DETECTOR_SIDE / Math.max(image.width, image.height));
  if (scale >= 1) return detector.detect(image).detections;
  const small = await createImageBitmap(image, {
    resizeWidth: Math.max(1, Math.round(image.width * scale)),
    resizeHeight: Math.max(1, Math.round(image.height * scale)),
    resizeQuality: 'medium',
  });
  try {
    const sx = image.width / small.width;
    const sy = image.height / small.height;
    return detector.detect(small).detections.map((d) => {
      const b = d.boundingBox;
      return b ? { ...d, boundingBox: { ...b, originX: b.originX * sx, originY: b.originY * sy, width: b.width * sx, height: b.height * sy } } : d;
    });
  } finally {
    small.close();
  }
}

interface ScoredBox {
  score: number | null;
  box: [number, number, number, number] | null;
}

/** Scores and boxes of the faces BlazeFace found: from the landmarker's own graph, else from a separate pass. */
async function detections(t: Tasks, image: ImageData | ImageBitmap | OffscreenCanvas): Promise<ScoredBox[]> {
  if (!t.detector) {
    const raw = (t.landmarker as LandmarkerWithDetections).rawDetections;
    return raw.map((b) => parseDetection(b, image.width, image.height));
  }
  return (await detectSmall(t.detector, image)).map((d) => {
    const b = d.boundingBox;
    return { score: d.categories[0]?.score ?? null, box: b ? [b.originX, b.originY, b.width, b.height] : null };
  });
}

/** The detector box that contains the most of this face's landmarks' centre region. */
function matchDetection(points: number[], detections: ScoredBox[], used: Set<number>): number {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < points.length; i += 3) {
    minX = Math.min(minX, points[i]!);
    maxX = Math.max(maxX, points[i]!);
    minY = Math.min(minY, points[i + 1]!);
    maxY = Math.max(maxY, points[i + 1]!);
  }
  let best = -1;
  let bestIou = 0.05;
  detections.forEach((d, k) => {
    if (!d.box || used.has(k)) return;
    const [bx, by, bw, bh] = d.box;
    const ix = Math.max(0, Math.min(maxX, bx + bw) - Math.max(minX, bx));
    const iy = Math.max(0, Math.min(maxY, by + bh) - Math.max(minY, by));
    const inter = ix * iy;
    const union = (maxX - minX) * (maxY - minY) + bw * bh - inter;
    const iou = union > 0 ? inter / union : 0;
    if (iou > bestIou) {
      bestIou = iou;
      best = k;
    }
  });
  return best;
}

/** Segmenter input side (the selfie segmenter's own input size). */
const SEGMENT_INPUT = 256;

/** Person confidence 0..1 (float, n x n) -> Uint8 0..255 (side x side), box-averaged when shrinking. */
function maskToBytes(f: Float32Array, n: number, side: number): Uint8Array {
  const out = new Uint8Array(side * side);
  if (side >= n) {
    for (let i = 0; i < f.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(f[i]! * 255)));
    return out;
  }
  const k = n / side;
  for (let y = 0; y < side; y++) {
    const y0 = Math.floor(y * k);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * k));
    for (let x = 0; x < side; x++) {
      const x0 = Math.floor(x * k);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * k));
      let acc = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) acc += f[yy * n + xx]!;
      out[y * side + x] = Math.max(0, Math.min(255, Math.round((acc / ((y1 - y0) * (x1 - x0))) * 255)));
    }
  }
  return out;
}

let regionCanvas: OffscreenCanvas | null = null;

/** Segments a turned square of the image, resampled upright to the segmenter's input, grey outside the image. */
function segmentRegion(
  t: Tasks,
  image: ImageData | ImageBitmap,
  region: FaceRegion,
  req: FaceSegmentRequest,
  stages: Record<string, number>,
): PageFaceMask {
  const t0 = performance.now();
  regionCanvas ??= new OffscreenCanvas(SEGMENT_INPUT, SEGMENT_INPUT);
  // willReadFrequently keeps this canvas in software: drawing it on the (software-emulated) GPU costs far more.
  const ctx = regionCanvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d canvas for segmentation');
  const g = Math.max(0, Math.min(255, Math.round(req.grey)));
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = `rgb(${g},${g},${g})`;
  ctx.fillRect(0, 0, SEGMENT_INPUT, SEGMENT_INPUT);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // input px -> canvas px: about the region's centre, turned upright, scaled to the canvas.
  ctx.translate(SEGMENT_INPUT / 2, SEGMENT_INPUT / 2);
  ctx.scale(SEGMENT_INPUT / region.side, SEGMENT_INPUT / region.side);
  ctx.rotate(-region.angle);
  ctx.translate(-region.cx, -region.cy);
  if (image instanceof ImageData) {
    const tmp = new OffscreenCanvas(image.width, image.height);
    tmp.getContext('2d', { willReadFrequently: true })!.putImageData(image, 0, 0);
    ctx.drawImage(tmp, 0, 0);
  } else {
    ctx.drawImage(image, 0, 0);
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const t1 = performance.now();
  const result = t.segmenter.segment(regionCanvas);
  const t2 = performance.now();
  try {
    const masks = result.confidenceMasks ?? [];
    const mask = masks[masks.length - 1];
    if (!mask) throw new Error('the segmenter returned no confidence mask');
    if (mask.width !== mask.height) throw new Error(`segmenter mask is ${mask.width}x${mask.height}, expected a square`);
    const maskSide = Math.max(8, Math.min(mask.width, Math.round(req.maskSide)));
    const out = { region, side: maskSide, data: maskToBytes(mask.getAsFloat32Array(), mask.width, maskSide) };
    stages.segmentDraw = t1 - t0;
    stages.segmentModel = t2 - t1;
    stages.segmentMask = performance.now() - t2;
    return out;
  } finally {
    result.close();
  }
}

/** The landmarker's faces in an image (input px), each with the score and box of its BlazeFace detection. */
async function landmarkFaces(t: Tasks, image: ImageData | ImageBitmap | OffscreenCanvas): Promise<{ faces: PageFace[]; landmarksMs: number }> {
  const t0 = performance.now();
  const width = image.width;
  const height = image.height;
  if ('rawDetections' in t.landmarker) t.landmarker.rawDetections = [];
  const lm = t.landmarker.detect(image);
  const landmarksMs = performance.now() - t0;
  const det = lm.faceLandmarks.length > 0 ? await detections(t, image) : [];
  const used = new Set<number>();
  const faces: PageFace[] = lm.faceLandmarks.map((marks, i) => {
    const points = new Array<number>(marks.length * 3);
    marks.forEach((p, j) => {
      points[j * 3] = round3(p.x * width);
      points[j * 3 + 1] = round3(p.y * height);
      points[j * 3 + 2] = round3(p.z * width);
    });
    const k = matchDetection(points, det, used);
    let score: number | null = null;
    let box: [number, number, number, number] | null = null;
    if (k >= 0) {
      used.add(k);
      score = det[k]!.score;
      box = det[k]!.box;
    }
    const m = lm.facialTransformationMatrixes?.[i]?.data;
    return { score, box, points, matrix: m ? Array.from(m) : null };
  });
  return { faces, landmarksMs };
}

async function detect(input: VisionDetectInput): Promise<PageDetectResult> {
  const t = requireTasks();
  const tStart = performance.now();
  const image = await toImage(input);
  const t0 = performance.now();
  try {
    const width = image.width;
    const height = image.height;
    const { faces, landmarksMs } = await landmarkFaces(t, image);
    const t1 = t0 + landmarksMs;
    const t2 = performance.now();
    const stages: Record<string, number> = { decode: t0 - tStart, landmarks: t1 - t0, detector: t2 - t1 };
    if (input.segmentFace && faces.length > 0) {
      let best = 0;
      const p = (f: PageFace): number => prominence(f.box ?? landmarkBox(f.points), width, height);
      for (let i = 1; i < faces.length; i++) if (p(faces[i]!) > p(faces[best]!)) best = i;
      const region = faceRegion(faces[best]!.points, input.segmentFace);
      if (region) faces[best]!.mask = segmentRegion(t, image, region, input.segmentFace, stages);
      stages.segment = performance.now() - t2;
    }
    return { width, height, faces, ms: performance.now() - tStart, stages };
  } finally {
    if ('close' in image) image.close();
  }
}

async function segment(input: VisionImageInput): Promise<PageSegmentResult> {
  const t = requireTasks();
  const t0 = performance.now();
  const image = await toImage(input);
  try {
    const result = t.segmenter.segment(image);
    try {
      const masks = result.confidenceMasks ?? [];
      const mask = masks[masks.length - 1];
      if (!mask) throw new Error('the segmenter returned no confidence mask');
      const f = mask.getAsFloat32Array();
      const out = new Uint8Array(f.length);
      for (let i = 0; i < f.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(f[i]! * 255)));
      return { width: mask.width, height: mask.height, mask: out, ms: performance.now() - t0 };
    } finally {
      result.close();
    }
  } finally {
    if ('close' in image) image.close();
  }
}

async function timeModels(req: TimeModelsRequest): Promise<TimeModelsResult> {
  const t = requireTasks();
  const photos = await Promise.all(req.images.map(toImage));
  const views = await Promise.all(
    photos.map(async (photo) => {
      const canvas = new OffscreenCanvas(SEGMENT_INPUT, SEGMENT_INPUT);
      const source = photo instanceof ImageData ? await createImageBitmap(photo) : photo;
      canvas.getContext('2d', { willReadFrequently: true })!.drawImage(source, 0, 0, SEGMENT_INPUT, SEGMENT_INPUT);
      if (source !== photo) source.close();
      return canvas;
    }),
  );
  try {
    const t0 = performance.now();
    for (let r = 0; r < req.repeat; r++) {
      for (let i = 0; i < photos.length; i++) {
        t.landmarker.detect(photos[i]!);
        t.segmenter.segment(views[i]!).close();
      }
    }
    return { images: photos.length * req.repeat, ms: performance.now() - t0 };
  } finally {
    for (const p of photos) if ('close' in p) p.close();
  }
}

async function init(req: VisionInitRequest): Promise<{ ok: true }> {
  if (!tasks) {
    initialising ??= createTasks(req);
    try {
      tasks = await initialising;
    } catch (err) {
      initialising = null;
      throw err;
    }
  }
  return { ok: true };
}

async function findFaces(input: VisionSearchInput): Promise<PageDetectResult> {
  const t = requireTasks();
  const tStart = performance.now();
  const image = await toImage(input);
  try {
    const t0 = performance.now();
    const { faces, stages } = await searchFaces({ tileDetector: await t.tileDetector(), landmarkFaces: async (c) => (await landmarkFaces(t, c)).faces }, image, input.search);
    return { width: image.width, height: image.height, faces, ms: performance.now() - tStart, stages: { decode: t0 - tStart, ...stages } };
  } finally {
    if ('close' in image) image.close();
  }
}

const METHODS: VisionPageMethods = { init, detect, segment, timeModels, findFaces };

/** A call frame in, its answer frame out; whatever fails is answered as an error of that call. */
async function answer(frame: Uint8Array): Promise<Uint8Array> {
  let id = 0;
  try {
    const { head, body } = decodeVisionFrame(frame);
    id = head.id;
    if (!('call' in head)) throw new Error('the vision page takes calls only');
    const method = Object.hasOwn(METHODS, head.call) ? (METHODS[head.call] as (arg: unknown) => Promise<unknown>) : undefined;
    if (!method) throw new Error(`unknown vision method ${String(head.call)}`);
    return encodeVisionFrame({ id, ok: true }, await method(body));
  } catch (err) {
    return encodeVisionFrame({ id, ok: false, error: err instanceof Error ? err.message : String(err) }, null);
  }
}

window.chronofaceVision = {
  callFrame: async (frameBase64) => toBase64(await answer(fromBase64(frameBase64))),
};

/** A host that named a socket (the headless one) sends its frames there: bytes both ways, nothing in between. */
const socketUrl = new URLSearchParams(location.search).get('socket');
if (socketUrl) {
  const socket = new WebSocket(socketUrl);
  socket.binaryType = 'arraybuffer';
  socket.onmessage = async (e: MessageEvent<ArrayBuffer>) => socket.send(await answer(new Uint8Array(e.data)));
}
