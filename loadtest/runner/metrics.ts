/**
 * k6's metric types, with k6's names, so that a scenario's thresholds mean the same to k6 and to
 * the runner: Trend (avg, min, med, max, p(N)), Rate (share of true samples), Counter (count, and
 * rate per second of the test).
 *
 * A Trend keeps an HDR histogram (hdr-histogram-js, 3 significant digits) rather than every sample,
 * as k6 does: memory stays the same however long a soak runs.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import { METRICS } from '../scenarios/scenario';

/** Trend values are kept in thousandths (µs for ms): the histogram counts integers. */
const SCALE = 1000;

export class Trend {
  readonly type = 'trend';
  private readonly histogram: Histogram = build({ numberOfSignificantValueDigits: 3, autoResize: true });
  private sum = 0;
  private minimum = Infinity;
  private maximum = -Infinity;

  constructor(readonly isTime: boolean) {}

  add(value: number): void {
    this.histogram.recordValue(Math.max(0, Math.round(value * SCALE)));
    this.sum += value;
    this.minimum = Math.min(this.minimum, value);
    this.maximum = Math.max(this.maximum, value);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** An aggregate as k6 names it: avg, min, med, max or p(N); undefined without samples. */
  value(aggregate: string): number | undefined {
    if (this.count === 0) return undefined;
    if (aggregate === 'avg') return this.sum / this.count;
    if (aggregate === 'min') return this.minimum;
    if (aggregate === 'max') return this.maximum;
    const percentile = aggregate === 'med' ? 50 : /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregate)?.[1];
    if (percentile === undefined) return undefined;
    return this.histogram.getValueAtPercentile(Number(percentile)) / SCALE;
  }
}

class Rate {
  readonly type = 'rate';
  passes = 0;
  fails = 0;

  add(value: boolean): void {
    if (value) this.passes++;
    else this.fails++;
  }

  value(aggregate: string): number | undefined {
    const total = this.passes + this.fails;
    return aggregate === 'rate' && total > 0 ? this.passes / total : undefined;
  }
}

class Counter {
  readonly type = 'counter';
  count = 0;

  constructor(private readonly elapsedS: () => number) {}

  add(n = 1): void {
    this.count += n;
  }

  value(aggregate: string): number | undefined {
    if (aggregate === 'count') return this.count;
    if (aggregate === 'rate') return this.elapsedS() > 0 ? this.count / this.elapsedS() : undefined;
    return undefined;
  }
}

export type Metric = Trend | Rate | Counter;

/** The aggregates each metric type offers (k6's, for thresholds and the summary). */
export const AGGREGATES: Record<Metric['type'], RegExp> = {
  trend: /^(avg|min|med|max|p\(\d+(\.\d+)?\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
};

/** The metrics a run records: k6's built-in ones the scenarios use, and the scenarios' own. */
export function runMetrics(elapsedS: () => number) {
  return {
    http_reqs: new Counter(elapsedS),
    http_req_duration: new Trend(true),
    http_req_failed: new Rate(),
    iterations: new Counter(elapsedS),
    dropped_iterations: new Counter(elapsedS),
    checks: new Rate(),
    [METRICS.ttft]: new Trend(true),
    [METRICS.tokensPerSecond]: new Trend(false),
    [METRICS.cacheHit]: new Rate(),
  };
}

export type RunMetrics = ReturnType<typeof runMetrics>;

/** A metric by the name a threshold gives. */
export function metricNamed(metrics: RunMetrics, name: string): Metric | undefined {
  return Object.hasOwn(metrics, name) ? (metrics as Record<string, Metric>)[name] : undefined;
}
