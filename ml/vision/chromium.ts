import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Headless flags: no background networking (the network is closed), software WebGL for MediaPipe. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

function usualLocations(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      path.join(os.homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
    ];
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((r) => [
      path.join(r, 'Google/Chrome/Application/chrome.exe'),
      path.join(r, 'Chromium/Application/chrome.exe'),
      path.join(r, 'Microsoft/Edge/Application/msedge.exe'),
    ]);
  }
  return [
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
    '/usr/bin/microsoft-edge',
  ];
}

/** CHRONOFACE_CHROMIUM, then /usr/bin/chromium, then the usual Chrome and Chromium locations. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.CHRONOFACE_CHROMIUM;
  if (explicit) {
    if (fs.existsSync(explicit)) return explicit;
    throw new ChromiumNotFoundError(`CHRONOFACE_CHROMIUM is set to ${explicit}, which does not exist`);
  }
  const candidates = ['/usr/bin/chromium', ...usualLocations(platform, env)];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found) return found;
  throw new ChromiumNotFoundError(
    'no Chromium or Chrome found for face detection: install Chromium (e.g. `apt-get install chromium`) or Google Chrome, ' +
      `or set CHRONOFACE_CHROMIUM to the browser executable (looked in ${candidates.join(', ')})`,
  );
}
