/**
 * The capacity planner as a command:
 *
 *   npm run capacity -- --peak-rps 5000 --target-rps 500 --safety 1.5 [--min-replicas 2] [--latency 5] [--json]
 *
 * Prints the formula with the numbers, the HPA's replica bounds and Pods metric target, and the
 * Helm values that make the chart compute the same; with --latency, what a replica holds in
 * flight at its target and the memory that takes. Bad input: a message on stderr, exit 2.
 */
import { parseArgs } from 'node:util';
import { capacityPlan, CapacityInputError, DEFAULT_MIN_REPLICAS, type CapacityInput, type CapacityPlan } from './capacity-plan';
import { inFlightPlan, MEMORY_BASE_MIB, MEMORY_PER_IN_FLIGHT_KIB, type InFlightPlan } from './in-flight-plan';

export const USAGE = `Usage: capacity --peak-rps <n> --target-rps <n> --safety <n> [--min-replicas <n>] [--latency <s>] [--json]

  --peak-rps       requests per second the deployment must serve at its peak
  --target-rps     requests per second one replica serves within its latency objective
  --safety         headroom multiplier, >= 1 (1.5 = pods run at two thirds of their target)
  --min-replicas   the HPA's floor (default ${DEFAULT_MIN_REPLICAS})
  --latency        mean seconds of one upstream call, streams included: adds the calls a replica
                   holds in flight at its target, and the memory they take
  --json           print the plan as JSON
`;

/** The chart's values that carry the same inputs (deploy/helm/llm-connector-hub/values.yaml). */
export const HELM_VALUES = {
  peakRps: 'capacity.peakRps',
  targetRpsPerInstance: 'capacity.targetRpsPerInstance',
  safetyFactor: 'capacity.safetyFactor',
  minReplicas: 'capacity.minReplicas',
} as const;

/** The flag that carries each input. */
const FLAGS: Record<keyof CapacityInput, string> = {
  peakRps: '--peak-rps',
  targetRpsPerInstance: '--target-rps',
  safetyFactor: '--safety',
  minReplicas: '--min-replicas',
};

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the command on `argv` (without node and the script); returns the exit code. */
export function runCapacity(argv: string[], out: Output): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'peak-rps': { type: 'string' },
        'target-rps': { type: 'string' },
        safety: { type: 'string' },
        'min-replicas': { type: 'string' },
        latency: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return usageError(out, (error as Error).message);
  }
  if (values.help) {
    out.stdout(USAGE);
    return 0;
  }
  const problems: string[] = [];
  const number = (flag: string, required: boolean): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) {
      if (required) problems.push(`--${flag} is required`);
      return undefined;
    }
    const text = String(raw).trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) {
      problems.push(`--${flag} must be a number (got '${raw}')`);
      return undefined;
    }
    return n;
  };
  const peakRps = number('peak-rps', true);
  const targetRps = number('target-rps', true);
  const safety = number('safety', true);
  const minReplicas = number('min-replicas', false);
  const latency = number('latency', false);
  if (latency !== undefined && !(latency > 0)) problems.push(`--latency must be a number > 0 (got ${latency})`);
  if (problems.length > 0) return usageError(out, problems.join('\n'));

  let plan: CapacityPlan;
  try {
    plan = capacityPlan({ peakRps: peakRps!, targetRpsPerInstance: targetRps!, safetyFactor: safety!, minReplicas });
  } catch (error) {
    if (error instanceof CapacityInputError) return usageError(out, error.problems.map((p) => `${FLAGS[p.field]} ${p.message}`).join('\n'));
    throw error;
  }
  const inFlight = latency === undefined ? undefined : inFlightPlan({ targetRpsPerInstance: plan.targetRpsPerInstance, latencySeconds: latency });
  if (values.json) out.stdout(`${JSON.stringify(inFlight ? { ...plan, inFlight } : plan, null, 2)}\n`);
  else out.stdout(formatPlan(plan) + (inFlight ? formatInFlight(plan, inFlight) : ''));
  return 0;
}

function usageError(out: Output, message: string): number {
  out.stderr(`capacity: ${message.split('\n').join('\ncapacity: ')}\n\n${USAGE}`);
  return 2;
}

/** A number as people write it: up to 4 decimals, no float noise (4.000000000000001 → "4"). */
export function formatNumber(n: number): string {
  return String(Number(n.toFixed(4)));
}

/** "=" when the shown number is the exact value, "≈" when it was rounded for display. */
function equals(n: number): string {
  return Math.abs(Number(n.toFixed(4)) - n) < 1e-9 ? '=' : '≈';
}

export function helmSetFlags(plan: CapacityPlan): string {
  return [
    `--set ${HELM_VALUES.peakRps}=${plan.peakRps}`,
    `--set ${HELM_VALUES.targetRpsPerInstance}=${plan.targetRpsPerInstance}`,
    `--set ${HELM_VALUES.safetyFactor}=${plan.safetyFactor}`,
    `--set ${HELM_VALUES.minReplicas}=${plan.minReplicas}`,
  ].join(' ');
}

export function formatPlan(plan: CapacityPlan): string {
  const { peakRps: peak, targetRpsPerInstance: target, safetyFactor: safety, instances, maxReplicas, minReplicas } = plan;
  const perPod = target / safety;
  const metric = plan.podsMetric;
  const lines = [
    'Capacity plan for llm-connector-hub',
    '',
    `  instances   = peakRps / targetRpsPerInstance × safetyFactor`,
    `              = ${peak} / ${target} × ${safety} ${equals(instances)} ${formatNumber(instances)}`,
    `  maxReplicas = max(minReplicas, ceil(instances)) = max(${minReplicas}, ${Math.ceil((peak * safety) / target - 1e-9)}) = ${maxReplicas}`,
    `  minReplicas = ${minReplicas}`,
    '',
    'HPA Pods metric (per-pod target = targetRpsPerInstance / safetyFactor, rounded up to 1m):',
    `  ${metric.name}  averageValue: ${metric.averageValue}   (${target} / ${safety} ${equals(perPod)} ${formatNumber(perPod)} req/s per pod)`,
    `  at ${peak} req/s the HPA asks for ceil(${peak} / ${metric.averageValueRps}) = ${plan.replicasAtPeak} replicas` +
      (plan.replicasAtPeak < maxReplicas ? ` (${maxReplicas - plan.replicasAtPeak} under maxReplicas: averageValue is rounded up to 1m)` : ''),
    '',
    'Helm values (the chart computes the same maxReplicas and averageValue from them):',
    `  ${helmSetFlags(plan)}`,
    '',
  ];
  return lines.join('\n');
}

export function formatInFlight(plan: CapacityPlan, f: InFlightPlan): string {
  const lines = [
    `In flight per replica at its target, with upstream calls of ${formatNumber(f.latencySeconds)} s on average (Little's law):`,
    `  inFlight = ceil(targetRpsPerInstance × latency) = ceil(${plan.targetRpsPerInstance} × ${formatNumber(f.latencySeconds)}) = ${f.inFlightPerPod} calls`,
    `  memory   = ${MEMORY_BASE_MIB} MiB + ${f.inFlightPerPod} × ${MEMORY_PER_IN_FLIGHT_KIB} KiB ≈ ${f.memoryMiB} MiB   (Helm: resources.limits.memory at least this)`,
    `  per-provider limit (resilience bulkhead.maxConcurrent, default ${f.perProviderLimit}): ` +
      (f.overPerProviderLimit ? `EXCEEDED by one provider serving it all: raise it to ${f.inFlightPerPod}` : 'enough for one provider serving it all'),
    `  sockets over HTTP/1.1: ${f.http1Sockets} (a client and an upstream one per call; HTTP/2 upstream about half)`,
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  process.exitCode = runCapacity(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
