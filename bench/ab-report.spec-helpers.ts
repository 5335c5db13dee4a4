/** Fixtures for the specs of the A/B sections (ab-report, resilience-report, observability-report). */
import { abCost, type AbCost, type AbRun, type AbVariant } from './ab-report';
import type { LoadResult } from './load';

/** One run of a variant: `reqPerSec` for 10 s, fixed latencies (p50 1 ms, p99 3 ms). */
export function abRun(variant: AbVariant, order: number, reqPerSec: number, cpuUsPerRequest: number | null): AbRun {
  const latencyMs = { count: 1, mean: 1, p50: 1, p90: 2, p99: 3, max: 4 };
  return { variant, order, cpuUsPerRequest, load: { reqPerSec, responses: reqPerSec * 10, latencyMs } as LoadResult };
}

/** A section of one round (off 100 req/s at 50 µs, on 95 at 52), 50 connections, 10 s, plain node, with `evidence`. */
export function oneRound<E extends object>(evidence: E): AbCost<E> {
  return abCost({ connections: 50, durationS: 10, rounds: 1, nodeArgs: [], runs: [abRun('off', 1, 100, 50), abRun('on', 2, 95, 52)] }, evidence);
}
