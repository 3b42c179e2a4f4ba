// Loaded with --require (NODE_OPTIONS) into an export CLI process by the kill -9 test (tests/export-errors.test.ts).
// Right after the first journal that records exported crops is renamed into place, the process stops itself
// (SIGSTOP): the test's SIGKILL then lands mid-export at that checkpoint, however fast the export runs.
const fs = require('node:fs');

const rename = fs.promises.rename;
let stopped = false;
fs.promises.rename = async (from, to) => {
  await rename(from, to);
  if (stopped || !String(to).endsWith('journal.json')) return;
  const journal = JSON.parse(fs.readFileSync(to, 'utf8'));
  if (journal.status === 'running' && journal.exported > 0) {
    stopped = true;
    process.kill(process.pid, 'SIGSTOP');
  }
};
