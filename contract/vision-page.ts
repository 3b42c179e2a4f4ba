/** What a vision host (Node, or Electron main) and the vision page (renderer/vision) say to each other. Types only. */
export interface VisionInitRequest {
  wasmBaseUrl: string;
  faceLandmarkerUrl: string;
  faceDetectorUrl: string;
  segmenterUrl: string;
  maxFaces: number;
  minDetectionConfidence: number;
  /** TFLite delegate; 'CPU' (default) is fastest under software WebGL. */
  delegate?: 'CPU' | 'GPU';
}

/** A photo for the page: 8-bit RGB or RGBA pixels, or a file's bytes for the page to decode. */
export type VisionImageInput =
  | { kind: 'pixels'; width: number; height: number; channels: 3 | 4; bytes: Uint8Array }
  | { kind: 'encoded'; bytes: Uint8Array; mime: string };

/** Asks `detect` to segment the person around its most prominent face in the same call (one round trip, one decode).
 *  The region is a square of `extent` inter-ocular distances, turned with the eye line (the segmenter sees the face
 *  upright), centred `down` inter-ocular distances below the eyes' midpoint. */
export interface FaceSegmentRequest {
  extent: number;
  down: number;
  /** Side of the returned mask. */
  maskSide: number;
  /** 0..255 grey for the region's pixels outside the photo. */
  grey: number;
}

export type VisionDetectInput = VisionImageInput & { segmentFace?: FaceSegmentRequest };

/** A square of the input image turned by `angle` radians (its x axis along the eye line), in input pixels. */
export interface FaceRegion {
  cx: number;
  cy: number;
  side: number;
  angle: number;
}

/** Person confidence over a turned square region of the input image (mask row 0 along the region's top edge). */
export interface PageFaceMask {
  region: FaceRegion;
  side: number;
  /** Uint8 0..255 person confidence, side * side. */
  data: Uint8Array;
}

export interface PageFace {
  score: number | null;
  box: [number, number, number, number] | null;
  /** 478 * 3 numbers: x, y in input pixels, z on the scale of x. */
  points: number[];
  /** 4x4 facial transformation matrix, column-major. */
  matrix: number[] | null;
  /** When segmentFace was asked, on the most prominent face only. */
  mask?: PageFaceMask;
}

export interface PageDetectResult {
  width: number;
  height: number;
  faces: PageFace[];
  ms: number;
  /** Milliseconds per stage (decode, landmarks, detector, segment and its parts), for benchmarks. */
  stages?: Record<string, number>;
}

/** Asks `findFaces` to search the whole image for faces of every size: BlazeFace on overlapping square tiles at
 *  several scales (the smallest tiles sized for `minFace`), boxes merged by non-maximum suppression, then the
 *  landmarker on each face's own crop. */
export interface FaceSearchRequest {
  /** Width of the smallest face to find, input px. */
  minFace: number;
  /** At most this many faces, highest scores first. */
  maxFaces: number;
  /** Tile detections below this score are dropped. */
  minScore: number;
  /** The smallest face fills this fraction of its scale's tiles (the page's default unless given). */
  minFraction?: number;
  /** Each scale's tiles are this many times the previous scale's (the page's default unless given). */
  scaleStep?: number;
  /** Search only part `index` of `of` of each scale's tiles (row-major, contiguous), so that pages share the work. */
  part?: { index: number; of: number };
}

export type VisionSearchInput = VisionImageInput & { search: FaceSearchRequest };

export interface PageSegmentResult {
  width: number;
  height: number;
  /** Uint8 0..255 person confidence, width * height. */
  mask: Uint8Array;
  ms: number;
}

/** The models' own cost on some photos: each decoded once, then the landmarker on the photo and the segmenter on a
 *  256 x 256 view of it, `repeat` times over, with nothing else in the loop. */
export interface TimeModelsRequest {
  images: VisionImageInput[];
  repeat: number;
}

export interface TimeModelsResult {
  images: number;
  ms: number;
}

/** The page's methods. Hosts call them through frames (contract/vision-frame.ts): over the page's socket when its URL
 *  names one (?socket=ws://...), else through window.chronofaceVision.callFrame. */
export interface VisionPageMethods {
  init(req: VisionInitRequest): Promise<{ ok: true }>;
  detect(img: VisionDetectInput): Promise<PageDetectResult>;
  segment(img: VisionImageInput): Promise<PageSegmentResult>;
  timeModels(req: TimeModelsRequest): Promise<TimeModelsResult>;
  findFaces(img: VisionSearchInput): Promise<PageDetectResult>;
}

export type VisionMethod = keyof VisionPageMethods;

/** What the page puts on window, for hosts without a socket (the desktop app's hidden windows). */
export interface ChronofaceVisionApi {
  /** A call frame in, its answer frame out, both base64. */
  callFrame(frameBase64: string): Promise<string>;
}
