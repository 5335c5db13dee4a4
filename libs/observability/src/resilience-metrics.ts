import { Counter, Gauge, type Registry } from 'prom-client';
import { ChildCache1, ChildCache2 } from './child-cache';
import type { LabelPolicy } from './label-policy';
import { METRICS } from './metric-definitions';

export type BreakerState = 'closed' | 'open' | 'half_open';

interface BreakerChildren {
  closed: Gauge.Internal<string>;
  open: Gauge.Internal<string>;
  half_open: Gauge.Internal<string>;
}

interface BulkheadChildren {
  queued: Gauge.Internal<string>;
  executing: Gauge.Internal<string>;
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
  private readonly bulkheads: ChildCache1<BulkheadChildren>;

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
    const queued = new Gauge({ ...METRICS.bulkheadQueued, registers });
    const executing = new Gauge({ ...METRICS.bulkheadExecuting, registers });

    this.retries = new ChildCache2((provider, model) => retries.labels(provider, model));
    this.fallbacks = new ChildCache2((from, to) => fallbacks.labels(from, to));
    this.breakers = new ChildCache2((provider, model) => ({
      closed: breakerState.labels(provider, model, 'closed'),
      open: breakerState.labels(provider, model, 'open'),
      half_open: breakerState.labels(provider, model, 'half_open'),
    }));
    this.rejections = new ChildCache2((provider, reason) => rejections.labels(provider, reason));
    this.timeouts = new ChildCache2((provider, kind) => timeouts.labels(provider, kind));
    this.bulkheads = new ChildCache1((provider) => ({ queued: queued.labels(provider), executing: executing.labels(provider) }));
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
    const children = this.bulkheads.get(this.labels.provider(provider));
    children.executing.set(executing);
    children.queued.set(queued);
  }
}
