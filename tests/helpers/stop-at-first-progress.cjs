// Loaded with --require into a CLI process by killAtFirstProgress (tests/helpers/cli.ts). stdout is written through
// at once, and right after the first JSON progress line the process stops itself (SIGSTOP): the test's SIGKILL then
// lands at that point, instead of racing the rest of the run (a short import could finish before the kill arrived).
const fs = require('node:fs');

let stopped = false;
process.stdout.write = (chunk, encoding, callback) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
  fs.writeSync(1, text);
  if (!stopped && text.includes('"type":"progress"')) {
    stopped = true;
    process.kill(process.pid, 'SIGSTOP');
  }
  const done = typeof encoding === 'function' ? encoding : callback;
  if (done) process.nextTick(done);
  return true;
};
