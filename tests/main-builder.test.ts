import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/env.js';

const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  const yaml = require('js-yaml') as { load(text: string): Record<string, unknown> };
  const config = yaml.load(fs.readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>;

  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds AppImage + deb, dmg and nsis, with the hardening fuses', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true });
  });

  it('unpacks the natives, the wasm runtimes and the vision page, and packs what main loads', () => {
    const unpack = config.asarUnpack as string[];
    for (const p of ['node_modules/sharp/', 'node_modules/@img/', 'node_modules/better-sqlite3/', 'node_modules/@tensorflow/tfjs-node/', 'node_modules/@mediapipe/tasks-vision/wasm/', 'dist/renderer/vision/']) {
      expect(unpack.some((u) => u.startsWith(p)), p).toBe(true);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('dist/node/main/index.js');
    expect(config.files).toContain('dist/node/**/*');
    expect(config.files).toContain('dist/preload/**/*');
    expect(pkg.scripts.dist).toContain('electron-builder install-app-deps');
  });
});
