// Install step: builds the addon with node-gyp. It is optional: when it cannot build (no compiler, no Node headers,
// another platform) the install still succeeds and Chronoface trains with its WebAssembly kernels.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const failed = path.join(here, 'build', 'failed.txt');
if (process.env.CHRONOFACE_NATIVE_KERNELS === 'off') {
  console.log('chronoface-kernels: CHRONOFACE_NATIVE_KERNELS=off, not building the native kernels');
  process.exit(0);
}
if (process.platform !== 'linux' && process.platform !== 'darwin' || process.arch !== 'x64') {
  console.log(`chronoface-kernels: no native kernels for ${process.platform}-${process.arch}; training uses the WebAssembly kernels`);
  process.exit(0);
}
// npm puts its own node-gyp on PATH for install scripts and names it in npm_config_node_gyp; run by hand, use the
// node-gyp bundled with the npm beside this Node.
const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (fs.existsSync(bundled) ? bundled : null);
const cmd = gyp ? process.execPath : 'node-gyp';
const args = [...(gyp ? [gyp] : []), 'rebuild', '--jobs=max'];
const run = spawnSync(cmd, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (run.status === 0) {
  fs.rmSync(failed, { force: true });
  console.log('chronoface-kernels: built the native training kernels');
  process.exit(0);
}
const log = `${run.error ? String(run.error) : ''}${run.stdout ?? ''}${run.stderr ?? ''}`;
fs.mkdirSync(path.dirname(failed), { recursive: true });
fs.writeFileSync(failed, log);
const last = log.trim().split('\n').slice(-3).join(' | ');
console.warn(`chronoface-kernels: the native training kernels did not build (${last}); training will use the WebAssembly kernels. Log: ${failed}`);
process.exit(0);
