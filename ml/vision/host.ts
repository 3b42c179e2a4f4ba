import sharp from 'sharp';
import { decodeVisionFrame, encodeVisionFrame } from '../../contract/vision-frame.js';
import type {
  FaceSearchRequest,
  FaceSegmentRequest,
  PageDetectResult,
  PageSegmentResult,
  TimeModelsResult,
  VisionDetectInput,
  VisionImageInput,
  VisionInitRequest,
  VisionMethod,
} from '../../contract/vision-page.js';

/** Tightly packed 8-bit pixels. */
export interface RawImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

/** Already encoded JPEG/PNG/WebP bytes whose decoded pixels (no EXIF orientation applied) are width x height. */
export interface EncodedImage {
  width: number;
  height: number;
  encoded: Buffer;
  mime: 'image/jpeg' | 'image/png' | 'image/webp';
}

export type VisionInput = RawImage | EncodedImage;

export interface VisionHost {
  /** Pages or windows working in parallel. */
  readonly parallelism: number;
  /** Faces with coordinates in `image` pixels; with segmentFace, the most prominent face also carries a person mask. */
  detect(image: VisionInput, opts?: DetectOptions): Promise<PageDetectResult>;
  /** Faces of every size in `image` (tiles at several scales, then landmarks on each face's crop), `image` pixels. */
  findFaces(image: VisionInput, search: FaceSearchRequest): Promise<PageDetectResult>;
  /** Person confidence mask at `image` resolution. */
  segment(image: VisionInput): Promise<PageSegmentResult>;
  /** The models alone on these images, every page at once (the ceiling preparation is measured against). */
  timeModels(images: VisionInput[], repeat: number): Promise<TimeModelsResult[]>;
  close(): Promise<void>;
}

export interface DetectOptions {
  segmentFace?: FaceSegmentRequest;
}

/** One page (headless tab or hidden BrowserWindow) that runs the vision page. */
export interface VisionPageTransport {
  call(method: VisionMethod, arg: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_FACES = 6;
export const DEFAULT_MIN_DETECTION_CONFIDENCE = 0.5;

export function visionInitRequest(
  urls: { wasmBaseUrl: string; faceLandmarkerUrl: string; faceDetectorUrl: string; segmenterUrl: string },
  opts: { maxFaces?: number; minDetectionConfidence?: number } = {},
): VisionInitRequest {
  return {
    ...urls,
    maxFaces: opts.maxFaces ?? DEFAULT_MAX_FACES,
    minDetectionConfidence: opts.minDetectionConfidence ?? DEFAULT_MIN_DETECTION_CONFIDENCE,
  };
}

/** JPEG quality for pixels sent over a transport that carries frames as strings (the desktop app's), where 1.6 MB of
 *  RGBA measured over 100 ms against about 4 ms for 50 kB. */
export const PAGE_JPEG_QUALITY = 92;

/** How a transport wants raw pixels: as they are (frames cross as bytes), or as a high-quality JPEG. */
export type PixelShipping = 'raw' | 'jpeg';

/** The page input for an image: encoded bytes as they are, raw pixels as they are or as a JPEG. */
export async function toPageImage(image: VisionInput, pixels: PixelShipping = 'jpeg'): Promise<VisionImageInput> {
  if ('encoded' in image) return { kind: 'encoded', bytes: image.encoded, mime: image.mime };
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`image buffer has ${data.length} bytes, expected ${width}x${height}x${channels}`);
  }
  if (pixels === 'raw') return { kind: 'pixels', width, height, channels, bytes: data };
  const jpeg = await sharp(data, { raw: { width, height, channels } })
    .removeAlpha()
    .jpeg({ quality: PAGE_JPEG_QUALITY, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return { kind: 'encoded', bytes: jpeg, mime: 'image/jpeg' };
}

/** The page or its browser is gone: no fault of the image being worked on. */
export class VisionHostGone extends Error {
  override readonly name = 'VisionHostGone';
}

/** The frame that calls `method` on a page. */
export function callFrame(id: number, method: VisionMethod, arg: unknown): Uint8Array {
  return encodeVisionFrame({ id, call: method }, arg);
}

export type PageAnswer = { id: number } & ({ ok: true; body: unknown } | { ok: false; error: string });

/** A page's answer frame: the call's id, and its result or the error message it threw. */
export function readAnswer(frame: Uint8Array): PageAnswer {
  const { head, body } = decodeVisionFrame(frame);
  if (!('ok' in head)) throw new Error('the vision page sent a call where an answer was due');
  return head.ok ? { id: head.id, ok: true, body } : { id: head.id, ok: false, error: head.error };
}

/** A Node Buffer over the same memory as a byte array that came in a frame. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A VisionHost over initialised pages: each call goes to the least busy page. */
export function createVisionHost(transports: VisionPageTransport[], pixels: PixelShipping): VisionHost {
  if (transports.length === 0) throw new Error('a vision host needs at least one page');
  const busy = transports.map(() => 0);
  let closed = false;
  const run = async <T>(method: VisionMethod, arg: unknown): Promise<T> => {
    if (closed) throw new VisionHostGone('the vision host is closed');
    let k = 0;
    for (let i = 1; i < busy.length; i++) if (busy[i]! < busy[k]!) k = i;
    busy[k]!++;
    try {
      return (await transports[k]!.call(method, arg)) as T;
    } finally {
      busy[k]!--;
    }
  };
  return {
    parallelism: transports.length,
    detect: async (image, opts) => {
      const input: VisionDetectInput = await toPageImage(image, pixels);
      if (opts?.segmentFace) input.segmentFace = opts.segmentFace;
      return run<PageDetectResult>('detect', input);
    },
    findFaces: async (image, search) => run<PageDetectResult>('findFaces', { ...(await toPageImage(image, pixels)), search }),
    segment: async (image) => run<PageSegmentResult>('segment', await toPageImage(image, pixels)),
    async timeModels(images, repeat) {
      if (closed) throw new VisionHostGone('the vision host is closed');
      const arg = { images: await Promise.all(images.map((im) => toPageImage(im, pixels))), repeat };
      return Promise.all(transports.map((t) => t.call('timeModels', arg) as Promise<TimeModelsResult>));
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(transports.map((t) => t.close()));
    },
  };
}
