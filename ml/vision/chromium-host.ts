import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { rendererDistDir } from './assets.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';
import { DevToolsPipe } from './devtools-pipe.js';
import { createVisionHost, visionInitRequest, type VisionHost } from './host.js';
import { resolveModelFile, VISION_MODEL_NAMES, type ModelProgress, type VisionModelName } from './models.js';
import { VisionPageServer } from './page-server.js';
import { SocketTransport } from './socket-transport.js';

export interface ChromiumVisionHostOptions {
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

const PAGE_START_MS = 30_000;
const EXIT_WAIT_MS = 3_000;
/** Chromium's last lines on stderr, for the error when something fails (its console messages are among them). */
const STDERR_LINES = 20;

/** Headless, driven over a pipe, pages never throttled as background tabs, console messages on stderr. */
const HOST_ARGS: readonly string[] = [
  '--headless=new',
  '--remote-debugging-pipe',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--no-default-browser-check',
  '--mute-audio',
  '--enable-logging=stderr',
];

/**
 * Headless Chromium running the built vision page on `pages` tabs. The pages load from a loopback server of this
 * process (VisionPageServer) and send their work over a WebSocket each: photos and masks cross as bytes. DevTools,
 * over a pipe, only opens the tabs: anything it watched (as an automation driver does) it would copy into protocol
 * events, which measured more CPU per photo than the rest of the transport.
 */
export async function createChromiumVisionHost(opts: ChromiumVisionHostOptions = {}): Promise<VisionHost> {
  const pages = Math.max(1, Math.floor(opts.pages ?? 2));
  const models = {} as Record<VisionModelName, string>;
  for (const name of VISION_MODEL_NAMES) {
    models[name] = await resolveModelFile(name, { dataDir: opts.dataDir, onProgress: opts.onModelProgress });
  }
  const executablePath = opts.chromiumPath ?? findChromium();
  const stderr: string[] = [];
  let exited: string | null = null;
  const whyClosed = (): string => (exited ? `the vision page closed: ${exited}` : 'the vision page closed its socket');
  const connected: SocketTransport[] = [];
  let onConnect = (): void => undefined;
  const server = await VisionPageServer.start(rendererDistDir(), models, (socket: WebSocket) => {
    connected.push(new SocketTransport(socket, whyClosed));
    onConnect();
  });
  const userDataDir = freshProfileDir();
  let child: ChildProcess | null = null;
  let pipe: DevToolsPipe | null = null;
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled(connected.map((t) => t.close()));
    if (child) await stopChromium(child, pipe);
    await server.close();
    try {
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    } catch {
      // Left for the next start to sweep (freshProfileDir) once this process has ended; closing goes on.
    }
  };
  try {
    child = spawn(executablePath, [...CHROMIUM_ARGS, ...HOST_ARGS, `--user-data-dir=${userDataDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: OWN_GROUP,
    });
    const started = child;
    const failedToStart = new Promise<never>((_, reject) => {
      started.once('error', (err) => reject(new Error(`could not start Chromium at ${executablePath} for face detection: ${err.message}`)));
      started.once('exit', (code, signal) => {
        exited = `Chromium exited (${signal ?? `code ${code}`})${tail(stderr)}`;
        reject(new Error(`Chromium at ${executablePath} exited before the vision pages started (${signal ?? `code ${code}`})${tail(stderr)}`));
      });
    });
    failedToStart.catch(() => undefined);
    // Registered after the listener that records why, so the calls in flight are told it.
    started.once('exit', () => {
      for (const t of connected) t.abandon();
    });
    started.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr.push(...text.split('\n').filter((l) => l.trim()));
      stderr.splice(0, Math.max(0, stderr.length - STDERR_LINES));
    });
    pipe = new DevToolsPipe(started.stdio[3] as Writable, started.stdio[4] as Readable);
    const allConnected = new Promise<void>((resolve) => {
      onConnect = () => {
        if (connected.length >= pages) resolve();
      };
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the vision page did not start within ${PAGE_START_MS / 1000} s${tail(stderr)}`)), PAGE_START_MS);
    });
    try {
      // A pipe that breaks usually means Chromium is exiting: its exit says more, if it comes soon.
      const opened = Promise.all(Array.from({ length: pages }, () => pipe!.send('Target.createTarget', { url: server.pageUrl() }))).catch(
        async (err: Error) => {
          await Promise.race([failedToStart, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS))]);
          throw err;
        },
      );
      await Promise.race([opened.then(() => allConnected), failedToStart, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const init = visionInitRequest(
      {
        wasmBaseUrl: server.url('vision/wasm'),
        faceLandmarkerUrl: server.url('models/face_landmarker.task'),
        faceDetectorUrl: server.url('models/blaze_face_short_range.tflite'),
        segmenterUrl: server.url('models/selfie_segmenter.tflite'),
      },
      { maxFaces: opts.maxFaces },
    );
    if (opts.delegate) init.delegate = opts.delegate;
    await Promise.race([Promise.all(connected.map((t) => t.call('init', init))), failedToStart]);
    const host = createVisionHost(connected, 'raw');
    return {
      parallelism: host.parallelism,
      detect: (img, o) => host.detect(img, o),
      findFaces: (img, search) => host.findFaces(img, search),
      segment: (img) => host.segment(img),
      timeModels: (images, repeat) => host.timeModels(images, repeat),
      async close() {
        await host.close();
        await cleanUp();
      },
    };
  } catch (err) {
    await cleanUp().catch(() => undefined);
    throw err;
  }
}

const PROFILE_PREFIX = 'chronoface-chromium-';

/** A new profile folder named for this process; those of processes that died without closing theirs are removed. */
function freshProfileDir(): string {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(PROFILE_PREFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(PROFILE_PREFIX.length))?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
  return fs.mkdtempSync(path.join(tmp, `${PROFILE_PREFIX}${process.pid}-`));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(lines: readonly string[]): string {
  const last = lines.slice(-5).join(' | ');
  return last ? `; Chromium said: ${last}` : '';
}

/** Chromium gets a process group of its own (not on Windows), so that its helpers can be ended with it. */
const OWN_GROUP = process.platform !== 'win32';

/** Asks Chromium to close, then makes sure it has, helpers included: after a crash they outlive the browser a while. */
async function stopChromium(child: ChildProcess, pipe: DevToolsPipe | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    pipe?.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS);
    await gone;
    clearTimeout(timer);
  }
  if (OWN_GROUP && child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group has ended already.
    }
  }
}
