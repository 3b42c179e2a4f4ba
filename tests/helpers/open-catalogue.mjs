// Child process of db-migrate-race.test.ts: waits for "go" on stdin, opens the catalogue (built dist/) and prints
// {"version", "tables"} or {"error"} as one JSON line.
import readline from 'node:readline';
import { openCatalogue } from '../../dist/node/db/catalogue.js';

const dataDir = process.argv[2];
process.stdout.write('ready\n');
const lines = readline.createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  try {
    const db = openCatalogue(dataDir);
    const version = db.pragma('user_version', { simple: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    db.close();
    process.stdout.write(`${JSON.stringify({ version, tables })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  }
});
