/**
 * One message between a vision host and the vision page, as bytes: a call (method and argument) or its answer (a
 * result or an error). Byte arrays anywhere in the payload travel as they are, beside the JSON rather than inside it:
 *   u32 json length | json | u32 count | count x u32 byte lengths | the byte arrays, one after the other
 * (little-endian). In the JSON each array is {"$bytes": index}. Decoded arrays are views into the frame, not copies.
 */
import type { VisionMethod } from './vision-page.js';

export type VisionFrameHead =
  | { id: number; call: VisionMethod }
  | { id: number; ok: true }
  | { id: number; ok: false; error: string };

export interface VisionFrame {
  head: VisionFrameHead;
  body: unknown;
}

const BYTES_KEY = '$bytes';

/** The value with every byte array swapped for its place in `arrays` (JSON.stringify would first turn a Node Buffer
 *  into an array of numbers through its toJSON). Plain data only: objects, arrays and primitives. */
function setAside(value: unknown, arrays: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    arrays.push(value);
    return { [BYTES_KEY]: arrays.length - 1 };
  }
  if (Array.isArray(value)) return value.some((v) => v !== null && typeof v === 'object') ? value.map((v) => setAside(v, arrays)) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = setAside(v, arrays);
  return out;
}

/** Puts the byte arrays back where setAside took them out. */
function restore(value: unknown, arrays: readonly Uint8Array[], fail: (why: string) => never): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (value[i] !== null && typeof value[i] === 'object') value[i] = restore(value[i], arrays, fail);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (BYTES_KEY in record) {
    const i = record[BYTES_KEY];
    return (typeof i === 'number' && arrays[i]) || fail(`no byte array ${String(i)}`);
  }
  for (const k of Object.keys(record)) record[k] = restore(record[k], arrays, fail);
  return record;
}

export function encodeVisionFrame(head: VisionFrameHead, body: unknown): Uint8Array {
  const arrays: Uint8Array[] = [];
  const json = new TextEncoder().encode(JSON.stringify({ head, body: setAside(body, arrays) }));
  let total = 4 + json.length + 4 + 4 * arrays.length;
  for (const a of arrays) total += a.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  out.set(json, 4);
  let at = 4 + json.length;
  view.setUint32(at, arrays.length, true);
  at += 4;
  for (const a of arrays) {
    view.setUint32(at, a.length, true);
    at += 4;
  }
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

export function decodeVisionFrame(frame: Uint8Array): VisionFrame {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const fail = (why: string): never => {
    throw new Error(`malformed vision frame (${frame.length} bytes): ${why}`);
  };
  if (frame.length < 8) fail('shorter than its header');
  const jsonLength = view.getUint32(0, true);
  if (4 + jsonLength + 4 > frame.length) fail('JSON runs past the end');
  let at = 4 + jsonLength;
  const count = view.getUint32(at, true);
  at += 4;
  if (at + 4 * count > frame.length) fail('byte-array table runs past the end');
  const arrays: Uint8Array[] = [];
  let data = at + 4 * count;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(at + 4 * i, true);
    if (data + length > frame.length) fail(`byte array ${i} runs past the end`);
    arrays.push(frame.subarray(data, data + length));
    data += length;
  }
  const parsed = restore(JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + jsonLength))), arrays, fail) as Partial<VisionFrame>;
  if (!parsed.head || typeof parsed.head.id !== 'number') fail('no head');
  return { head: parsed.head!, body: parsed.body };
}
