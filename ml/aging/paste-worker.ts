/** The worker of PastePool: pastes one face at every target age onto its region (pasteFace) per message. */
import { parentPort } from 'node:worker_threads';
import { pasteFace } from './team-compose.js';
import { forgetHairPixels } from './hair-grey.js';
import type { PasteJob, PasteReply } from './paste-pool.js';

const port = parentPort!;
port.on('message', (job: PasteJob) => {
  let reply: PasteReply;
  try {
    reply = { id: job.id, pastes: pasteFace(job.before, job.face, job.region, job.keep) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  } finally {
    // The face came as a copy: this worker never sees its hair's plan again.
    if (job.face.hair) forgetHairPixels(job.face.hair);
  }
  const buffers = 'pastes' in reply ? [reply.pastes.changed.buffer, ...(reply.pastes.pasted ?? []).map((p) => p.data.buffer)] : [];
  port.postMessage(reply, buffers as ArrayBuffer[]);
});
