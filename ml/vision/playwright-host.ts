import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page, type Route } from 'playwright-core';
import { rendererDistDir } from './assets.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';
import { createVisionHost, visionInitRequest, type VisionHost, type VisionMethod, type VisionPageTransport } from './host.js';
import { resolveModelFile, VISION_MODEL_NAMES, type ModelProgress, type VisionModelName } from './models.js';

export interface PlaywrightVisionHostOptions {
  /** Pages working in parallel (default 2). */
  pages?: number;
  /** For the model lookup in <dataDir>/models/mediapipe (and downloads). */
  dataDir?: string;
  chromiumPath?: string;
  onModelProgress?: (p: ModelProgress) => void;
  maxFaces?: number;
  /** TFLite delegate in the page (default CPU). */
  delegate?: 'CPU' | 'GPU';
}

/** A *.localhost origin is a secure context, where the page can decode photos with WebCodecs. */
const ORIGIN = 'http://chronoface.localhost';

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
};

function serveFile(route: Route, file: string): Promise<void> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return route.fulfill({ status: 404, body: 'not found' });
  return route.fulfill({
    status: 200,
    body: fs.readFileSync(file),
    headers: { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' },
  });
}

interface CallResult {
  result?: { value?: unknown };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}

/** Calls window.chronofaceVision over a CDP session with Runtime.callFunctionOn on the page's global object: cheaper per
 *  call than page.evaluate (no argument serialisation or utility world). Arguments and results cross as JSON strings. */
class PageTransport implements VisionPageTransport {
  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly globalId: string,
  ) {}

  static async open(page: Page): Promise<PageTransport> {
    const cdp = await page.context().newCDPSession(page);
    const { result } = (await cdp.send('Runtime.evaluate', { expression: 'globalThis' })) as { result: { objectId?: string } };
    if (!result.objectId) throw new Error('the vision page has no global object to call');
    return new PageTransport(page, cdp, result.objectId);
  }

  async call(method: VisionMethod, arg: unknown): Promise<unknown> {
    const res = (await this.cdp.send('Runtime.callFunctionOn', {
      objectId: this.globalId,
      functionDeclaration: 'function (m, a) { return this.chronofaceVision[m](JSON.parse(a)).then(JSON.stringify); }',
      arguments: [{ value: method }, { value: JSON.stringify(arg) }],
      awaitPromise: true,
      returnByValue: true,
    })) as CallResult;
    if (res.exceptionDetails) {
      const d = res.exceptionDetails;
      const text = d.exception?.description ?? d.text ?? 'unknown error';
      throw new Error(text.replace(/^Error: /, '').split('\n')[0]);
    }
    const value = res.result?.value;
    if (typeof value !== 'string') throw new Error(`the vision page answered ${method} with ${typeof value}`);
    return JSON.parse(value) as unknown;
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
    await this.page.close().catch(() => undefined);
  }
}

/** Headless Chromium (playwright-core) running the built vision page on `pages` tabs; everything is served by page.route(). */
export async function createPlaywrightVisionHost(opts: PlaywrightVisionHostOptions = {}): Promise<VisionHost> {
  const pages = Math.max(1, Math.floor(opts.pages ?? 2));
  const distDir = rendererDistDir();
  const models = {} as Record<VisionModelName, string>;
  for (const name of VISION_MODEL_NAMES) {
    models[name] = await resolveModelFile(name, { dataDir: opts.dataDir, onProgress: opts.onModelProgress });
  }
  const executablePath = opts.chromiumPath ?? findChromium();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    throw new Error(`could not start Chromium at ${executablePath} for face detection: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort('blockedbyclient');
      const p = decodeURIComponent(url.pathname);
      if (p.startsWith('/models/')) {
        const name = p.slice('/models/'.length) as VisionModelName;
        const file = models[name];
        return file ? serveFile(route, file) : route.fulfill({ status: 404, body: 'no such model' });
      }
      const file = path.resolve(distDir, `.${p}`);
      if (!file.startsWith(distDir + path.sep)) return route.fulfill({ status: 403, body: 'forbidden' });
      return serveFile(route, file);
    });
    const init = visionInitRequest(
      {
        wasmBaseUrl: `${ORIGIN}/vision/wasm`,
        faceLandmarkerUrl: `${ORIGIN}/models/face_landmarker.task`,
        faceDetectorUrl: `${ORIGIN}/models/blaze_face_short_range.tflite`,
        segmenterUrl: `${ORIGIN}/models/selfie_segmenter.tflite`,
      },
      { maxFaces: opts.maxFaces },
    );
    if (opts.delegate) init.delegate = opts.delegate;
    const transports = await Promise.all(
      Array.from({ length: pages }, async () => {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${ORIGIN}/vision/index.html`);
        try {
          await page.waitForFunction(() => 'chronofaceVision' in globalThis, undefined, { timeout: 30_000 });
        } catch {
          throw new Error(`the vision page did not start${errors.length ? `: ${errors.join('; ')}` : ''}`);
        }
        const t = await PageTransport.open(page);
        await t.call('init', init);
        return t;
      }),
    );
    const host = createVisionHost(transports);
    return {
      parallelism: host.parallelism,
      detect: (img, o) => host.detect(img, o),
      segment: (img) => host.segment(img),
      timeModels: (images, repeat) => host.timeModels(images, repeat),
      async close() {
        await host.close();
        await browser.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
}
