/**
 * The JSON result of a run: what a person or a program (the scaling runner reads it from a
 * Kubernetes Job's log, where it is the last line) needs without knowing k6's metric names, plus
 * the thresholds and k6's own metric values. Never the API key.
 */
import type { ScenarioDefinition } from '../scenarios/scenario';
import type { Settings } from '../scenarios/settings';
import type { CheckCount } from './recorder';
import type { RunOutcome, StoppedBy } from './run';
import type { Metric, Trend } from './metrics';
import { evaluateThresholds, type Threshold } from './thresholds';

export interface TrendSummary {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  p90: number;
  p95: number;
  p99: number;
}

interface ThresholdOutcome {
  metric: string;
  expression: string;
  /** The aggregate's value at the end; null when the metric got no sample (not evaluated). */
  value: number | null;
  ok: boolean;
}

export interface LoadResult {
  scenario: string;
  executor: string;
  target: string;
  model: string;
  startedAt: string;
  durationS: number;
  stoppedBy: StoppedBy;
  /** Requests answered or failed (interrupted ones are left out, as k6 does). */
  requests: number;
  reqPerSec: number;
  droppedIterations: number;
  interruptedIterations: number;
  /** Requests that failed: transport errors and statuses outside 200-399 (k6's http_req_failed). */
  failed: number;
  errorRate: number;
  statusCodes: Record<string, number>;
  transportErrors: Record<string, number>;
  checks: Record<string, CheckCount>;
  latencyMs: TrendSummary | null;
  ttftMs: TrendSummary | null;
  tokensPerSecond: TrendSummary | null;
  /** Answers by x-llm-hub-cache value, and HIT's share of them. */
  cache: { counts: Record<string, number>; hitRate: number | null };
  thresholds: ThresholdOutcome[];
  thresholdsPassed: boolean;
  firstFailure: string | null;
  /** k6's name for each metric, with its aggregates (as in k6's end-of-test summary). */
  metrics: Record<string, Record<string, number>>;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

function trendSummary(trend: Trend): TrendSummary | null {
  if (trend.count === 0) return null;
  const v = (aggregate: string) => round(trend.value(aggregate)!);
  return { count: trend.count, avg: v('avg'), min: v('min'), med: v('med'), max: v('max'), p90: v('p(90)'), p95: v('p(95)'), p99: v('p(99)') };
}

const SUMMARY_AGGREGATES: Record<Metric['type'], string[]> = {
  trend: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
};

function metricValues(metric: Metric): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const aggregate of SUMMARY_AGGREGATES[metric.type]) {
    const value = metric.value(aggregate);
    if (value !== undefined) out[aggregate] = round(value);
  }
  if (metric.type === 'rate' && out.rate !== undefined) Object.assign(out, { passes: metric.passes, fails: metric.fails });
  return Object.keys(out).length > 0 ? out : undefined;
}

function describeExecutor(definition: ScenarioDefinition): string {
  const e = definition.executor;
  const perUnit = (rate: number, unit?: string) => `${rate}/${unit && unit !== '1s' ? unit : 's'}`;
  switch (e.executor) {
    case 'constant-vus':
      return `constant-vus: ${e.vus} VU${e.vus === 1 ? '' : 's'} for ${e.duration}`;
    case 'ramping-vus':
      return `ramping-vus: ${e.startVUs ?? 1} VUs, then ${e.stages.map((s) => `${s.target} over ${s.duration}`).join(', ')}`;
    case 'constant-arrival-rate':
      return `constant-arrival-rate: ${perUnit(e.rate, e.timeUnit)} for ${e.duration} (at most ${e.maxVUs ?? e.preAllocatedVUs} in flight)`;
    case 'ramping-arrival-rate':
      return `ramping-arrival-rate: ${perUnit(e.startRate ?? 0, e.timeUnit)}, then ${e.stages.map((s) => `${perUnit(s.target, e.timeUnit)} over ${s.duration}`).join(', ')} (at most ${e.maxVUs ?? e.preAllocatedVUs} in flight)`;
  }
}

export function buildResult(definition: ScenarioDefinition, settings: Settings, outcome: RunOutcome, thresholds: readonly Threshold[]): LoadResult {
  const { recorder } = outcome;
  const m = recorder.metrics;
  const evaluated = evaluateThresholds(thresholds, m);
  const cacheTotal = Object.values(recorder.cache).reduce((sum, n) => sum + n, 0);
  const metrics: Record<string, Record<string, number>> = {};
  for (const [name, metric] of Object.entries(m) as Array<[string, Metric]>) {
    const values = metricValues(metric);
    if (values) metrics[name] = values;
  }
  return {
    scenario: definition.name,
    executor: describeExecutor(definition),
    target: settings.targetUrl,
    model: settings.model,
    startedAt: outcome.startedAt.toISOString(),
    durationS: round(outcome.elapsedMs / 1000),
    stoppedBy: outcome.stoppedBy,
    requests: m.http_reqs.count,
    reqPerSec: round(m.http_reqs.value('rate') ?? 0),
    droppedIterations: m.dropped_iterations.count,
    interruptedIterations: recorder.interrupted,
    failed: m.http_req_failed.passes,
    errorRate: round(m.http_req_failed.value('rate') ?? 0),
    statusCodes: recorder.statusCodes,
    transportErrors: recorder.transportErrors,
    checks: recorder.checks,
    latencyMs: trendSummary(m.http_req_duration),
    ttftMs: trendSummary(m.llm_ttft),
    tokensPerSecond: trendSummary(m.llm_tokens_per_second),
    cache: { counts: recorder.cache, hitRate: cacheTotal > 0 ? round((recorder.cache.HIT ?? 0) / cacheTotal) : null },
    thresholds: evaluated.map((t) => ({ metric: t.metric, expression: t.expression, value: t.value === undefined ? null : round(t.value), ok: t.ok })),
    thresholdsPassed: evaluated.every((t) => t.ok),
    firstFailure: recorder.firstFailure ?? null,
    metrics,
  };
}
