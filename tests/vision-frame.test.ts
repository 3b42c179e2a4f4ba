import { describe, expect, it } from 'vitest';
import { decodeVisionFrame, encodeVisionFrame } from '../contract/vision-frame.js';

describe('vision frames', () => {
  it('carries byte arrays beside the JSON, wherever they sit, and gives them back as views of the frame', () => {
    const photo = Buffer.from([1, 2, 3, 250, 0, 7]);
    const mask = new Uint8Array([9, 8, 7, 6]);
    const body = { kind: 'encoded', bytes: photo, mime: 'image/jpeg', faces: [{ points: [1.5, -2, 3], mask: { side: 2, data: mask } }, { points: [], mask: null }] };
    const frame = encodeVisionFrame({ id: 41, call: 'detect' }, body);
    // Byte arrays are not spelled out in the JSON (a Buffer's toJSON would make a list of numbers).
    const jsonLength = new DataView(frame.buffer).getUint32(0, true);
    expect(jsonLength).toBeLessThan(200);
    expect(frame.length).toBe(4 + jsonLength + 4 + 2 * 4 + photo.length + mask.length);

    const { head, body: back } = decodeVisionFrame(frame);
    expect(head).toEqual({ id: 41, call: 'detect' });
    const b = back as typeof body;
    expect([...b.bytes]).toEqual([...photo]);
    expect([...b.faces[0]!.mask!.data]).toEqual([...mask]);
    expect(b.faces[0]!.points).toEqual([1.5, -2, 3]);
    expect(b.faces[1]).toEqual({ points: [], mask: null });
    expect(b.bytes.buffer).toBe(frame.buffer);
  });

  it('answers and errors round-trip; empty and missing bodies too', () => {
    expect(decodeVisionFrame(encodeVisionFrame({ id: 3, ok: true }, { ok: true }))).toEqual({ head: { id: 3, ok: true }, body: { ok: true } });
    expect(decodeVisionFrame(encodeVisionFrame({ id: 4, ok: false, error: 'The source image could not be decoded.' }, null))).toEqual({
      head: { id: 4, ok: false, error: 'The source image could not be decoded.' },
      body: null,
    });
    const empty = decodeVisionFrame(encodeVisionFrame({ id: 5, ok: true }, { data: new Uint8Array(0) })).body as { data: Uint8Array };
    expect(empty.data).toBeInstanceOf(Uint8Array);
    expect(empty.data.length).toBe(0);
  });

  it('refuses truncated or inconsistent frames with the reason', () => {
    const frame = encodeVisionFrame({ id: 1, call: 'segment' }, { bytes: new Uint8Array(100) });
    expect(() => decodeVisionFrame(frame.subarray(0, 5))).toThrow(/malformed vision frame \(5 bytes\): shorter than its header/);
    expect(() => decodeVisionFrame(frame.subarray(0, 20))).toThrow(/JSON runs past the end/);
    expect(() => decodeVisionFrame(frame.subarray(0, frame.length - 1))).toThrow(/byte array 0 runs past the end/);
    const json = new TextEncoder().encode(JSON.stringify({ head: { id: 2, ok: true }, body: { $bytes: 3 } }));
    const forged = new Uint8Array(4 + json.length + 4);
    new DataView(forged.buffer).setUint32(0, json.length, true);
    forged.set(json, 4);
    expect(() => decodeVisionFrame(forged)).toThrow(/no byte array 3/);
    const headless = new TextEncoder().encode(JSON.stringify({ body: 1 }));
    const noHead = new Uint8Array(4 + headless.length + 4);
    new DataView(noHead.buffer).setUint32(0, headless.length, true);
    noHead.set(headless, 4);
    expect(() => decodeVisionFrame(noHead)).toThrow(/no head/);
  });
});
