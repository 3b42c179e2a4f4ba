/**
 * The studio page's only door to the app: window.chronoface with exactly the contract's methods, an event
 * subscription and pathForFile. ipcRenderer itself is never exposed. Bundled by esbuild to dist/preload/preload.cjs
 * (sandboxed preloads are CommonJS and may only require 'electron').
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_CHANNEL, METHODS, type ApiEvent, type ChronofaceBridge } from '../contract/api.js';

const bridge: Record<string, unknown> = {};
for (const method of METHODS) {
  bridge[method] = (request?: unknown) => ipcRenderer.invoke(channelOf(method), request ?? {});
}
bridge.onEvent = (listener: (event: ApiEvent) => void): (() => void) => {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  const handler = (_e: IpcRendererEvent, event: ApiEvent): void => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, handler);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  };
};
bridge.pathForFile = (file: unknown): string | null => {
  try {
    const p = webUtils.getPathForFile(file as File);
    return p ? p : null;
  } catch {
    return null;
  }
};

contextBridge.exposeInMainWorld('chronoface', bridge as ChronofaceBridge);
