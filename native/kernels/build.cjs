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
// Build against this Node's own headers when they are installed beside it (npm passes its nodedir setting itself),
// rather than downloading them.
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const run = spawnSync(cmd, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (run.status === 0) {
  fs.rmSync(failed, { force: true });
  console.log('chronoface-kernels: built the native training kernels');
  process.exit(0);
}
const log = `${run.error ? String(run.error) : ''}${run.stdout ?? ''}${run.stderr ?? ''}`;
fs.mkdirSync(path.dirname(failed), { recursive: true });
fs.writeFileSync(failed, log);
// The most telling line: a compiler error, else node-gyp's own, else the last one.
const lines = log.trim().split('\n');
const why = lines.find((l) => /: (fatal )?error:/.test(l)) ?? lines.find((l) => l.includes('ERR! stack Error')) ?? lines[lines.length - 1];
console.warn(`chronoface-kernels: the native training kernels did not build (${why.replace(/^gyp ERR! stack /, '').trim()}); training will use the WebAssembly kernels. Log: ${failed}`);
process.exit(0);
