import { parentPort, workerData } from 'node:worker_threads';
import { TextureSums, type TextureReply, type TextureRequest, type TextureSetup } from './texture-pass.js';

/** A texture pass's worker thread: sums the crops it is sent, in order, and hands its sums back when asked. */
const port = parentPort!;
const pass = new TextureSums(workerData as TextureSetup);
const reply = (r: TextureReply, transfer: ArrayBuffer[] = []): void => port.postMessage(r, transfer);
let chain = Promise.resolve();
port.on('message', (m: TextureRequest) => {
  chain = chain
    .then(async () => {
      if (m.type === 'crops') {
        await pass.addAll(m.crops);
        reply({ type: 'done', n: m.crops.length });
      } else {
        const parts = pass.sums.parts();
        reply({ type: 'sums', parts }, parts.map((p) => p.sum.buffer as ArrayBuffer));
      }
    })
    .catch((e: unknown) => reply({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
});
