/**
 * FaceLandmarker runs BlazeFace inside its graph but only reports landmarks. This adds the graph's DETECTIONS output
 * (the same short-range BlazeFace score and box a separate FaceDetector gives), so no second detector pass is needed.
 * It edits the binary CalculatorGraphConfig the task hands to its graph runner, before the graph starts.
 */
import { FaceLandmarker } from '@mediapipe/tasks-vision';

const LANDMARKER_GRAPH = 'mediapipe.tasks.vision.face_landmarker.FaceLandmarkerGraph';
const STREAM = 'chronoface_detections';

export interface GraphDetection {
  score: number;
  /** Left, top, width, height in input pixels. */
  box: [number, number, number, number] | null;
}

interface Field {
  no: number;
  wire: number;
  start: number;
  end: number;
  valueStart: number;
}

function readVarint(b: Uint8Array, at: { i: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const x = b[at.i++];
    if (x === undefined) throw new Error('truncated protobuf varint');
    value += (x & 0x7f) * scale;
    if (x < 0x80) return value;
    scale *= 128;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function fields(b: Uint8Array, from = 0, to = b.length): Field[] {
  const out: Field[] = [];
  const at = { i: from };
  while (at.i < to) {
    const start = at.i;
    const key = readVarint(b, at);
    const wire = key & 7;
    let valueStart = at.i;
    if (wire === 0) readVarint(b, at);
    else if (wire === 1) at.i += 8;
    else if (wire === 5) at.i += 4;
    else if (wire === 2) {
      const len = readVarint(b, at);
      valueStart = at.i;
      at.i += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.push({ no: Math.floor(key / 8), wire, start, end: at.i, valueStart });
  }
  return out;
}

function stringField(no: number, text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...varint(no * 8 + 2), ...varint(bytes.length), ...bytes];
}

/** The graph with the landmarker node's DETECTIONS routed to a graph output stream. */
export function withDetectionsOutput(graph: Uint8Array): Uint8Array {
  const out: number[] = [];
  let found = false;
  const text = new TextDecoder();
  for (const f of fields(graph)) {
    // CalculatorGraphConfig.node = 1; Node.calculator = 2; Node.output_stream = 4; CalculatorGraphConfig.output_stream = 15.
    if (f.no === 1 && f.wire === 2) {
      const calc = fields(graph, f.valueStart, f.end).find((x) => x.no === 2 && x.wire === 2);
      if (calc && text.decode(graph.subarray(calc.valueStart, calc.end)) === LANDMARKER_GRAPH) {
        const body = [...graph.subarray(f.valueStart, f.end), ...stringField(4, `DETECTIONS:${STREAM}`)];
        out.push(...varint(1 * 8 + 2), ...varint(body.length), ...body);
        found = true;
        continue;
      }
    }
    for (let i = f.start; i < f.end; i++) out.push(graph[i]!);
  }
  if (!found) throw new Error(`${LANDMARKER_GRAPH} is not in the task's graph`);
  out.push(...stringField(15, STREAM));
  return new Uint8Array(out);
}

/** mediapipe.Detection: score = 3 (packed floats), location_data = 4 { bounding_box = 2 (ints), relative_bounding_box = 3 (floats) }. */
export function parseDetection(b: Uint8Array, width: number, height: number): GraphDetection {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let score = Number.NaN;
  let box: [number, number, number, number] | null = null;
  for (const f of fields(b)) {
    if (f.no === 3 && (f.wire === 2 || f.wire === 5) && Number.isNaN(score)) score = dv.getFloat32(f.valueStart, true);
    if (f.no !== 4 || f.wire !== 2) continue;
    for (const g of fields(b, f.valueStart, f.end)) {
      if (g.wire !== 2 || (g.no !== 2 && g.no !== 3) || (g.no === 2 && box)) continue;
      const v: [number, number, number, number] = [0, 0, 0, 0];
      for (const h of fields(b, g.valueStart, g.end)) {
        if (h.no < 1 || h.no > 4) continue;
        v[h.no - 1] = g.no === 3 ? dv.getFloat32(h.valueStart, true) : readVarint(b, { i: h.valueStart });
      }
      box = g.no === 3 ? [v[0] * width, v[1] * height, v[2] * width, v[3] * height] : v;
    }
  }
  return { score, box };
}

interface GraphRunnerLike {
  attachProtoVectorListener(stream: string, cb: (data: Uint8Array[], timestamp: number) => void): void;
  attachEmptyPacketListener(stream: string, cb: (timestamp: number) => void): void;
  setGraph(graph: Uint8Array, binary: boolean): void;
}

/** A FaceLandmarker whose last detect() also left the graph's raw detections (protobuf bytes) in `rawDetections`. */
export type LandmarkerWithDetections = FaceLandmarker & { rawDetections: Uint8Array[] };

let patching = false;
const proto = FaceLandmarker.prototype as unknown as { setGraph: (this: unknown, g: Uint8Array, binary: boolean) => void };
const originalSetGraph = proto.setGraph;
proto.setGraph = function (this: unknown, graph: Uint8Array, binary: boolean) {
  const self = this as Record<string, unknown> & { rawDetections?: Uint8Array[]; chronofaceDetections?: boolean };
  if ((patching || self.chronofaceDetections) && binary) {
    const runner = Object.values(self).find(
      (v): v is GraphRunnerLike => !!v && typeof (v as GraphRunnerLike).attachProtoVectorListener === 'function' && typeof (v as GraphRunnerLike).setGraph === 'function',
    );
    if (!runner) throw new Error('FaceLandmarker has no graph runner to listen to');
    graph = withDetectionsOutput(graph);
    self.chronofaceDetections = true;
    self.rawDetections = [];
    runner.attachProtoVectorListener(STREAM, (data) => {
      self.rawDetections = data.map((d) => d.slice());
    });
    runner.attachEmptyPacketListener(STREAM, () => {
      self.rawDetections = [];
    });
  }
  originalSetGraph.call(this, graph, binary);
};

/** FaceLandmarker.createFromOptions, with the detections output added. */
export async function createLandmarkerWithDetections(
  create: () => Promise<FaceLandmarker>,
): Promise<LandmarkerWithDetections> {
  patching = true;
  try {
    const lm = (await create()) as LandmarkerWithDetections;
    if (!Array.isArray(lm.rawDetections)) throw new Error('the detections output was not added');
    return lm;
  } finally {
    patching = false;
  }
}
