import { spawn } from 'node:child_process';
import { startServer } from '../../app/serve/server.js';
import { boolOpt, numberOpt, type Command } from '../command.js';
import { UsageError } from '../args.js';

/** Opens a URL in the user's browser, detached; failures only warn. */
function openBrowser(url: string, warn: (m: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => warn(`could not open a browser (${err.message}); open the URL yourself`));
    child.unref();
  } catch (err) {
    warn(`could not open a browser (${(err as Error).message}); open the URL yourself`);
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the studio to a browser on 127.0.0.1 (works through an SSH tunnel)',
  usage: 'chronoface serve [--port P] [--open] [--json]',
  options: {
    port: { kind: 'number', value: 'P', help: 'port on 127.0.0.1 (default: a free one)' },
    open: { kind: 'boolean', help: 'open the studio in the default browser' },
  },
  async run(ctx) {
    const port = numberOpt(ctx, 'port') ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got ${port}`);
    const server = await startServer({ dataDir: ctx.dataDir, port });
    ctx.out.event({ url: server.url, port: server.port, dataDir: ctx.dataDir });
    if (!ctx.out.json) {
      ctx.out.info(`Chronoface studio: ${server.url}`);
      ctx.out.info(`data directory: ${ctx.dataDir}`);
      ctx.out.info(`listening on 127.0.0.1 only; from another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <host>, then open the URL. Ctrl+C stops.`);
    }
    if (boolOpt(ctx, 'open')) openBrowser(server.url, (m) => ctx.out.warn(m));
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    ctx.out.result({ stopped: true, url: server.url });
    return 0;
  },
};
