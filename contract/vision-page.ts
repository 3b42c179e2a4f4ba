/** JSON spoken between a vision host (Node, or Electron main) and the vision page (renderer/vision). Types only. */
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

export type VisionImageInput =
  | { kind: 'rgba'; width: number; height: number; base64: string }
  | { kind: 'encoded'; base64: string; mime: string };

export interface PageFace {
  score: number | null;
  box: [number, number, number, number] | null;
  /** 478 * 3 numbers: x, y in input pixels, z on the scale of x. */
  points: number[];
  /** 4x4 facial transformation matrix, column-major. */
  matrix: number[] | null;
}

export interface PageDetectResult {
  width: number;
  height: number;
  faces: PageFace[];
  ms: number;
  /** Milliseconds per stage (decode, landmarks, detector), for benchmarks. */
  stages?: Record<string, number>;
}

export interface PageSegmentResult {
  width: number;
  height: number;
  /** Uint8 0..255 person confidence, width * height, base64. */
  maskBase64: string;
  ms: number;
}

export interface ChronofaceVisionApi {
  init(req: VisionInitRequest): Promise<{ ok: true }>;
  detect(img: VisionImageInput): Promise<PageDetectResult>;
  segment(img: VisionImageInput): Promise<PageSegmentResult>;
}
