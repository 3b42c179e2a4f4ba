/**
 * Catalogue mutations go out one at a time, in the order they were made: "A" then "U" typed quickly must reach the
 * service as accept-then-undo, whatever the transport does with concurrent requests.
 */
let tail: Promise<unknown> = Promise.resolve();

export function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}
