/**
 * Section 4's figures: the resilience pipeline's cost on the healthy path, from alternating runs
 * against a gateway with `resilience.enabled: false` and one with the default (enabled). The A/B
 * figures are ab-report.ts's; this section adds which gateway retries a 503.
 */
import { formatAbCost, type AbCost, type AbVariant } from './ab-report';

/** The target: 'on' may cost at most this share of 'off''s req/s, in %. */
export const RESILIENCE_COST_GOAL_PCT = 5;

interface ResilienceEvidence {
  /** Upstream attempts each gateway made for one request the fake failed with 503: shows which one runs the pipeline. */
  attemptsFor503: Record<AbVariant, number>;
}

export type ResilienceCost = AbCost<ResilienceEvidence>;

/** Why the two gateways are not what they claim: 'off' must try once, 'on' retry. Empty when they are. */
export function attemptsProblems(attemptsFor503: Record<AbVariant, number>): string[] {
  const problems: string[] = [];
  if (attemptsFor503.off !== 1) problems.push(`resilience off: ${attemptsFor503.off} upstream attempts for one 503, expected 1`);
  if (attemptsFor503.on < 2) problems.push(`resilience on: ${attemptsFor503.on} upstream attempt(s) for one 503; the pipeline does not retry, so it seems not to be installed`);
  return problems;
}

export function formatResilience(r: ResilienceCost): string {
  return formatAbCost(r, {
    title: '4. Resilience pipeline cost on the healthy path',
    switchName: 'resilience',
    evidence: [`upstream attempts for one request the fake fails with 503: off ${r.attemptsFor503.off}, on ${r.attemptsFor503.on}`],
  });
}
