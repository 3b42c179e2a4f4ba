import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Chronoface';

/** The folder Electron's app.getPath('userData') returns for this app, computed without Electron. */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}

/** --data-dir wins, then CHRONOFACE_DATA_DIR, then the app's userData folder. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.CHRONOFACE_DATA_DIR;
  return path.resolve(chosen && chosen.length > 0 ? chosen : defaultUserDataDir(process.platform, env));
}

/** Subfolders of the data directory; the catalogue stores paths relative to the root. */
export const DATA_SUBDIRS = {
  crops: 'crops',
  models: 'models',
  runs: 'runs',
  outputs: 'outputs',
  visionModels: 'models/mediapipe',
} as const;
