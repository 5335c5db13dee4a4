/**
 * k6 thresholds: `<aggregate> <operator> <number>` per metric ("p(95)<5000", "rate<=0.01",
 * "count>100"), evaluated at the end of the run as k6 does. A threshold whose metric got no sample
 * is not evaluated and does not fail the run (k6's behaviour), which the summary says.
 */
import type { Thresholds } from '../scenarios/scenario';
import { AGGREGATES, metricNamed, type RunMetrics } from './metrics';

const EXPRESSION = /^\s*(avg|min|med|max|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$/;

type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  metric: string;
  expression: string;
  aggregate: string;
  operator: Operator;
  limit: number;
}

export interface ThresholdResult extends Threshold {
  /** Undefined when the metric got no sample. */
  value: number | undefined;
  ok: boolean;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

/** Every threshold parsed, and checked against the metrics a run records (before it starts, as k6 does). */
export function parseThresholds(thresholds: Thresholds, metrics: RunMetrics): Threshold[] {
  const out: Threshold[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    const recorded = metricNamed(metrics, metric);
    if (!recorded) throw new ThresholdError(`threshold on ${metric}: no such metric (the runner records ${Object.keys(metrics).join(', ')})`);
    for (const expression of expressions) {
      const match = EXPRESSION.exec(expression);
      if (!match) throw new ThresholdError(`threshold on ${metric}: ${JSON.stringify(expression)} is not "<aggregate> <operator> <number>"`);
      const [, aggregate, operator, limit] = match;
      if (!AGGREGATES[recorded.type].test(aggregate)) throw new ThresholdError(`threshold on ${metric}: a ${recorded.type} has no ${aggregate}`);
      out.push({ metric, expression, aggregate, operator: operator as Operator, limit: Number(limit) });
    }
  }
  return out;
}

function holds(value: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export function evaluateThresholds(thresholds: readonly Threshold[], metrics: RunMetrics): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const value = metricNamed(metrics, threshold.metric)!.value(threshold.aggregate);
    return { ...threshold, value, ok: value === undefined || holds(value, threshold.operator, threshold.limit) };
  });
}
