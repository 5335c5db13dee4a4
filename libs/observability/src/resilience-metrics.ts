import { Counter, Gauge, type Registry } from 'prom-client';
import { ChildCache2 } from './child-cache';
import type { LabelPolicy } from './label-policy';
import { METRICS } from './metric-definitions';

export type BreakerState = 'closed' | 'open' | 'half_open';

interface BreakerChildren {
  closed: Gauge.Internal<string>;
  open: Gauge.Internal<string>;
  half_open: Gauge.Internal<string>;
}

/** A bulkhead's counts, updated on every acquire and release, copied into the gauges at scrape time. */
interface BulkheadCounts {
  queued: number;
  executing: number;
}

/**
 * Retries, fallbacks, circuit breakers, rejections, timeouts and bulkheads (the resilience layer's
 * metrics; event-metrics.ts feeds them from ResilienceEvents). Provider and model names go
 * through the LabelPolicy like everywhere else.
 */
export class ResilienceMetrics {
  private readonly retries: ChildCache2<Counter.Internal>;
  private readonly fallbacks: ChildCache2<Counter.Internal>;
  private readonly breakers: ChildCache2<BreakerChildren>;
  private readonly rejections: ChildCache2<Counter.Internal>;
  private readonly timeouts: ChildCache2<Counter.Internal>;
  /** Exported, by provider label. */
  private readonly bulkheads = new Map<string, BulkheadCounts>();
  /** The same entries by the provider name events carry (unknown names share `other`'s). */
  private readonly bulkheadsByName = new Map<string, BulkheadCounts>();

  constructor(
    registry: Registry,
    private readonly labels: LabelPolicy,
  ) {
    const registers = [registry];
    const retries = new Counter({ ...METRICS.retries, registers });
    const fallbacks = new Counter({ ...METRICS.fallbacks, registers });
    const breakerState = new Gauge({ ...METRICS.breakerState, registers });
    const rejections = new Counter({ ...METRICS.rejections, registers });
    const timeouts = new Counter({ ...METRICS.upstreamTimeouts, registers });
    // Bulkhead counts change twice per request: plain numbers, copied into the gauges at scrape.
    const bulkheads = this.bulkheads;
    new Gauge({
      ...METRICS.bulkheadQueued,
      registers,
      collect(this: Gauge) {
        for (const [provider, counts] of bulkheads) this.labels(provider).set(counts.queued);
      },
    });
    new Gauge({
      ...METRICS.bulkheadExecuting,
      registers,
      collect(this: Gauge) {
        for (const [provider, counts] of bulkheads) this.labels(provider).set(counts.executing);
      },
    });

    this.retries = new ChildCache2((provider, model) => retries.labels(provider, model));
    this.fallbacks = new ChildCache2((from, to) => fallbacks.labels(from, to));
    this.breakers = new ChildCache2((provider, model) => ({
      closed: breakerState.labels(provider, model, 'closed'),
      open: breakerState.labels(provider, model, 'open'),
      half_open: breakerState.labels(provider, model, 'half_open'),
    }));
    this.rejections = new ChildCache2((provider, reason) => rejections.labels(provider, reason));
    this.timeouts = new ChildCache2((provider, kind) => timeouts.labels(provider, kind));
  }

  retry(provider: string, model: string): void {
    this.retries.get(this.labels.provider(provider), this.labels.model(model)).inc();
  }

  fallback(fromProvider: string, toProvider: string): void {
    this.fallbacks.get(this.labels.provider(fromProvider), this.labels.provider(toProvider)).inc();
  }

  /** One-hot: the current state reads 1 and the other two 0, so `== 1` selects the state in PromQL. */
  breakerState(provider: string, model: string, state: BreakerState): void {
    const children = this.breakers.get(this.labels.provider(provider), this.labels.model(model));
    children.closed.set(state === 'closed' ? 1 : 0);
    children.open.set(state === 'open' ? 1 : 0);
    children.half_open.set(state === 'half_open' ? 1 : 0);
  }

  rejected(provider: string, reason: 'breaker' | 'bulkhead'): void {
    this.rejections.get(this.labels.provider(provider), reason).inc();
  }

  upstreamTimeout(provider: string, kind: 'attempt' | 'first_token'): void {
    this.timeouts.get(this.labels.provider(provider), kind).inc();
  }

  bulkhead(provider: string, executing: number, queued: number): void {
    let counts = this.bulkheadsByName.get(provider);
    if (counts === undefined) {
      const label = this.labels.provider(provider);
      counts = this.bulkheads.get(label) ?? { queued: 0, executing: 0 };
      this.bulkheads.set(label, counts);
      this.bulkheadsByName.set(provider, counts);
    }
    counts.executing = executing;
    counts.queued = queued;
  }
}
