import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';

describe('chronoface CLI dispatcher', () => {
  it('accepts global options before the command name', async () => {
    const dir = tempDir('cli-main');
    const res = await runCli(['--data-dir', dir, 'stats', '--json']);
    expect(res.code).toBe(0);
    expect(res.last.images).toBe(0);
  });

  it('rejects an unknown command and an unknown option with exit code 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOpt = await runCli(['stats', '--frob']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toContain('unknown option --frob');
  });

  it('prints help for every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);
    expect(names).toContain('import');
    for (const name of names) {
      const res = await runCli([name, '--help']);
      expect(res.code, name).toBe(0);
      expect(res.stdout, name).toContain(`Usage: chronoface ${name}`);
    }
  });
});
