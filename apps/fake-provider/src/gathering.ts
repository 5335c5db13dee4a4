import type { Exchange } from './exchange';

interface Waiter {
  count: number;
  wake: () => void;
}

/**
 * The `gather=N` directive: requests wait here until N of them wait together, then all are
 * answered at once. A test can so prove that N calls were in flight at the same time without a
 * timing assumption: with fewer in flight, each waits out its `latency` instead.
 */
export class Gathering {
  private readonly waiting = new Set<Waiter>();

  /** Resolves when `count` requests wait together, after `maxMs`, or when the exchange closes; nothing stays registered. */
  wait(ex: Exchange, count: number, maxMs: number): Promise<void> {
    if (ex.gone) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        count,
        wake: () => {
          clearTimeout(timer);
          ex.res.off('close', waiter.wake);
          this.waiting.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, maxMs);
      ex.res.once('close', waiter.wake);
      this.waiting.add(waiter);
      const together = this.waiting.size;
      for (const other of this.waiting) if (other.count <= together) other.wake();
    });
  }
}
