export type OptionKind = 'string' | 'number' | 'boolean' | 'list';

export interface OptionSpec {
  readonly kind: OptionKind;
  readonly help: string;
  readonly default?: string | number | boolean;
  /** Value placeholder shown in --help, e.g. DIR. */
  readonly value?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedValue = string | number | boolean | string[] | undefined;

export interface ParsedArgs {
  readonly options: Record<string, ParsedValue>;
  readonly positionals: string[];
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `--name value`, `--name=value`, `--flag` and `--no-flag` against a spec; unknown options are errors. */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const options: Record<string, ParsedValue> = {};
  const positionals: string[] = [];
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) options[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      spec = specs[name];
      inline = 'false';
    }
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.kind === 'boolean') {
      options[name] = inline === undefined ? true : !['false', '0', 'no'].includes(inline);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
      options[name] = n;
    } else if (spec.kind === 'list') {
      options[name] = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    } else {
      options[name] = raw;
    }
  }
  return { options, positionals };
}

export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.kind === 'boolean' ? '' : ` ${spec.value ?? spec.kind.toUpperCase()}`}`;
    const def = spec.default !== undefined && spec.kind !== 'boolean' ? ` (default ${String(spec.default)})` : '';
    return `${left.padEnd(28)} ${spec.help}${def}`;
  });
  return rows.join('\n');
}
