/**
 * The vision host of the desktop app: hidden BrowserWindows running the built vision page (MediaPipe needs WebGL, so
 * it runs in a renderer). Each call is a frame (contract/vision-frame.ts) handed to the page's callFrame as base64.
 */
import { BrowserWindow } from 'electron';
import { ELECTRON_APP_ORIGIN, ELECTRON_SCHEME } from '../contract/files.js';
import { lockDown } from './window.js';
import type { VisionMethod } from '../contract/vision-page.js';
import { callFrame, createVisionHost, readAnswer, visionInitRequest, VisionHostGone, type VisionHost, type VisionPageTransport } from '../ml/vision/host.js';

const VISION_PAGE = `${ELECTRON_APP_ORIGIN}/vision/index.html`;

class WindowTransport implements VisionPageTransport {
  /** Why the window's page is gone (its renderer crashed or was killed), once it is. */
  private gone: string | null = null;

  constructor(private readonly win: BrowserWindow) {
    win.webContents.on('render-process-gone', (_event, details: { reason: string }) => {
      this.gone = `the vision window's page ended (${details.reason})`;
    });
  }

  async call(method: VisionMethod, arg: unknown): Promise<unknown> {
    const lost = (): VisionHostGone | null =>
      this.win.isDestroyed() ? new VisionHostGone('the vision window is closed') : this.gone ? new VisionHostGone(this.gone) : null;
    const before = lost();
    if (before) throw before;
    const frame = Buffer.from(callFrame(0, method, arg)).toString('base64');
    let answer: unknown;
    try {
      answer = await this.win.webContents.executeJavaScript(`window.chronofaceVision.callFrame(${JSON.stringify(frame)})`, true);
    } catch (err) {
      throw lost() ?? err;
    }
    if (typeof answer !== 'string') throw new Error(`the vision window answered ${method} with ${typeof answer}`);
    const read = readAnswer(Buffer.from(answer, 'base64'));
    if (!read.ok) throw new Error(read.error);
    return read.body;
  }

  async close(): Promise<void> {
    if (!this.win.isDestroyed()) this.win.destroy();
  }
}

async function openVisionWindow(): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    show: false,
    width: 640,
    height: 480,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, backgroundThrottling: false, spellcheck: false },
  });
  lockDown(win.webContents);
  await win.loadURL(VISION_PAGE);
  const ready = await win.webContents.executeJavaScript(
    `new Promise((resolve) => { const t0 = Date.now(); const tick = () => 'chronofaceVision' in window ? resolve(true) : Date.now() - t0 > 30000 ? resolve(false) : setTimeout(tick, 50); tick(); })`,
    true,
  );
  if (!ready) {
    win.destroy();
    throw new Error('the vision page did not start (window.chronofaceVision missing)');
  }
  return win;
}

/** `pages` hidden windows, initialised with the models served at chronoface://models/. */
export async function createWindowVisionHost(pages = 2): Promise<VisionHost> {
  const init = visionInitRequest({
    wasmBaseUrl: `${ELECTRON_APP_ORIGIN}/vision/wasm`,
    faceLandmarkerUrl: `${ELECTRON_SCHEME}://models/face_landmarker.task`,
    faceDetectorUrl: `${ELECTRON_SCHEME}://models/blaze_face_short_range.tflite`,
    segmenterUrl: `${ELECTRON_SCHEME}://models/selfie_segmenter.tflite`,
  });
  const windows: BrowserWindow[] = [];
  try {
    for (let i = 0; i < Math.max(1, pages); i++) windows.push(await openVisionWindow());
    const transports = windows.map((w) => new WindowTransport(w));
    await Promise.all(transports.map((t) => t.call('init', init)));
    return createVisionHost(transports, 'jpeg');
  } catch (err) {
    for (const w of windows) if (!w.isDestroyed()) w.destroy();
    throw err;
  }
}
