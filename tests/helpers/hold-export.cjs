// Loaded with --require (NODE_OPTIONS) into the studio's serve process by the E2E export test. An export whose folder's
// path contains $CHRONOFACE_TEST_HOLD_EXPORT waits after its first journal write until `<folder>.release` exists, so
// the test cancels it while it certainly runs, however fast the machine exports.
const fs = require('node:fs');
const path = require('node:path');

const mark = process.env.CHRONOFACE_TEST_HOLD_EXPORT;
const rename = fs.promises.rename;
const held = new Set();
fs.promises.rename = async (from, to) => {
  await rename(from, to);
  const file = String(to);
  if (!mark || !file.endsWith('journal.json') || !file.includes(mark)) return;
  const outDir = path.dirname(path.dirname(file));
  if (held.has(outDir)) return;
  held.add(outDir);
  while (!fs.existsSync(`${outDir}.release`)) await new Promise((resolve) => setTimeout(resolve, 20));
};
