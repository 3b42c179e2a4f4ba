/** Where a command reports: JSON lines with --json (the last line is the result), else text and a TTY progress bar. */
export interface Output {
  readonly json: boolean;
  /** A JSON line in --json mode; nothing otherwise. */
  event(event: object): void;
  /** A progress bar on an interactive terminal; with --json a {"type":"progress"} line. */
  progress(done: number, total: number, label?: string): void;
  /** A line for humans (stderr in --json mode, so stdout stays JSON). */
  info(message: string): void;
  warn(message: string): void;
  /** The command's result: the last JSON line, or the text for humans. */
  result(value: object, text?: string): void;
}

export function createOutput(json: boolean, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const tty = Boolean(stderr.isTTY) && !json;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) {
      stderr.write('\r\x1b[K');
      barShown = false;
    }
  };
  return {
    json,
    event(event) {
      if (json) stdout.write(`${JSON.stringify(event)}\n`);
    },
    progress(done, total, label = '') {
      if (json) {
        stdout.write(`${JSON.stringify({ type: 'progress', done, total, label })}\n`);
        return;
      }
      if (!tty) return;
      const width = 30;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * width);
      stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`);
      barShown = true;
    },
    info(message) {
      clearBar();
      (json ? stderr : stdout).write(`${message}\n`);
    },
    warn(message) {
      clearBar();
      if (json) stdout.write(`${JSON.stringify({ type: 'warning', message })}\n`);
      else stderr.write(`warning: ${message}\n`);
    },
    result(value, text) {
      clearBar();
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
      else stdout.write(`${text ?? JSON.stringify(value, null, 2)}\n`);
    },
  };
}
