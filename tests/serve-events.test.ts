/**
 * The browser mode's event stream under a client that stops reading: progress events are coalesced while it is
 * behind, everything else arrives in order once it reads again, and a client too far behind is disconnected, with
 * the server's memory for it bounded all along.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contract/api.js';
import { EventBus } from '../app/events.js';
import { EventStream, MAX_WAITING_EVENTS, type EventSink } from '../app/serve/event-stream.js';
import { startServer, type RunningServer } from '../app/serve/server.js';
import { createStudioService, type StudioService } from '../app/service.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();

/** A socket stand-in that accepts `room` writes, then none until drained. */
class SlowSink implements EventSink {
  written: string[] = [];
  destroyed = false;
  private onDrain: (() => void) | null = null;
  constructor(private room: number) {}
  write(chunk: string): boolean {
    this.written.push(chunk);
    return --this.room > 0;
  }
  once(_event: 'drain', listener: () => void): void {
    this.onDrain = listener;
  }
  destroy(): void {
    this.destroyed = true;
  }
  drain(room: number): void {
    this.room = room;
    const l = this.onDrain;
    this.onDrain = null;
    l?.();
  }
}

const progress = (done: number, path = '/a'): ApiEvent => ({ type: 'import.progress', path, done, total: 100, failed: 0 });
const finished = (dataset: number): ApiEvent => ({ type: 'import.done', path: '/a', dataset, imported: 1, skipped: 0, failed: 0 });
const text = (e: ApiEvent): string => `data: ${JSON.stringify(e)}\n\n`;

describe('EventStream policy', () => {
  it('writes while the client reads; once behind, keeps the latest progress per subject and every other event in order', () => {
    const sink = new SlowSink(2);
    const stream = new EventStream(sink);
    for (const e of [progress(1), progress(2)]) stream.push(e, text(e));
    expect(sink.written).toHaveLength(2);
    // Behind now: three progress events of /a, one of /b, two that must all arrive.
    const behind = [progress(3), finished(1), progress(4), progress(1, '/b'), progress(5), finished(2)];
    for (const e of behind) stream.push(e, text(e));
    expect(sink.written).toHaveLength(2);
    expect(stream.waitingCount).toBe(4);
    expect(stream.coalesced).toBe(2);
    stream.comment('keepalive');
    expect(sink.written).toHaveLength(2);
    sink.drain(100);
    expect(sink.written.slice(2)).toEqual([finished(1), progress(1, '/b'), progress(5), finished(2)].map(text));
    expect(stream.waitingCount).toBe(0);
    stream.comment('keepalive');
    expect(sink.written.at(-1)).toBe(': keepalive\n\n');
  });

  it('stops draining when the socket is full again, and goes on at the next drain', () => {
    const sink = new SlowSink(1);
    const stream = new EventStream(sink);
    stream.push(finished(0), text(finished(0)));
    for (let i = 1; i <= 5; i++) stream.push(finished(i), text(finished(i)));
    sink.drain(2);
    expect(sink.written).toEqual([0, 1, 2].map((i) => text(finished(i))));
    expect(stream.waitingCount).toBe(3);
    sink.drain(100);
    expect(sink.written).toEqual([0, 1, 2, 3, 4, 5].map((i) => text(finished(i))));
  });

  it('disconnects a client more than the limit behind and keeps nothing for it', () => {
    const sink = new SlowSink(1);
    const stream = new EventStream(sink, 10);
    stream.push(finished(0), text(finished(0)));
    for (let i = 1; i <= 10; i++) stream.push(finished(i), text(finished(i)));
    expect(sink.destroyed).toBe(false);
    stream.push(finished(11), text(finished(11)));
    expect(sink.destroyed).toBe(true);
    expect(stream.endedBecause).toBe('the client fell more than 10 events behind');
    expect(stream.waitingCount).toBe(0);
    stream.push(finished(12), text(finished(12)));
    expect(stream.waitingCount).toBe(0);
  });
});

describe('chronoface serve: a client that stops reading events', () => {
  const bus = new EventBus();
  let service: StudioService;
  let server: RunningServer;

  beforeAll(async () => {
    const real = createStudioService({ dataDir: tempDir('serve-events'), transport: 'browser', canUseDialogs: false });
    // The real service, with its events coming from the test.
    service = { ...real, onEvent: (l) => bus.on(l) };
    server = await startServer({ dataDir: real.dataDir, service });
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
  });

  /** An SSE client on a raw socket, paused after the response head. */
  async function pausedClient(): Promise<{ socket: net.Socket; received: () => string }> {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    let data = '';
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.includes('retry: 2000')) {
          socket.pause();
          resolve();
        }
      });
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: chronoface_token=${server.token}\r\n\r\n`);
    });
    return { socket, received: () => data };
  }

  /** Progress events of about 10 kB until the server holds one back for this client; how many were sent. */
  function fillUntilBehind(stream: () => EventStream): number {
    const pad = 'x'.repeat(10_000);
    for (let i = 0; i < 20_000; i++) {
      const e: ApiEvent = { type: 'import.progress', path: `/a/${pad}`, done: i, total: 1_000_000, failed: 0 };
      bus.emit(e as never);
      if (stream().waitingCount > 0) return i + 1;
    }
    throw new Error('the server never held an event back');
  }

  it('coalesces its progress events, keeps the rest, and delivers them in order once it reads', async () => {
    const { socket, received } = await pausedClient();
    const stream = (): EventStream => [...server.eventStreams][0]!;
    expect(server.eventStreams.size).toBe(1);
    const sent = fillUntilBehind(stream);
    const pad = 'x'.repeat(10_000);
    for (let k = 0; k < 5; k++) {
      bus.emit({ type: 'import.done', path: '/a', dataset: k, imported: 1, skipped: 0, failed: 0 });
      for (let i = 0; i < 200; i++) bus.emit({ type: 'import.progress', path: `/a/${pad}`, done: sent + k * 200 + i, total: 1_000_000, failed: 0 });
    }
    // Five kept events and one progress event wait, whatever came after.
    expect(stream().waitingCount).toBe(6);
    expect(stream().coalesced).toBe(1_000);
    const last = sent + 999;
    socket.resume();
    for (let i = 0; i < 500 && !received().includes(`"done":${last},`); i++) await new Promise((r) => setTimeout(r, 10));
    const events = received()
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as ApiEvent);
    expect(events.filter((e) => e.type === 'import.done').map((e) => (e as { dataset: number }).dataset)).toEqual([0, 1, 2, 3, 4]);
    const dones = events.filter((e) => e.type === 'import.progress').map((e) => (e as { done: number }).done);
    expect(dones.at(-1)).toBe(last);
    expect(dones.length).toBeLessThan(sent + 1_000);
    socket.destroy();
    for (let i = 0; i < 100 && server.eventStreams.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.eventStreams.size).toBe(0);
  });

  it('disconnects it once it is too far behind, and forgets it', async () => {
    const { socket } = await pausedClient();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const stream = [...server.eventStreams][0]!;
    expect(server.eventStreams.size).toBe(1);
    fillUntilBehind(() => stream);
    for (let k = 0; k < MAX_WAITING_EVENTS; k++) bus.emit({ type: 'import.done', path: '/a', dataset: k, imported: 1, skipped: 0, failed: 0 });
    expect(stream.endedBecause).toBe(`the client fell more than ${MAX_WAITING_EVENTS} events behind`);
    await closed;
    for (let i = 0; i < 100 && server.eventStreams.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.eventStreams.size).toBe(0);
  });
});
