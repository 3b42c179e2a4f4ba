import { beforeAll } from 'vitest';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';
import type { VisionHost } from '../../ml/vision/host.js';

/** Pages of the worker's vision host: as many as the product's default. */
export const WORKER_VISION_PAGES = 2;

let workerHost: Promise<VisionHost> | undefined;

/**
 * The test worker's headless-Chromium vision host: one Chromium with its MediaPipe pages started by the first suite
 * that asks, then kept warm for every later test file the worker runs (the vision files share a worker without
 * isolation, see vitest.config.ts). Chromium closes itself when the worker exits and its DevTools pipe ends.
 */
function startedWorkerHost(): Promise<VisionHost> {
  if (!workerHost) {
    workerHost = createChromiumVisionHost({ pages: WORKER_VISION_PAGES });
    workerHost.catch(() => (workerHost = undefined));
  }
  return workerHost;
}

/**
 * The worker's vision host for the tests of the enclosing describe block. Call it in the describe body; the returned
 * host hands every call on to the worker's, so tests use it directly. Its close() leaves the worker's host running.
 */
export function visionHostForSuite(): VisionHost {
  let host: VisionHost | undefined;
  beforeAll(async () => {
    host = await startedWorkerHost();
  });
  const started = (): VisionHost => {
    if (!host) throw new Error('the vision host is not started yet: use it inside a test or a later beforeAll');
    return host;
  };
  return {
    get parallelism() {
      return started().parallelism;
    },
    detect: (image, detectOpts) => started().detect(image, detectOpts),
    findFaces: (image, search) => started().findFaces(image, search),
    segment: (image) => started().segment(image),
    timeModels: (images, repeat) => started().timeModels(images, repeat),
    close: async () => undefined,
  };
}
