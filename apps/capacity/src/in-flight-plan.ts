/**
 * What one replica holds at once at its request-rate target, when an upstream call takes
 * `latencySeconds` on average (Little's law: in flight = rate × time), and the memory that takes.
 * LLM calls are slow, so a replica's limits are about calls in flight more than requests per
 * second: the per-provider limit (bulkhead.maxConcurrent, which also sizes the provider's pool),
 * the memory for each call, and over HTTP/1.1 two sockets per call.
 */
import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';

/**
 * The gateway's resident memory with nothing in flight and a full in-process cache (its default
 * cache.memory.maxBytes), and what each call in flight adds at the peak, streams
 * included: measured with `make bench` section 7 (bench/results/HISTORY.md#section-7-realistic-latency-runs-on-2026-12-07).
 */
export const MEMORY_BASE_MIB = 280;
export const MEMORY_PER_IN_FLIGHT_KIB = 50;

export interface InFlightInput {
  targetRpsPerInstance: number;
  /** Mean seconds of one upstream call, streams included (5 for a typical chat answer). */
  latencySeconds: number;
}

export interface InFlightPlan {
  latencySeconds: number;
  /** Calls one replica has in flight at its target: ceil(targetRpsPerInstance × latencySeconds). */
  inFlightPerPod: number;
  /** Resident memory one replica needs for them: MEMORY_BASE_MIB + inFlight × MEMORY_PER_IN_FLIGHT_KIB, rounded up. */
  memoryMiB: number;
  /** The default per-provider limit; one provider serving all of that beyond it gets 429s. */
  perProviderLimit: number;
  overPerProviderLimit: boolean;
  /** Sockets a replica holds for them over HTTP/1.1 (client + upstream); HTTP/2 upstream needs about half. */
  http1Sockets: number;
}

export function inFlightPlan(input: InFlightInput): InFlightPlan {
  const inFlightPerPod = Math.ceil(input.targetRpsPerInstance * input.latencySeconds - 1e-9);
  return {
    latencySeconds: input.latencySeconds,
    inFlightPerPod,
    memoryMiB: Math.ceil(MEMORY_BASE_MIB + (inFlightPerPod * MEMORY_PER_IN_FLIGHT_KIB) / 1024),
    perProviderLimit: DEFAULT_UPSTREAM_CONCURRENCY,
    overPerProviderLimit: inFlightPerPod > DEFAULT_UPSTREAM_CONCURRENCY,
    http1Sockets: 2 * inFlightPerPod,
  };
}
