import type { ApiEvent } from '../contract/api.js';
import type { Served } from '../contract/files.js';

/** An event as the service emits it: file URLs still as FileRef, resolved by each transport. */
export type ServiceEvent = Served<ApiEvent>;
export type EventListener = (event: ServiceEvent) => void;

/** Fan-out of service events to every transport subscriber; a throwing listener does not stop the others. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ServiceEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        console.error('chronoface: event listener failed:', err);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** Limits progress events to one per interval (the last one is always sent by the caller at the end). */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let last = 0;
  return (...args: A) => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn(...args);
    }
  };
}
