import { afterAll, beforeAll } from 'vitest';
import { createPlaywrightVisionHost, type PlaywrightVisionHostOptions } from '../../ml/vision/playwright-host.js';
import type { VisionHost } from '../../ml/vision/host.js';

/**
 * A headless-Chromium vision host for the tests of the enclosing describe block: started before them, closed after.
 * Call it in the describe body; the returned host hands every call on to the one started, so tests use it directly.
 */
export function visionHostForSuite(opts: PlaywrightVisionHostOptions = {}): VisionHost {
  let host: VisionHost | undefined;
  beforeAll(async () => {
    host = await createPlaywrightVisionHost(opts);
  });
  afterAll(async () => {
    await host?.close();
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
    segment: (image) => started().segment(image),
    close: () => started().close(),
  };
}
