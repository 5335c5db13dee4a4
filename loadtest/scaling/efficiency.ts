/**
 * The scaling efficiency of a series of steps: efficiency(n) = RPS(n) / (n / n0 x RPS(n0)), where
 * n0 is the first (smallest) step, normally 1 replica, so that it reads RPS(n) / (n x RPS(1)).
 * 1.0 is perfectly linear scaling; the benchmark's target is 0.95 at the largest step.
 */

/** What one step measured. */
export interface StepMeasurement {
  replicas: number;
  /** Requests answered per second over the step's measured part (the load runner's reqPerSec). */
  rps: number;
  p95Ms: number | null;
  errorRate: number;
  cacheHitRate: number | null;
  /** Average CPU of the gateway pods near the end of the step, millicores (metrics-server); null when unknown. */
  cpuMillicoresPerPod: number | null;
}

export interface StepResult extends StepMeasurement {
  /** What linear scaling from the first step predicts: n / n0 x RPS(n0). */
  idealRps: number;
  efficiency: number;
}

export function efficiencies(steps: readonly StepMeasurement[]): StepResult[] {
  if (steps.length === 0) return [];
  const base = steps[0];
  if (!(base.rps > 0)) throw new Error(`the first step (${base.replicas} replicas) answered no requests: no baseline to compare with`);
  return steps.map((step) => {
    const idealRps = (step.replicas / base.replicas) * base.rps;
    return { ...step, idealRps, efficiency: step.rps / idealRps };
  });
}

/** The gate is on the largest step, what the target names ("95 % at 8 replicas"). */
export function gateStep(results: readonly StepResult[]): StepResult | undefined {
  return results.reduce<StepResult | undefined>((largest, step) => (largest === undefined || step.replicas > largest.replicas ? step : largest), undefined);
}

export function meetsGate(results: readonly StepResult[], gate: number): boolean {
  const step = gateStep(results);
  return step !== undefined && step.efficiency >= gate;
}

/** Millicores of a Kubernetes CPU quantity ("100m", "0.5", "2"); undefined for any other form. */
export function millicores(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) return undefined;
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}

/**
 * Whether the pods were CPU-bound at their limit: their average CPU within 80 % of it. Below that,
 * something else capped the step (the node's free CPU, the upstream, Redis, too little load), and
 * the step's throughput is not n times a pod's capacity.
 */
export function atCpuLimit(cpuMillicoresPerPod: number | null, limitMillicores: number | undefined): boolean | undefined {
  if (cpuMillicoresPerPod === null || limitMillicores === undefined) return undefined;
  return cpuMillicoresPerPod >= 0.8 * limitMillicores;
}
