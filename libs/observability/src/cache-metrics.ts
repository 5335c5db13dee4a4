import { Counter, type Registry } from 'prom-client';
import type { CounterSeries, FastFamilies } from './fast-metrics';
import { ChildCache1, ChildCache2 } from './child-cache';
import { METRICS } from './metric-definitions';
import { OptionalGauge } from './optional-gauge';

/** A cache result as a label value. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass' | 'uncacheable';
/** libs/cache reports results upper case (as in the X-Cache header); both spellings are accepted. */
export type CacheResult = CacheOutcome | Uppercase<CacheOutcome>;

/**
 * The response cache's metrics (event-metrics.ts feeds them from CacheEvents). Children are
 * keyed by the values as received, so lower-casing happens once per child, not per lookup.
 */
export class CacheMetrics {
  /** Per request: a FastCounter (fast-metrics.ts). `hit` and `HIT` are two keys here but one series there. */
  private readonly lookups: ChildCache2<CounterSeries>;
  private readonly errors: ChildCache1<Counter.Internal>;
  private readonly redisUp: OptionalGauge;

  constructor(registry: Registry, fast: FastFamilies) {
    const registers = [registry];
    const lookups = fast.counter(METRICS.cacheLookups);
    const errors = new Counter({ ...METRICS.cacheErrors, registers });
    this.lookups = new ChildCache2((result, tier) => lookups.labels(result.toLowerCase(), tier));
    this.errors = new ChildCache1((operation) => errors.labels(operation));
    // Absent until the Redis tier reports: a gateway without Redis must not read as "Redis down".
    this.redisUp = new OptionalGauge(registry, METRICS.redisUp);
  }

  /** `tier` is the tier that answered a hit; misses, bypasses and uncacheable calls have none. */
  lookup(result: CacheResult, tier: 'memory' | 'redis' | undefined): void {
    this.lookups.get(result, tier ?? 'none').inc();
  }

  error(operation: 'get' | 'set' | 'lock'): void {
    this.errors.get(operation).inc();
  }

  redisHealth(up: boolean): void {
    this.redisUp.set(up ? 1 : 0);
  }
}
