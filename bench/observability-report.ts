/**
 * Section 6's figures: what metrics and request logging cost on the healthy path, from alternating
 * runs against a gateway with both switched off and one with the defaults (both on). The A/B
 * figures are ab-report.ts's; this section adds what shows each gateway is what it claims.
 */
import { AB_VARIANTS, formatAbCost, type AbCost, type AbVariant } from './ab-report';

/** What one gateway showed after one chat request. */
export interface ObservabilityProbe {
  /** Status of its GET /metrics. */
  metricsStatus: number;
  /** Whether that answer held a sample of `llm_hub_requests_total`. */
  requestsTotal: boolean;
  /** Request lines in its output after the one chat request. */
  requestLines: number;
}

interface ObservabilityEvidence {
  probes: Record<AbVariant, ObservabilityProbe>;
}

export type ObservabilityCost = AbCost<ObservabilityEvidence>;

/** The target: 'on' may cost at most this share of 'off''s req/s, in %. */
export const OBSERVABILITY_COST_GOAL_PCT = 10;

/** What marks a request line in the gateway's output (pino JSON, message `request`). */
const REQUEST_LINE_MARK = '"msg":"request"';
/** The counter every API request adds to; /metrics has a sample of it once a request was served. */
const REQUESTS_TOTAL = 'llm_hub_requests_total';

/** How many request lines a gateway's output holds. */
export function countRequestLines(output: string): number {
  return output.split(REQUEST_LINE_MARK).length - 1;
}

/** True when a Prometheus text exposition has a sample (not only HELP/TYPE) of `llm_hub_requests_total`. */
export function hasRequestsTotalSample(metrics: string): boolean {
  return new RegExp(`^${REQUESTS_TOTAL}(\\{[^}]*\\})? `, 'm').test(metrics);
}

/** Why the two gateways are not what they claim: 'on' must serve the counter and log the request, 'off' neither. Empty when they are. */
export function probeProblems(probes: Record<AbVariant, ObservabilityProbe>): string[] {
  const problems: string[] = [];
  const { off, on } = probes;
  if (on.metricsStatus !== 200 || !on.requestsTotal) {
    problems.push(`observability on: GET /metrics answered ${on.metricsStatus}${on.metricsStatus === 200 ? ` without a ${REQUESTS_TOTAL} sample` : ''}, expected 200 with one`);
  }
  if (on.requestLines < 1) problems.push(`observability on: no request line (${REQUEST_LINE_MARK}) in its output after one request`);
  if (off.metricsStatus !== 404) problems.push(`observability off: GET /metrics answered ${off.metricsStatus}, expected 404`);
  if (off.requestLines !== 0) problems.push(`observability off: ${off.requestLines} request line(s) in its output after one request, expected none`);
  return problems;
}

function describeProbe(p: ObservabilityProbe): string {
  const counter = p.metricsStatus === 200 ? (p.requestsTotal ? ` with ${REQUESTS_TOTAL}` : ` without ${REQUESTS_TOTAL}`) : '';
  return `GET /metrics ${p.metricsStatus}${counter}, request lines ${p.requestLines}`;
}

export function formatObservability(r: ObservabilityCost): string {
  return formatAbCost(r, {
    title: '6. Observability cost on the healthy path (metrics and request log off / on)',
    switchName: 'observability',
    evidence: [
      'off: observability: { metrics: { enabled: false }, requestLog: { enabled: false } }; on: the defaults (GET /metrics, one JSON request line per request to its output file)',
      `after one request: ${AB_VARIANTS.map((v) => `${v}: ${describeProbe(r.probes[v])}`).join('; ')}`,
    ],
  });
}
