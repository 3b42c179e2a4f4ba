import { formatOptions, parseArgs, UsageError, type OptionSpecs } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { createOutput } from './output.js';
import { describeCatalogueUpgrade, upgradeCatalogue } from '../db/catalogue.js';
import { resolveDataDir } from '../db/data-dir.js';

const GLOBAL_OPTIONS: OptionSpecs = {
  'data-dir': { kind: 'string', value: 'DIR', help: 'data directory (default: CHRONOFACE_DATA_DIR, else the app userData folder)' },
  json: { kind: 'boolean', help: 'print JSON lines; the last line is the result' },
  help: { kind: 'boolean', help: 'show help' },
};

async function topHelp(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const rows = loaded.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `chronoface: curate face datasets, train an age-conditioned VAE, and age faces\n\nUsage: chronoface <command> [options]\n\nCommands:\n${rows}\n\nGlobal options:\n${formatOptions(GLOBAL_OPTIONS)}\n\nRun "chronoface <command> --help" for a command's options.`;
}

function commandHelp(cmd: Command): string {
  return `${cmd.summary}\n\nUsage: ${cmd.usage}\n\nOptions:\n${formatOptions(cmd.options)}\n\nGlobal options:\n${formatOptions(GLOBAL_OPTIONS)}`;
}

/** The first bare word that is not the value of a global option such as `--data-dir DIR`. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return i;
    const spec = GLOBAL_OPTIONS[arg.slice(2)];
    if (spec && spec.kind !== 'boolean') i++;
  }
  return -1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const at = commandIndex(argv);
  const name = at >= 0 ? argv[at] : undefined;
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    if (name === undefined || name === 'help' || argv.includes('--help')) {
      console.log(await topHelp());
      return name === undefined && !argv.includes('--help') ? 2 : 0;
    }
    console.error(`chronoface: unknown command "${name}"\n\n${await topHelp()}`);
    return 2;
  }
  const cmd = await entry.load();
  const rest = [...argv];
  rest.splice(at, 1);
  let parsed;
  try {
    parsed = parseArgs(rest, { ...GLOBAL_OPTIONS, ...cmd.options });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`chronoface ${cmd.name}: ${err.message}\n\n${commandHelp(cmd)}`);
      return 2;
    }
    throw err;
  }
  if (parsed.options.help === true) {
    console.log(commandHelp(cmd));
    return 0;
  }
  const json = parsed.options.json === true;
  const out = createOutput(json);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const dataDirFlag = parsed.options['data-dir'];
    const dataDir = resolveDataDir(typeof dataDirFlag === 'string' ? dataDirFlag : undefined);
    const started = performance.now();
    if (upgradeCatalogue(dataDir, (u) => console.error(`chronoface: ${describeCatalogueUpgrade(u)}...`))) {
      console.error(`chronoface: catalogue upgraded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    return await cmd.run({
      dataDir,
      options: parsed.options,
      positionals: parsed.positionals,
      out,
      signal: controller.signal,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (json) out.result({ error: message });
    else console.error(`chronoface ${cmd.name}: ${message}`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
