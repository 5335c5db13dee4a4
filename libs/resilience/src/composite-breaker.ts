import type { BreakerOptions } from './resilience-options';

export type CompositeBreakerOptions = Pick<BreakerOptions, 'consecutiveFailures' | 'failureRateThreshold' | 'samplingWindowMs' | 'minimumCalls'>;

/** The sampling window is kept as this many buckets (so it slides in steps of a tenth). */
const BUCKETS = 10;

interface Bucket {
  /** floor(time / bucketMs) of the calls counted here; -Infinity when never used. */
  epoch: number;
  calls: number;
  failures: number;
}

/**
 * The closed circuit's failure counts (CircuitStateMachine asks it whether to open): open on
 * `consecutiveFailures` failures in a row OR when the failure rate over the last
 * `samplingWindowMs` reaches `failureRateThreshold` with at least `minimumCalls` calls in that
 * window.
 *
 * Hand-written rather than cockatiel's ConsecutiveBreaker + SamplingBreaker because
 * SamplingBreaker does not fit our settings: it takes a minimum *rate* (calls per second), not
 * a minimum number of calls; it opens only when the rate is strictly above the threshold
 * (we say "reaches"); it refuses a threshold of 1; and it advances its ring by one slot per
 * call, so after an idle gap longer than one slot old calls can stay in the window. This one
 * keeps BUCKETS time buckets keyed by epoch, so a stale bucket is recognised and ignored no matter
 * how long the gap was. The window therefore covers between 9/10 and all of `samplingWindowMs`.
 *
 * Only the outcomes the state machine reports reach this class: calls that count as neither success nor
 * failure (client errors, callers that left) are filtered out before.
 */
export class CompositeBreaker {
  private consecutive = 0;
  private readonly buckets: Bucket[];
  private readonly bucketMs: number;

  constructor(
    private readonly options: CompositeBreakerOptions,
    /** Injectable for tests. */
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(options.samplingWindowMs / BUCKETS));
    this.buckets = Array.from({ length: BUCKETS }, () => ({ epoch: Number.NEGATIVE_INFINITY, calls: 0, failures: 0 }));
  }

  /** A success while closed. */
  success(): void {
    this.consecutive = 0;
    this.record(false);
  }

  /** A failure while closed; true when the circuit should open now. */
  failure(): boolean {
    this.consecutive += 1;
    this.record(true);
    if (this.consecutive >= this.options.consecutiveFailures) return true;
    const { calls, failures } = this.window();
    return calls >= this.options.minimumCalls && failures / calls >= this.options.failureRateThreshold;
  }

  /** Calls and failures in the sampling window now, and the current run of failures (for tests and metrics). */
  snapshot(): { calls: number; failures: number; consecutiveFailures: number } {
    return { ...this.window(), consecutiveFailures: this.consecutive };
  }

  /** Forgets every call: a circuit closed by a successful probe starts from a clean slate. */
  reset(): void {
    this.consecutive = 0;
    for (const bucket of this.buckets) {
      bucket.epoch = Number.NEGATIVE_INFINITY;
      bucket.calls = 0;
      bucket.failures = 0;
    }
  }

  private record(failed: boolean): void {
    const epoch = Math.floor(this.now() / this.bucketMs);
    const bucket = this.buckets[((epoch % BUCKETS) + BUCKETS) % BUCKETS];
    if (bucket.epoch !== epoch) {
      bucket.epoch = epoch;
      bucket.calls = 0;
      bucket.failures = 0;
    }
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
  }

  private window(): { calls: number; failures: number } {
    const epoch = Math.floor(this.now() / this.bucketMs);
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      const age = epoch - bucket.epoch;
      if (age >= 0 && age < BUCKETS) {
        calls += bucket.calls;
        failures += bucket.failures;
      }
    }
    return { calls, failures };
  }
}
