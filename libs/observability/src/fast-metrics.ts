import type { Registry } from 'prom-client';

/**
 * Counter and histogram families for the per-request metrics, registered on a prom-client
 * Registry (which serves them in its exposition format) but updated without prom-client on the
 * hot path. Written by hand because prom-client 15 rebuilds and hashes a child's label string on
 * every inc/observe: measured at the gateway, the per-request metrics cost 1.7 µs of prom-client
 * code plus the garbage of ~7 label strings per request, at 20k requests per second. Here a
 * series is an object holding numbers; labels are formatted once, at scrape time.
 *
 * Same semantics as prom-client: a series is exported once it has been updated (a `labels()`
 * call alone creates none), histogram buckets are cumulative with `+Inf`, plus `_sum`/`_count`.
 */
interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
}

interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

abstract class Family<S extends { readonly labels: Record<string, string>; used: boolean }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'histogram';
  private readonly series: S[] = [];

  constructor(
    registry: Registry,
    private readonly options: FamilyOptions,
  ) {
    this.name = options.name;
    this.help = options.help;
    registry.registerMetric(this as never);
  }

  /** A new series for these label values (in labelNames order); callers keep it (see ChildCache). */
  labels(...values: string[]): S {
    const labels: Record<string, string> = {};
    this.options.labelNames.forEach((name, i) => (labels[name] = values[i]));
    const series = this.create(labels);
    this.series.push(series);
    return series;
  }

  /** Called by the Registry at scrape time. */
  async get() {
    const values: ExportedValue[] = [];
    for (const series of this.series) if (series.used) this.export(series, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  protected abstract create(labels: Record<string, string>): S;
  protected abstract export(series: S, into: ExportedValue[]): void;
}

export class CounterSeries {
  value = 0;
  used = false;

  constructor(readonly labels: Record<string, string>) {}

  inc(amount = 1): void {
    this.value += amount;
    this.used = true;
  }
}

export class FastCounter extends Family<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Record<string, string>): CounterSeries {
    return new CounterSeries(labels);
  }

  protected export(series: CounterSeries, into: ExportedValue[]): void {
    into.push({ labels: series.labels, value: series.value });
  }
}

export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  used = false;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i] += 1;
    this.sum += value;
    this.count += 1;
    this.used = true;
  }
}

export class FastHistogram extends Family<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(registry: Registry, options: FamilyOptions & { buckets: readonly number[] }) {
    super(registry, options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  protected export(series: HistogramSeries, into: ExportedValue[]): void {
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i];
      into.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...series.labels }, value: cumulative });
    });
    into.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count });
    into.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
    into.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
  }
}
