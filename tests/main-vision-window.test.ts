import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeVisionFrame, encodeVisionFrame } from '../contract/vision-frame.js';
import { isHostFailure } from '../ml/prep/pipeline.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { MockBrowserWindow, recorded } from './helpers/mock-electron.js';

vi.mock('electron', async () => (await import('./helpers/mock-electron.js')).electronModule);

/** What the hidden window's page does with a frame, minus MediaPipe: answers init, echoes detect's photo size. */
function pageAnswer(code: string, calls: string[]): string | boolean {
  if (code.startsWith('new Promise')) return true;
  const m = /^window\.chronofaceVision\.callFrame\("([A-Za-z0-9+/=]+)"\)$/.exec(code);
  if (!m) throw new Error(`unexpected script: ${code.slice(0, 80)}`);
  const { head, body } = decodeVisionFrame(Buffer.from(m[1]!, 'base64'));
  if (!('call' in head)) throw new Error('not a call');
  calls.push(head.call);
  let answer: Uint8Array;
  if (head.call === 'init') answer = encodeVisionFrame({ id: head.id, ok: true }, { ok: true });
  else if (head.call === 'segment') answer = encodeVisionFrame({ id: head.id, ok: false, error: 'The source image could not be decoded.' }, null);
  else {
    const input = body as { kind: string; bytes: Uint8Array; mime: string };
    answer = encodeVisionFrame({ id: head.id, ok: true }, { width: input.bytes.length, height: 1, faces: [{ mask: { side: 2, data: new Uint8Array([0, 85, 170, 255]) } }], kind: input.kind, mime: input.mime });
  }
  return Buffer.from(answer).toString('base64');
}

describe('desktop vision host (hidden windows)', () => {
  it('sends each call as a base64 frame to callFrame and reads the answer frame, bytes and errors included', async () => {
    const calls: string[] = [];
    const contents = Object.getPrototypeOf(new MockBrowserWindow({}).webContents) as { executeJavaScript: (code: string) => Promise<unknown> };
    const spy = vi.spyOn(contents, 'executeJavaScript').mockImplementation(async (code: string) => pageAnswer(code, calls));
    const { createWindowVisionHost } = await import('../main/vision-window.js');
    const windowsBefore = recorded.windows.length;
    const host = await createWindowVisionHost(2);
    try {
      expect(recorded.windows.length - windowsBefore).toBe(2);
      expect(recorded.windows.slice(-2).map((w) => w.options.show)).toEqual([false, false]);
      expect(calls).toEqual(['init', 'init']);

      const photo = fs.readFileSync(path.join(FGNET_DIR, 'images/005A18.JPG'));
      const res = (await host.detect({ width: 1, height: 1, encoded: photo, mime: 'image/jpeg' })) as unknown as {
        width: number;
        kind: string;
        faces: { mask: { data: Uint8Array } }[];
      };
      expect(res.kind).toBe('encoded');
      expect(res.width).toBe(photo.length);
      expect([...res.faces[0]!.mask.data]).toEqual([0, 85, 170, 255]);

      // Raw pixels travel as a JPEG on this transport (frames cross as strings).
      const raw = (await host.detect({ width: 8, height: 8, channels: 3, data: Buffer.alloc(8 * 8 * 3, 120) })) as unknown as { kind: string; mime: string };
      expect([raw.kind, raw.mime]).toEqual(['encoded', 'image/jpeg']);

      await expect(host.segment({ width: 1, height: 1, encoded: Buffer.from('x'), mime: 'image/png' })).rejects.toThrow('The source image could not be decoded.');

      // A crashed page is the host's failure, not the photo's: preparation stops instead of blaming the image.
      for (const w of recorded.windows.slice(-2)) w.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
      const lost = await host.detect({ width: 1, height: 1, encoded: photo, mime: 'image/jpeg' }).catch((e: unknown) => e);
      expect((lost as Error).message).toBe("the vision window's page ended (crashed)");
      expect(isHostFailure(lost)).toBe(true);
    } finally {
      await host.close();
      spy.mockRestore();
    }
    expect(recorded.windows.slice(-2).every((w) => w.destroyed)).toBe(true);
  });
});
