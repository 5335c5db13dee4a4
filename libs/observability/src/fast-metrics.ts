/**
 * Counter and histogram families for the per-request metrics, updated without prom-client on the
 * hot path. Written by hand because prom-client 15 rebuilds and hashes a child's label string on
 * every inc/observe, a CPU cost and several garbage strings per request
 * (docs/benchmarks.md#measurements-behind-code-choices). Here a series is an object holding
 * numbers, found once per label set.
 *
 * prom-client's Registry only takes its own metric classes, so these families are not registered
 * on it: `FastFamilies.text()` writes them in the same text format (fast-metrics.spec.ts checks
 * byte for byte against prom-client's output for the same updates), and GatewayMetrics appends
 * that to the Registry's text.
 *
 * Same semantics as prom-client: `labels()` with the same values returns the same series, a series
 * is exported once it has been updated (a `labels()` call alone exports nothing), histogram
 * buckets are cumulative with `+Inf`, plus `_sum`/`_count`.
 */
interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
}

interface Series {
  /** `a="x",b="y"`: the label set in the text format, built once per series. */
  readonly labelText: string;
  used: boolean;
}

abstract class Family<S extends Series> {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly string[];
  /** By the label values (JSON of the array: unambiguous whatever the values hold). */
  private readonly series = new Map<string, S>();

  constructor(
    options: FamilyOptions,
    private readonly type: 'counter' | 'histogram',
  ) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
  }

  /**
   * The series for these label values (in labelNames order), created on first use. Not for the
   * hot path: callers keep what it returns (see ChildCache).
   */
  labels(...values: string[]): S {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name}: ${this.labelNames.length} label values expected, got ${values.length}`);
    const key = JSON.stringify(values);
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.create(this.labelNames.map((name, i) => `${name}="${escapeLabelValue(values[i])}"`).join(','));
      this.series.set(key, series);
    }
    return series;
  }

  /** The family in the text format: HELP, TYPE and the used series' samples, without a final newline. */
  text(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const series of this.series.values()) if (series.used) this.write(series, lines);
    return lines.join('\n');
  }

  protected abstract create(labelText: string): S;
  protected abstract write(series: S, into: string[]): void;
}

export class CounterSeries implements Series {
  value = 0;
  used = false;

  constructor(readonly labelText: string) {}

  inc(amount = 1): void {
    this.value += amount;
    this.used = true;
  }
}

export class FastCounter extends Family<CounterSeries> {
  constructor(options: FamilyOptions) {
    super(options, 'counter');
  }

  protected create(labelText: string): CounterSeries {
    return new CounterSeries(labelText);
  }

  protected write(series: CounterSeries, into: string[]): void {
    into.push(`${this.name}${braced(series.labelText)} ${formatValue(series.value)}`);
  }
}

export class HistogramSeries implements Series {
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  used = false;

  constructor(
    readonly labelText: string,
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
  private readonly bounds: readonly number[];

  constructor(options: FamilyOptions & { buckets: readonly number[] }) {
    super(options, 'histogram');
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labelText: string): HistogramSeries {
    return new HistogramSeries(labelText, this.bounds);
  }

  protected write(series: HistogramSeries, into: string[]): void {
    // As prom-client: `le` first, then the series' labels.
    const rest = series.labelText === '' ? '' : `,${series.labelText}`;
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i];
      into.push(`${this.name}_bucket{le="${bound}"${rest}} ${formatValue(cumulative)}`);
    });
    into.push(`${this.name}_bucket{le="+Inf"${rest}} ${formatValue(series.count)}`);
    into.push(`${this.name}_sum${braced(series.labelText)} ${formatValue(series.sum)}`);
    into.push(`${this.name}_count${braced(series.labelText)} ${formatValue(series.count)}`);
  }
}

/** The fast families of one exposition, in the order they were created. */
export class FastFamilies {
  private readonly families: Array<Family<Series>> = [];

  counter(options: FamilyOptions): FastCounter {
    return this.add(new FastCounter(options));
  }

  histogram(options: FamilyOptions & { buckets: readonly number[] }): FastHistogram {
    return this.add(new FastHistogram(options));
  }

  /** Every family in the Prometheus text format (0.0.4), as prom-client's Registry.metrics() writes it. */
  text(): string {
    return `${this.families.map((family) => family.text()).join('\n\n')}\n`;
  }

  private add<F extends Family<Series>>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) throw new Error(`A metric with the name ${family.name} has already been registered.`);
    this.families.push(family);
    return family;
  }
}

const braced = (labelText: string) => (labelText === '' ? '' : `{${labelText}}`);

/** The text format's escapes (backslash and newline; in label values also the double quote). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  return escapeHelp(value).replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
