import { CompositeBreaker } from './composite-breaker';
import type { BreakerOptions } from './resilience-options';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What `admit()` answers: run the call normally, run it as the half-open probe, or refuse it. */
export type Admission = { kind: 'call' } | { kind: 'probe' } | { kind: 'rejected'; retryAfterMs: number };

/** How a call ended, as the breaker sees it; `neutral` is neither success nor failure. */
export type Outcome = 'success' | 'failure' | 'neutral';

const CALL: Admission = { kind: 'call' };
const PROBE: Admission = { kind: 'probe' };

/**
 * One circuit (one provider+model): closed, open for `cooldownMs`, then half-open with a single
 * probe whose success closes it and whose failure re-opens it for a full cooldown.
 *
 * Our own state machine rather than cockatiel's CircuitBreakerPolicy, because the gateway's
 * contract differs from cockatiel's documented behaviour on three points, none of which a custom
 * IBreaker can change (it only counts):
 * - while the probe is in flight, other calls fail fast with Retry-After; cockatiel makes them
 *   wait for the probe and then runs them;
 * - a probe that tells nothing (a client error, a caller that left) leaves the circuit half-open
 *   for the next call to probe; cockatiel closes the circuit on any error its policy does not
 *   handle;
 * - a refused call gets the remaining cooldown as Retry-After; cockatiel does not expose when the
 *   circuit opened.
 * The counting that decides when to open stays in CompositeBreaker. Each transition calls
 * `onChange` once, synchronously (the middleware turns it into a `breaker_state` event).
 */
export class CircuitStateMachine {
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private probing = false;
  private readonly counts: CompositeBreaker;

  constructor(
    private readonly options: BreakerOptions,
    private readonly onChange: (state: BreakerState) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new CompositeBreaker(options, now);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Decides whether a call may go upstream now; a `probe` must report its outcome with `probe: true`. */
  admit(): Admission {
    if (this.current === 'closed') return CALL;
    if (this.current === 'open') {
      const left = this.openedAt + this.options.cooldownMs - this.now();
      if (left > 0) return { kind: 'rejected', retryAfterMs: left };
      this.probing = true;
      this.moveTo('half_open');
      return PROBE;
    }
    if (this.probing) return { kind: 'rejected', retryAfterMs: 0 };
    this.probing = true;
    return PROBE;
  }

  /**
   * Reports how an admitted call ended. A call admitted while closed that ends after the circuit
   * left Closed is not counted: the circuit has moved on, and only the probe decides now.
   */
  record(outcome: Outcome, probe: boolean): void {
    if (probe) return this.probeEnded(outcome);
    if (this.current !== 'closed' || outcome === 'neutral') return;
    if (outcome === 'success') this.counts.success();
    else if (this.counts.failure()) this.open();
  }

  private probeEnded(outcome: Outcome): void {
    this.probing = false;
    if (outcome === 'success') {
      this.counts.reset();
      this.moveTo('closed');
    } else if (outcome === 'failure') {
      this.open();
    }
    // neutral: still half-open, the next call is the probe.
  }

  private open(): void {
    this.openedAt = this.now();
    this.moveTo('open');
  }

  private moveTo(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
