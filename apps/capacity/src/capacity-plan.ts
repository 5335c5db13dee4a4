/**
 * Capacity planning for the gateway's HPA: how many replicas the peak needs, and the per-pod
 * request-rate target that makes the HPA reach that count at the peak.
 *
 * The contract (the Helm chart computes the same numbers in its templates; a test compares them):
 *
 *   instances    = peakRps / targetRpsPerInstance × safetyFactor          (exact, a float)
 *   maxReplicas  = max(minReplicas, ceil(peakRps × safetyFactor / targetRpsPerInstance − 1e-9))
 *   averageValue = ceil(targetRpsPerInstance / safetyFactor × 1000) "m"  (HPA Pods metric target)
 *
 * The 1e-9 absorbs float noise (1000 × 1.2 / 300 is 4.000000000000001, which needs 4 pods, not 5).
 * averageValue is the per-pod rate the HPA aims for: the target with the safety margin taken off,
 * as a milli-quantity. It is rounded up, so the HPA never asks for more than maxReplicas at the
 * peak: its desired count there is ceil(peakRps / averageValue), which equals maxReplicas whenever
 * `instances` is a whole number (5000 / 500 × 1.5 = 15 → 333334m → ceil(14.99997) = 15), and is
 * otherwise maxReplicas or, when `instances` lies a hair above a whole number (within the
 * rounding of averageValue to 1m: 18323 / 121 × 2.1 = 318.0025 → 319, but ceil(18323 / 57.620)
 * = 318), one less; that holds while maxReplicas ≤ the averageValue in milli-requests (1000
 * replicas at a 1 req/s per-pod target). The HPA's default 10% tolerance is wider than either.
 */

const REQUESTS_PER_SECOND_METRIC = 'llm_hub_requests_per_second';
export const DEFAULT_MIN_REPLICAS = 2;

export interface CapacityInput {
  /** Requests per second the whole deployment must serve at its peak. */
  peakRps: number;
  /** Requests per second one replica serves within its latency objective (measure it: docs/benchmarks.md). */
  targetRpsPerInstance: number;
  /** Headroom multiplier, ≥ 1 (1.5 = run pods at two thirds of what they can take). */
  safetyFactor: number;
  /** Floor of the HPA (availability, not load); default 2. */
  minReplicas?: number;
}

export interface CapacityPlan {
  peakRps: number;
  targetRpsPerInstance: number;
  safetyFactor: number;
  /** peakRps / targetRpsPerInstance × safetyFactor, not rounded. */
  instances: number;
  /** The HPA's maxReplicas. */
  maxReplicas: number;
  /** The HPA's minReplicas. */
  minReplicas: number;
  /** The HPA's Pods metric: scale so each pod sees about averageValue requests per second. */
  podsMetric: {
    name: typeof REQUESTS_PER_SECOND_METRIC;
    /** A Kubernetes milli-quantity, e.g. "333334m" (= 333.334 req/s). */
    averageValue: string;
    /** The same in requests per second (averageValue / 1000). */
    averageValueRps: number;
  };
  /** What the HPA asks for at peakRps: ceil(peakRps / averageValueRps), never above maxReplicas. */
  replicasAtPeak: number;
}

export interface CapacityProblem {
  field: keyof CapacityInput;
  /** What is wrong, without the field's name ("must be a number > 0 (got 0)"). */
  message: string;
}

/** Input the plan cannot be made from; `problems` has one entry per bad field. */
export class CapacityInputError extends Error {
  constructor(readonly problems: CapacityProblem[]) {
    super(`Invalid capacity input:\n${problems.map((p) => `  - ${p.field} ${p.message}`).join('\n')}`);
    this.name = 'CapacityInputError';
  }
}

const EPSILON = 1e-9;

export function capacityPlan(input: CapacityInput): CapacityPlan {
  const { peakRps, targetRpsPerInstance, safetyFactor } = input;
  const minReplicas = input.minReplicas ?? DEFAULT_MIN_REPLICAS;
  const problems: CapacityProblem[] = [];
  if (!Number.isFinite(peakRps) || peakRps <= 0) problems.push({ field: 'peakRps', message: `must be a number > 0 (got ${peakRps})` });
  if (!Number.isFinite(targetRpsPerInstance) || targetRpsPerInstance <= 0) {
    problems.push({ field: 'targetRpsPerInstance', message: `must be a number > 0 (got ${targetRpsPerInstance})` });
  }
  if (!Number.isFinite(safetyFactor) || safetyFactor < 1) {
    problems.push({ field: 'safetyFactor', message: `must be a number ≥ 1 (got ${safetyFactor}): 1 is no headroom, 1.5 is 50% headroom` });
  }
  if (!Number.isInteger(minReplicas) || minReplicas < 1) {
    problems.push({ field: 'minReplicas', message: `must be a whole number ≥ 1 (got ${minReplicas})` });
  }
  if (problems.length > 0) throw new CapacityInputError(problems);

  const instances = (peakRps / targetRpsPerInstance) * safetyFactor;
  const maxReplicas = Math.max(minReplicas, Math.ceil((peakRps * safetyFactor) / targetRpsPerInstance - EPSILON));
  const milli = Math.ceil((targetRpsPerInstance / safetyFactor) * 1000);
  const replicasAtPeak = Math.min(maxReplicas, Math.max(minReplicas, Math.ceil((peakRps * 1000) / milli - EPSILON)));
  return {
    peakRps,
    targetRpsPerInstance,
    safetyFactor,
    instances,
    maxReplicas,
    minReplicas,
    podsMetric: { name: REQUESTS_PER_SECOND_METRIC, averageValue: `${milli}m`, averageValueRps: milli / 1000 },
    replicasAtPeak,
  };
}
