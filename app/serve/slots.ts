/** At most `size` holders at once; the others wait in arrival order. */
export class Slots {
  private holders = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {}

  get running(): number {
    return this.holders;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** The release function if a slot is free now, else null (nobody waits). */
  tryAcquire(): (() => void) | null {
    if (this.holders >= this.size) return null;
    this.holders++;
    return this.releaser();
  }

  /** Resolves with the release function once a slot is free; releasing twice is harmless. */
  async acquire(): Promise<() => void> {
    if (this.holders < this.size) this.holders++;
    // A release hands its slot straight to the first waiter, so `holders` does not change.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.holders--;
    };
  }
}
