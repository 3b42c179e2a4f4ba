import { WebSocket } from 'ws';
import type { VisionMethod } from '../../contract/vision-page.js';
import { callFrame, readAnswer, VisionHostGone, type VisionPageTransport } from './host.js';

/** One vision page over its WebSocket: frames out, frames back, matched by id (a page may hold several calls). */
export class SocketTransport implements VisionPageTransport {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closedBecause: string | null = null;

  /** whyClosed: what to tell callers when the socket ends (a crashed browser, say). */
  constructor(
    private readonly socket: WebSocket,
    private readonly whyClosed: () => string,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      let answer;
      try {
        answer = readAnswer(data);
      } catch (err) {
        this.end(`the vision page sent a frame that cannot be read: ${(err as Error).message}`);
        socket.terminate();
        return;
      }
      const waiter = this.pending.get(answer.id);
      if (!waiter) return;
      this.pending.delete(answer.id);
      if (answer.ok) waiter.resolve(answer.body);
      else waiter.reject(new Error(answer.error));
    });
    socket.on('close', () => this.end(whyClosed()));
    socket.on('error', (err) => this.end(`${whyClosed()} (${err.message})`));
  }

  call(method: VisionMethod, arg: unknown): Promise<unknown> {
    if (this.socket.readyState !== WebSocket.OPEN) this.end(this.whyClosed());
    if (this.closedBecause) return Promise.reject(new VisionHostGone(this.closedBecause));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(callFrame(id, method, arg), { binary: true }, (err) => {
        if (!err || !this.pending.delete(id)) return;
        reject(new VisionHostGone(`${this.closedBecause ?? this.whyClosed()} (${method} could not be sent: ${err.message})`));
      });
    });
  }

  async close(): Promise<void> {
    this.end('the vision host is closed');
    this.socket.close();
  }

  /** The page's browser has gone: calls in flight fail now, whatever its lingering helpers might still answer. */
  abandon(): void {
    this.end(this.whyClosed());
    this.socket.terminate();
  }

  private end(why: string): void {
    this.closedBecause ??= why;
    for (const w of this.pending.values()) w.reject(new VisionHostGone(this.closedBecause));
    this.pending.clear();
  }
}
