import { FaceDetector, FaceLandmarker, FilesetResolver, ImageSegmenter, type Detection } from '@mediapipe/tasks-vision';
import type {
  ChronofaceVisionApi,
  PageDetectResult,
  PageFace,
  PageSegmentResult,
  VisionImageInput,
  VisionInitRequest,
} from '../../contract/vision-page';

declare global {
  interface Window {
    chronofaceVision: ChronofaceVisionApi;
  }
}

interface Tasks {
  landmarker: FaceLandmarker;
  detector: FaceDetector;
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

async function toImage(img: VisionImageInput): Promise<ImageData | ImageBitmap> {
  if (img.kind === 'rgba') {
    const bytes = fromBase64(img.base64);
    if (bytes.length !== img.width * img.height * 4) {
      throw new Error(`rgba input has ${bytes.length} bytes, expected ${img.width * img.height * 4}`);
    }
    return new ImageData(new Uint8ClampedArray(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length), img.width, img.height);
  }
  const blob = new Blob([fromBase64(img.base64) as Uint8Array<ArrayBuffer>], { type: img.mime });
  return createImageBitmap(blob, { imageOrientation: 'none', colorSpaceConversion: 'default' });
}

/** Thousandths of a pixel are plenty and keep the JSON small. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function requireTasks(): Tasks {
  if (!tasks) throw new Error('vision page not initialised: call chronofaceVision.init first');
  return tasks;
}

async function createTasks(req: VisionInitRequest): Promise<Tasks> {
  const fileset = await FilesetResolver.forVisionTasks(req.wasmBaseUrl);
  const landmarker = await FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: req.faceLandmarkerUrl, delegate: req.delegate ?? 'CPU' },
    runningMode: 'IMAGE',
    numFaces: req.maxFaces,
    minFaceDetectionConfidence: req.minDetectionConfidence,
    minFacePresenceConfidence: req.minDetectionConfidence,
    outputFacialTransformationMatrixes: false,
    outputFaceBlendshapes: false,
  });
  const detector = await FaceDetector.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: req.faceDetectorUrl, delegate: 'CPU' },
    runningMode: 'IMAGE',
    minDetectionConfidence: Math.min(0.3, req.minDetectionConfidence),
  });
  const segmenter = await ImageSegmenter.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: req.segmenterUrl, delegate: req.delegate ?? 'CPU' },
    runningMode: 'IMAGE',
    outputConfidenceMasks: true,
    outputCategoryMask: false,
  });
  return { landmarker, detector, segmenter };
}

/** BlazeFace looks at 128x128 anyway: run it on a small copy (cheaper WebGL upload), boxes mapped back. */
const DETECTOR_SIDE = 256;
async function detectSmall(detector: FaceDetector, image: ImageData | ImageBitmap): Promise<Detection[]> {
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

/** The detector box that contains the most of this face's landmarks' centre region. */
function matchDetection(points: number[], detections: Detection[], used: Set<number>): number {
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
    const b = d.boundingBox;
    if (!b || used.has(k)) return;
    const ix = Math.max(0, Math.min(maxX, b.originX + b.width) - Math.max(minX, b.originX));
    const iy = Math.max(0, Math.min(maxY, b.originY + b.height) - Math.max(minY, b.originY));
    const inter = ix * iy;
    const union = (maxX - minX) * (maxY - minY) + b.width * b.height - inter;
    const iou = union > 0 ? inter / union : 0;
    if (iou > bestIou) {
      bestIou = iou;
      best = k;
    }
  });
  return best;
}

async function detect(input: VisionImageInput): Promise<PageDetectResult> {
  const t = requireTasks();
  const tStart = performance.now();
  const image = await toImage(input);
  const t0 = performance.now();
  try {
    const width = image.width;
    const height = image.height;
    const lm = t.landmarker.detect(image);
    const t1 = performance.now();
    const det = lm.faceLandmarks.length > 0 ? await detectSmall(t.detector, image) : [];

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
        const d = det[k]!;
        score = d.categories[0]?.score ?? null;
        const b = d.boundingBox!;
        box = [b.originX, b.originY, b.width, b.height];
      }
      const m = lm.facialTransformationMatrixes?.[i]?.data;
      return { score, box, points, matrix: m ? Array.from(m) : null };
    });
    const t2 = performance.now();
    return { width, height, faces, ms: t2 - tStart, stages: { decode: t0 - tStart, landmarks: t1 - t0, detector: t2 - t1 } };
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
      return { width: mask.width, height: mask.height, maskBase64: toBase64(out), ms: performance.now() - t0 };
    } finally {
      result.close();
    }
  } finally {
    if ('close' in image) image.close();
  }
}

window.chronofaceVision = {
  async init(req) {
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
  },
  detect,
  segment,
};
