/**
 * One client's event stream (SSE) with back-pressure. While the client reads, each event is written as it comes.
 * Once the socket's buffer is full (write() said so), events wait here until it drains: a progress event replaces
 * the waiting one of the same kind and subject (only the latest count matters), every other event is kept in order.
 * A client that falls behind by more than `maxWaiting` events is disconnected: the browser's EventSource connects
 * again and the studio reloads what it shows. Memory per client is bounded by the socket's buffer plus the waiting
 * events.
 */
import type { ApiEvent } from '../../contract/api.js';

/** What a stream writes to: an http.ServerResponse. */
export interface EventSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  destroy(): void;
  readonly destroyed: boolean;
}

/** Events that only report how far something has come: a newer one of the same key makes the older useless. */
export function progressKey(event: ApiEvent): string | null {
  switch (event.type) {
    case 'import.progress':
      return `import.progress:${event.path}`;
    case 'prepare.progress':
      return 'prepare.progress';
    case 'train.step':
      return `train.step:${event.runId}`;
    case 'models.download':
      return event.done ? null : `models.download:${event.name}`;
    case 'age.progress':
      return `age.progress:${event.photoId}`;
    case 'eval.progress':
      return `eval.progress:${event.stage}`;
    default:
      return null;
  }
}

export const MAX_WAITING_EVENTS = 1_000;

export class EventStream {
  private readonly waiting: { key: string | null; text: string }[] = [];
  private blocked = false;
  /** Progress events replaced by newer ones while the client was behind. */
  coalesced = 0;
  /** Why the stream was ended, when it was. */
  endedBecause: string | null = null;

  constructor(
    private readonly sink: EventSink,
    private readonly maxWaiting = MAX_WAITING_EVENTS,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** An event; `text` is its SSE form. */
  push(event: ApiEvent, text: string): void {
    if (this.endedBecause || this.sink.destroyed) return;
    if (!this.blocked) {
      this.write(text);
      return;
    }
    const key = progressKey(event);
    if (key !== null) {
      const i = this.waiting.findIndex((w) => w.key === key);
      if (i >= 0) {
        this.waiting.splice(i, 1);
        this.coalesced++;
      }
    }
    this.waiting.push({ key, text });
    if (this.waiting.length > this.maxWaiting) {
      this.endedBecause = `the client fell more than ${this.maxWaiting} events behind`;
      this.waiting.length = 0;
      this.sink.destroy();
    }
  }

  /** A comment line (keep-alive): only when nothing waits, since it says nothing. */
  comment(text: string): void {
    if (!this.blocked && !this.endedBecause && !this.sink.destroyed) this.write(`: ${text}\n\n`);
  }

  private write(text: string): void {
    if (this.sink.write(text)) return;
    this.blocked = true;
    this.sink.once('drain', () => this.drain());
  }

  private drain(): void {
    this.blocked = false;
    while (this.waiting.length > 0 && !this.blocked && !this.sink.destroyed) this.write(this.waiting.shift()!.text);
  }
}
