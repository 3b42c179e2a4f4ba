import type { Readable, Writable } from 'node:stream';

/**
 * Chromium's DevTools protocol over --remote-debugging-pipe (it reads commands from fd 3 and writes answers to fd 4,
 * each message JSON ending in a NUL). Only browser-level commands are sent, and no domain is enabled, so the pages'
 * traffic is never mirrored into protocol events.
 */
export class DevToolsPipe {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private buffered: Buffer[] = [];
  private closedBecause: string | null = null;

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.on('data', (chunk: Buffer) => this.receive(chunk));
    fromBrowser.on('close', () => this.fail('Chromium closed its DevTools pipe'));
    fromBrowser.on('error', (err: Error) => this.fail(`Chromium's DevTools pipe failed: ${err.message}`));
    toBrowser.on('error', (err: Error) => this.fail(`Chromium's DevTools pipe failed: ${err.message}`));
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedBecause) return Promise.reject(new Error(this.closedBecause));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.toBrowser.write(`${JSON.stringify({ id, method, params })}\0`);
    });
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(0); end >= 0; end = chunk.indexOf(0, start)) {
      this.buffered.push(chunk.subarray(start, end));
      this.dispatch(Buffer.concat(this.buffered).toString('utf8'));
      this.buffered = [];
      start = end + 1;
    }
    if (start < chunk.length) this.buffered.push(chunk.subarray(start));
  }

  private dispatch(text: string): void {
    let message: { id?: number; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.id === undefined) return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`Chromium refused a DevTools command: ${message.error.message ?? 'unknown error'}`));
    else waiter.resolve(message.result);
  }

  private fail(why: string): void {
    this.closedBecause ??= why;
    for (const w of this.pending.values()) w.reject(new Error(why));
    this.pending.clear();
  }
}
