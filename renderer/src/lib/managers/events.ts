import type { ApiEventType, EventOf } from '../../../../contract/api.js';
import { api } from '../api/client.js';

/** Subscribes to API events of the given types; returns the unsubscribe function (return it from an $effect). */
export function onApiEvent<T extends ApiEventType>(types: T | readonly T[], listener: (event: EventOf<T>) => void): () => void {
  const wanted = new Set<string>(Array.isArray(types) ? types : [types]);
  return api().onEvent((event) => {
    if (wanted.has(event.type)) listener(event as EventOf<T>);
  });
}
