import type { RetryOptions } from './resilience-options';

/**
 * Caps retries against one provider to a share of its traffic, so retries cannot multiply the
 * load on an upstream that is already failing (a "retry storm"): over the last `windowMs`, a retry
 * is allowed only while
 *
 *   retries < ratio * requests + minPerSecond * windowSeconds
 *
 * Hand-written because cockatiel (3.x and 4.x) has no retry budget; its retry policy only counts
 * attempts per call. The window is a ring of buckets (default 10), so the counts slide in steps
 * of windowMs / buckets with O(1) memory and no timers: expired buckets are cleared lazily when
 * the budget is next used.
 */
export class RetryBudget {
  private readonly bucketMs: number;
  private readonly requestCounts: number[];
  private readonly retryCounts: number[];
  /** Index of the bucket that holds `bucketStart`. */
  private current = 0;
  private bucketStart: number;
  private requests = 0;
  private retries = 0;
  private readonly floor: number;

  constructor(
    private readonly options: RetryOptions['budget'],
    private readonly now: () => number = Date.now,
    buckets = 10,
  ) {
    this.bucketMs = Math.max(1, options.windowMs / buckets);
    this.requestCounts = new Array<number>(buckets).fill(0);
    this.retryCounts = new Array<number>(buckets).fill(0);
    this.bucketStart = now();
    this.floor = options.minPerSecond * (options.windowMs / 1000);
  }

  /** Counts one call (not attempt) to the provider; call once per request that may retry. */
  recordRequest(): void {
    this.advance();
    this.requestCounts[this.current] += 1;
    this.requests += 1;
  }

  /** Takes one retry from the budget; false (and nothing counted) when it is spent. */
  tryAcquireRetry(): boolean {
    this.advance();
    if (this.retries >= this.options.ratio * this.requests + this.floor) return false;
    this.retryCounts[this.current] += 1;
    this.retries += 1;
    return true;
  }

  /** Requests and retries in the current window (for tests and diagnostics). */
  snapshot(): { requests: number; retries: number } {
    this.advance();
    return { requests: this.requests, retries: this.retries };
  }

  /** Drops the buckets that have slid out of the window since the last call. */
  private advance(): void {
    const now = this.now();
    const elapsed = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (elapsed <= 0) return; // same bucket, or the clock stepped back: keep counting here
    const size = this.requestCounts.length;
    if (elapsed >= size) {
      this.requestCounts.fill(0);
      this.retryCounts.fill(0);
      this.requests = 0;
      this.retries = 0;
      this.bucketStart = now;
      return;
    }
    for (let i = 0; i < elapsed; i++) {
      this.current = (this.current + 1) % size;
      this.requests -= this.requestCounts[this.current];
      this.retries -= this.retryCounts[this.current];
      this.requestCounts[this.current] = 0;
      this.retryCounts[this.current] = 0;
    }
    this.bucketStart += elapsed * this.bucketMs;
  }
}
