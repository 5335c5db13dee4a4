import { Gauge, type Registry } from 'prom-client';
import { FastFamilies, type CounterSeries, type HistogramSeries } from './fast-metrics';
import type { CacheResult } from './cache-metrics';
import { CacheMetrics } from './cache-metrics';
import { ChildCache2, ChildCache3 } from './child-cache';
import type { LabelPolicy } from './label-policy';
import { LATENCY_BUCKETS, METRICS, OVERHEAD_BUCKETS } from './metric-definitions';
import { OptionalGauge } from './optional-gauge';
import { ResilienceMetrics } from './resilience-metrics';

export interface GatewayMetricsOptions {
  /** Prometheus text format (the type says so): the fast families are written in it, not in OpenMetrics. */
  registry: Registry;
  labels: LabelPolicy;
}

/** One answered API request, as `requestFinished` records it. */
export interface FinishedRequest {
  /** The route pattern (`/v1/chat/completions`), never the raw URL: it is a label value. */
  route: string;
  /** Undefined when the request failed before routing; unknown names become `other`. */
  provider: string | undefined;
  model: string | undefined;
  statusCode: number;
  /** Undefined when the cache was not consulted: counted as `bypass`. */
  cache: CacheResult | undefined;
  stream: boolean;
  durationSeconds: number;
  /** Time spent in upstream attempts; 0 when the request did not go upstream (cache hit, bad input). */
  upstreamSeconds: number;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const CACHE_LABELS = ['hit', 'miss', 'bypass', 'uncacheable'] as const;

/** 2xx → 1; anything outside 1xx..5xx is counted as a server error. */
function statusClassIndex(statusCode: number): number {
  const cls = (statusCode / 100) | 0;
  return cls >= 1 && cls <= 5 ? cls - 1 : 4;
}

function cacheIndex(cache: CacheResult | undefined): number {
  switch (cache) {
    case 'hit':
    case 'HIT':
      return 0;
    case 'miss':
    case 'MISS':
      return 1;
    case 'uncacheable':
    case 'UNCACHEABLE':
      return 3;
    default:
      return 2;
  }
}

/** The children of one (route, provider, model), indexed by small integers: no key per request. */
interface RequestSeries {
  /** By statusClassIndex * CACHE_LABELS.length + cacheIndex. */
  readonly counts: readonly CounterSeries[];
  /** By stream ? 1 : 0. */
  readonly durations: readonly HistogramSeries[];
  readonly overhead: HistogramSeries;
}

/** The children of one (provider, model). */
interface ModelSeries {
  readonly upstream: HistogramSeries;
  readonly firstToken: HistogramSeries;
  readonly promptTokens: CounterSeries;
  readonly completionTokens: CounterSeries;
  readonly cost: CounterSeries;
  readonly cacheSaved: CounterSeries;
}

/**
 * Every metric of docs/observability.md: the rare ones prom-client's own, on the given registry
 * (not prom-client's default process metrics: whoever owns the registry turns those on), the
 * per-request ones FastCounter/FastHistogram (fast-metrics.ts) beside it; `exposition()` writes
 * both. Called on every request, so the per-call work is two Set lookups (LabelPolicy), a few Map
 * lookups for the memoized series (no string keys built) and a few additions. Series exist only
 * once used.
 */
export class GatewayMetrics {
  readonly resilience: ResilienceMetrics;
  readonly cache: CacheMetrics;

  private readonly registry: Registry;
  private readonly fast = new FastFamilies();
  private readonly labels: LabelPolicy;
  private readonly requestSeries: ChildCache3<RequestSeries>;
  private readonly modelSeries: ChildCache2<ModelSeries>;
  private readonly memoryLimitGauge: OptionalGauge;
  private readonly cpuLimitGauge: OptionalGauge;
  private readonly buildInfoGauge: Gauge;
  /** Kept as plain numbers and copied into the gauges at scrape time: two updates per request. */
  private inFlightCount = 0;
  private openStreamCount = 0;

  constructor(options: GatewayMetricsOptions) {
    const { registry } = options;
    const registers = [registry];
    const fast = this.fast;
    this.registry = registry;
    this.labels = options.labels;
    this.resilience = new ResilienceMetrics(registry, options.labels);
    this.cache = new CacheMetrics(registry, fast);

    const requests = fast.counter(METRICS.requests);
    const duration = fast.histogram({ ...METRICS.requestDuration, buckets: LATENCY_BUCKETS });
    const overhead = fast.histogram({ ...METRICS.overhead, buckets: OVERHEAD_BUCKETS });
    this.requestSeries = new ChildCache3((route, provider, model) => ({
      counts: STATUS_CLASSES.flatMap((status) => CACHE_LABELS.map((cache) => requests.labels(route, provider, model, status, cache))),
      durations: [duration.labels(route, provider, model, 'false'), duration.labels(route, provider, model, 'true')],
      overhead: overhead.labels(route),
    }));

    const upstream = fast.histogram({ ...METRICS.upstreamDuration, buckets: LATENCY_BUCKETS });
    const firstToken = fast.histogram({ ...METRICS.timeToFirstToken, buckets: LATENCY_BUCKETS });
    const tokens = fast.counter(METRICS.tokens);
    const cost = fast.counter(METRICS.cost);
    const cacheSaved = fast.counter(METRICS.cacheSaved);
    this.modelSeries = new ChildCache2((provider, model) => ({
      upstream: upstream.labels(provider, model),
      firstToken: firstToken.labels(provider, model),
      promptTokens: tokens.labels(provider, model, 'prompt'),
      completionTokens: tokens.labels(provider, model, 'completion'),
      cost: cost.labels(provider, model),
      cacheSaved: cacheSaved.labels(provider, model),
    }));

    // collect() runs at scrape time with the gauge as `this`.
    const counts = { inFlight: () => this.inFlightCount, openStreams: () => this.openStreamCount };
    new Gauge({
      ...METRICS.inFlight,
      registers,
      collect(this: Gauge) {
        this.set(counts.inFlight());
      },
    });
    new Gauge({
      ...METRICS.openStreams,
      registers,
      collect(this: Gauge) {
        this.set(counts.openStreams());
      },
    });
    this.memoryLimitGauge = new OptionalGauge(registry, METRICS.memoryLimit);
    this.cpuLimitGauge = new OptionalGauge(registry, METRICS.cpuLimit);
    this.buildInfoGauge = new Gauge({ ...METRICS.buildInfo, registers });
  }

  /** Every metric (the registry's and the fast families) in the Prometheus text format. */
  async exposition(): Promise<string> {
    return `${await this.registry.metrics()}\n${this.fast.text()}`;
  }

  /** The exposition's Content-Type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Counts an answered API request and observes its duration; for requests that went upstream
   * (upstreamSeconds > 0), also what the gateway added on top.
   */
  requestFinished(request: FinishedRequest): void {
    const series = this.requestSeries.get(request.route, this.labels.provider(request.provider), this.labels.model(request.model));
    series.counts[statusClassIndex(request.statusCode) * CACHE_LABELS.length + cacheIndex(request.cache)].inc();
    series.durations[request.stream ? 1 : 0].observe(request.durationSeconds);
    if (request.upstreamSeconds > 0) {
      // Clamped: the two durations come from separate clock reads and may cross by a few µs.
      series.overhead.observe(Math.max(0, request.durationSeconds - request.upstreamSeconds));
    }
  }

  /** One upstream attempt, retries included (each is its own attempt). */
  upstreamAttempt(provider: string, model: string, seconds: number): void {
    this.model(provider, model).upstream.observe(seconds);
  }

  /** Streams: request received → first chunk sent. */
  firstToken(provider: string, model: string, seconds: number): void {
    this.model(provider, model).firstToken.observe(seconds);
  }

  /**
   * Tokens and cost of an upstream answer (never of a cache hit: see cacheSaved). `costUsd` is
   * undefined when the model has no price: the cost counter is then left alone rather than
   * counting the call as free.
   */
  usage(provider: string, model: string, promptTokens: number, completionTokens: number, costUsd: number | undefined): void {
    const series = this.model(provider, model);
    // `> 0` also drops NaN, which a prom-client counter would otherwise add.
    if (promptTokens > 0) series.promptTokens.inc(promptTokens);
    if (completionTokens > 0) series.completionTokens.inc(completionTokens);
    if (costUsd !== undefined && costUsd >= 0) series.cost.inc(costUsd);
  }

  /** What an answer served from the cache would have cost upstream. */
  cacheSaved(provider: string, model: string, usd: number): void {
    if (usd >= 0) this.model(provider, model).cacheSaved.inc(usd);
  }

  /** +1 when an API request starts, -1 when it is answered. */
  inFlight(delta: number): void {
    this.inFlightCount += delta;
  }

  /** +1 when an SSE response opens, -1 when it closes. */
  openStreams(delta: number): void {
    this.openStreamCount += delta;
  }

  /** The container's memory limit; undefined (unlimited) leaves the metric out. */
  memoryLimit(bytes: number | undefined): void {
    this.memoryLimitGauge.set(bytes);
  }

  /** The container's CPU limit in cores; undefined (unlimited) leaves the metric out. */
  cpuLimit(cores: number | undefined): void {
    this.cpuLimitGauge.set(cores);
  }

  buildInfo(version: string, nodeVersion: string = process.version): void {
    // One series only: a second call (tests, reconfiguration) replaces the first.
    this.buildInfoGauge.reset();
    this.buildInfoGauge.labels(version, nodeVersion).set(1);
  }

  private model(provider: string, model: string): ModelSeries {
    return this.modelSeries.get(this.labels.provider(provider), this.labels.model(model));
  }
}
