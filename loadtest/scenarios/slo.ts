/**
 * The SLOs as k6 thresholds, shared by the scenarios. Their defaults are the gateway's own alert
 * thresholds (deploy/helm/llm-connector-hub/files/prometheus/alerts.yaml), set in settings.ts.
 */
import { METRICS, type Thresholds } from './scenario.ts';
import type { Slo } from './settings.ts';

/** Failed requests and failed checks, at most the SLO's error rate. */
function failures(slo: Pick<Slo, 'errorRate'>): Thresholds {
  return { http_req_failed: [`rate<=${slo.errorRate}`], checks: [`rate>=${Number((1 - slo.errorRate).toFixed(6))}`] };
}

/** Non-streamed requests: latency percentiles and failures. */
export function requestThresholds(slo: Slo): Thresholds {
  return { http_req_duration: [`p(95)<${slo.p95Ms}`, `p(99)<${slo.p99Ms}`], ...failures(slo) };
}

/** Streams last as long as the model writes, so their SLO is the time to the first token. */
export function streamThresholds(slo: Slo): Thresholds {
  return { [METRICS.ttft]: [`p(95)<${slo.ttftP95Ms}`], ...failures(slo) };
}

export function cacheMixThresholds(slo: Slo): Thresholds {
  return { ...requestThresholds(slo), [METRICS.cacheHit]: [`rate>=${slo.cacheHitRate}`] };
}
