/** Drives the real studio in browser mode: `chronoface serve` on a data directory, headless Debian Chromium. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startCli } from './cli.js';
import { REPO_ROOT } from './env.js';
import { MODELS_DIR } from './shared-data.js';

export const ARTEFACTS = path.join(REPO_ROOT, 'test-results/e2e');

export interface Studio {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `chronoface serve --json` and resolves with the token URL from its first line. */
export function startStudio(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Studio> {
  const child = startCli(['serve', '--json', '--data-dir', dataDir], { CHRONOFACE_MODELS_DIR: MODELS_DIR, ...env });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in 30 s: ${out}${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (!line) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      resolve({
        url,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before printing its URL: ${err}`));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHRONOFACE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Opens the studio at a screen; fails the test on any uncaught page error. */
export async function openStudio(browser: Browser, studio: Studio, hash: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${studio.url}${hash}`);
  return page;
}

/** Keeps a screenshot under test-results/e2e/ (git-ignored; CI uploads it as an artefact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  const file = path.join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Polls until `check` returns a value that is not undefined, or throws after `ms`. */
export async function eventually<T>(check: () => T | undefined, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
