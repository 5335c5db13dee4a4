/**
 * A counting semaphore with a bounded FIFO queue whose waiters leave when their signal aborts.
 *
 * Hand-written instead of cockatiel's BulkheadPolicy (3.2.1) because:
 *  - a queued call whose signal aborts stays in cockatiel's queue (holding a queue slot, so
 *    others are rejected) until a slot frees up; ours leaves the queue and rejects at once;
 *  - cockatiel does not dequeue again when it dequeues an aborted call, so a freed slot can sit
 *    unused while others wait (https://github.com/connor4312/cockatiel/pull/114, fixed only after 3.x);
 *  - a stream must hold its slot until it ends, not until a promise settles: ours hands out a
 *    release function.
 */
export class Bulkhead {
  private executing = 0;
  /** FIFO of waiters; a Set keeps insertion order and removes an aborted waiter in O(1). */
  private readonly queue = new Set<Waiter>();

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
    /** Called after every change of `executing` or `queued`. */
    private readonly onChange: (executing: number, queued: number) => void = () => undefined,
  ) {}

  get executingCount(): number {
    return this.executing;
  }

  get queuedCount(): number {
    return this.queue.size;
  }

  /**
   * A release function when a slot is free now; a promise of one when the call was queued;
   * `undefined` when the queue is full too (the caller rejects). A queued call whose signal
   * aborts leaves the queue and the promise rejects with the signal's reason.
   */
  acquire(signal: AbortSignal): Release | Promise<Release> | undefined {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.executing < this.maxConcurrent) {
      this.executing += 1;
      this.onChange(this.executing, this.queue.size);
      return this.releaser();
    }
    if (this.queue.size >= this.maxQueue) return undefined;
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          this.queue.delete(waiter);
          this.onChange(this.executing, this.queue.size);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.add(waiter);
      this.onChange(this.executing, this.queue.size);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const waiter = this.queue.values().next().value;
      if (waiter) {
        // Hand the slot straight to the oldest waiter: `executing` stays the same.
        this.queue.delete(waiter);
        waiter.signal.removeEventListener('abort', waiter.onAbort);
        waiter.resolve(this.releaser());
      } else {
        this.executing -= 1;
      }
      this.onChange(this.executing, this.queue.size);
    };
  }
}

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  resolve: (release: Release) => void;
  signal: AbortSignal;
  onAbort: () => void;
}
