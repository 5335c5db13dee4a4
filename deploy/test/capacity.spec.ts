import { capacityPlan, CapacityInputError, type CapacityInput, type CapacityPlan } from '../../apps/capacity/src/capacity-plan';
import { helmSetFlags } from '../../apps/capacity/src/main';
import { inFlightPlan, MEMORY_BASE_MIB, MEMORY_PER_IN_FLIGHT_KIB } from '../../apps/capacity/src/in-flight-plan';
import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';
import { get, helmTemplateAsync, helmTemplateRunAsync, kindOf, list, type HelmArgs, type RunResult } from './support/render';
import type { K8sObject } from './support/k8s-schema';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';

/**
 * The chart's HPA and the capacity CLI compute the same plan (apps/capacity/src/capacity-plan.ts):
 * maxReplicas, minReplicas and the per-pod target of llm_hub_requests_per_second, over a table of
 * inputs given as `--set` (how people pass them; Helm reads 1.5 as the string "1.5") and in a values
 * file (where Helm reads every number as a float64). At peakRps the HPA asks for
 * ceil(peakRps / averageValue) replicas: exactly maxReplicas for these inputs. With
 * autoscaling.engine=keda the ScaledObject carries the same plan: minReplicaCount, maxReplicaCount
 * and the Prometheus trigger's threshold (requests/s, which KEDA turns into the HPA's milli target).
 */

type Case = Required<CapacityInput> & { note: string };

const CASES: Case[] = [
  { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2, note: 'the defaults: 15 replicas, 333334m' },
  { peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.2, minReplicas: 2, note: '4.000000000000001 in floats: 4, not 5' },
  { peakRps: 7, targetRpsPerInstance: 3, safetyFactor: 1.75, minReplicas: 2, note: 'fractional target per pod (1715m)' },
  { peakRps: 1234.5, targetRpsPerInstance: 77.7, safetyFactor: 1.1, minReplicas: 2, note: 'fractional everything' },
  { peakRps: 100, targetRpsPerInstance: 0.5, safetyFactor: 1, minReplicas: 2, note: 'a target below 1 req/s (500m)' },
  { peakRps: 3000, targetRpsPerInstance: 500, safetyFactor: 1, minReplicas: 2, note: 'no headroom' },
  { peakRps: 10, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2, note: 'tiny peak: minReplicas' },
  { peakRps: 1, targetRpsPerInstance: 1000, safetyFactor: 1, minReplicas: 3, note: 'tiny peak, minReplicas 3' },
  { peakRps: 2000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 6, note: 'plan equals minReplicas (6)' },
  { peakRps: 250000, targetRpsPerInstance: 120, safetyFactor: 1.3, minReplicas: 3, note: 'large: 2709 replicas' },
  { peakRps: 1000000, targetRpsPerInstance: 250, safetyFactor: 1.25, minReplicas: 3, note: 'large: 5000 replicas, 1e6 peak' },
];

interface Hpa {
  minReplicas: number;
  maxReplicas: number;
  averageValue: string | undefined;
}

function hpaOf(objects: K8sObject[]): Hpa {
  const hpas = kindOf(objects, 'HorizontalPodAutoscaler');
  if (hpas.length !== 1) throw new Error(`expected one HorizontalPodAutoscaler, got: ${list(objects).join(', ')}`);
  const spec = hpas[0].spec as { minReplicas: number; maxReplicas: number; metrics?: Array<Record<string, unknown>> };
  const pods = (spec.metrics ?? []).find((m) => m.type === 'Pods' && get(m, 'pods.metric.name') === 'llm_hub_requests_per_second');
  return { minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, averageValue: get<string | undefined>(pods, 'pods.target.averageValue') };
}

/** The same plan as the KEDA ScaledObject carries it; the threshold "333.334" is the HPA's "333334m". */
function scaledObjectOf(objects: K8sObject[]): Hpa {
  const found = kindOf(objects, 'ScaledObject');
  if (found.length !== 1 || kindOf(objects, 'HorizontalPodAutoscaler').length !== 0) throw new Error(`expected one ScaledObject and no HPA, got: ${list(objects).join(', ')}`);
  const spec = found[0].spec as { minReplicaCount: number; maxReplicaCount: number; triggers: Array<{ type: string; metadata: { threshold?: string } }> };
  const threshold = spec.triggers.find((t) => t.type === 'prometheus')?.metadata.threshold;
  const milli = threshold === undefined ? undefined : /^(\d+)\.(\d{3})$/.exec(threshold);
  if (threshold !== undefined && !milli) throw new Error(`threshold '${threshold}' is not requests/s with three decimals`);
  return { minReplicas: spec.minReplicaCount, maxReplicas: spec.maxReplicaCount, averageValue: milli ? `${BigInt(milli[1] + milli[2])}m` : undefined };
}

function kedaArgs(c: Case): HelmArgs {
  return { set: { ...setArgs(c).set, 'autoscaling.engine': 'keda', 'autoscaling.keda.prometheus.serverAddress': 'http://prometheus.monitoring.svc:9090' } };
}

/** A Kubernetes quantity ("333334m", "15", "1.5k") as an exact fraction [numerator, denominator]. */
function quantity(text: string): [bigint, bigint] {
  const m = /^(\d+)(?:\.(\d+))?(m|k|M|G)?$/.exec(text);
  if (!m) throw new Error(`unexpected quantity '${text}'`);
  const decimals = m[2] ?? '';
  let num = BigInt(m[1] + decimals);
  let den = 10n ** BigInt(decimals.length);
  const suffix = m[3];
  if (suffix === 'm') den *= 1000n;
  else if (suffix) num *= { k: 1000n, M: 1000000n, G: 1000000000n }[suffix]!;
  return [num, den];
}

/** A decimal number (1234.5) as an exact fraction. */
function decimal(n: number): [bigint, bigint] {
  const [int, frac = ''] = String(n).split('.');
  return [BigInt(int + frac), 10n ** BigInt(frac.length)];
}

/** What the HPA wants with peakRps spread over the pods: ceil(peakRps / averageValue), exactly. */
function desiredAtPeak(peakRps: number, averageValue: string): number {
  const [pn, pd] = decimal(peakRps);
  const [an, ad] = quantity(averageValue);
  // peak / avg = (pn / pd) / (an / ad) = pn * ad / (pd * an)
  const num = pn * ad;
  const den = pd * an;
  return Number((num + den - 1n) / den);
}

function label(c: Case): string {
  return `${c.peakRps} / ${c.targetRpsPerInstance} × ${c.safetyFactor}, min ${c.minReplicas} (${c.note})`;
}

function setArgs(c: Case): HelmArgs {
  return {
    set: {
      'capacity.peakRps': c.peakRps,
      'capacity.targetRpsPerInstance': c.targetRpsPerInstance,
      'capacity.safetyFactor': c.safetyFactor,
      'capacity.minReplicas': c.minReplicas,
    },
  };
}

function valuesArgs(c: Case): HelmArgs {
  return { values: { capacity: { peakRps: c.peakRps, targetRpsPerInstance: c.targetRpsPerInstance, safetyFactor: c.safetyFactor, minReplicas: c.minReplicas } } };
}

/** The CLI's own "Helm values" line (`--set a=1 --set b=2`) as helm arguments. */
function cliSetArgs(plan: CapacityPlan): HelmArgs {
  const set: Record<string, string | number> = {};
  for (const [, key, value] of helmSetFlags(plan).matchAll(/--set ([^=\s]+)=(\S+)/g)) set[key] = Number(value);
  return { set };
}

describe('capacity: the chart and the capacity CLI agree', () => {
  const renders = new Map<string, Hpa | Error>();
  const key = (form: string, c: Case) => `${form}:${label(c)}`;

  beforeAll(async () => {
    const jobs: Array<[string, HelmArgs, (objects: K8sObject[]) => Hpa]> = [];
    for (const c of CASES) {
      jobs.push(
        [key('set', c), setArgs(c), hpaOf],
        [key('values', c), valuesArgs(c), hpaOf],
        [key('cli', c), cliSetArgs(capacityPlan(c)), hpaOf],
        [key('keda', c), kedaArgs(c), scaledObjectOf],
      );
    }
    await Promise.all(
      jobs.map(async ([name, args, extract]) => {
        try {
          renders.set(name, extract(await helmTemplateAsync(args)));
        } catch (error) {
          renders.set(name, error as Error);
        }
      }),
    );
  }, START_TIMEOUT_MS);

  function rendered(name: string): Hpa {
    const hpa = renders.get(name);
    if (hpa instanceof Error) throw hpa;
    return hpa!;
  }

  it('the defaults are the documented plan: 5000 / 500 × 1.5 → maxReplicas 15, averageValue 333334m', () => {
    const plan = capacityPlan({ peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2 });
    expect([plan.maxReplicas, plan.minReplicas, plan.podsMetric.averageValue]).toEqual([15, 2, '333334m']);
    expect(rendered(key('set', CASES[0]))).toEqual({ minReplicas: 2, maxReplicas: 15, averageValue: '333334m' });
  });

  describe.each(CASES.map((c) => [label(c), c] as const))('%s', (_label, c) => {
    const plan = capacityPlan(c);

    it.each(['set', 'values'])('HPA from %s = capacityPlan()', (form) => {
      expect(rendered(key(form, c))).toEqual({ minReplicas: plan.minReplicas, maxReplicas: plan.maxReplicas, averageValue: plan.podsMetric.averageValue });
    });

    it('the KEDA ScaledObject (autoscaling.engine=keda) = capacityPlan()', () => {
      expect(rendered(key('keda', c))).toEqual({ minReplicas: plan.minReplicas, maxReplicas: plan.maxReplicas, averageValue: plan.podsMetric.averageValue });
    });

    it("the CLI's printed --set flags make the chart compute the same plan", () => {
      expect(rendered(key('cli', c))).toEqual({ minReplicas: plan.minReplicas, maxReplicas: plan.maxReplicas, averageValue: plan.podsMetric.averageValue });
    });

    it('at peakRps the HPA asks for exactly maxReplicas (or sits at minReplicas)', () => {
      const hpa = rendered(key('set', c));
      const desired = desiredAtPeak(c.peakRps, hpa.averageValue!);
      if (hpa.maxReplicas > hpa.minReplicas) expect(desired).toBe(hpa.maxReplicas);
      else expect(desired).toBeLessThanOrEqual(hpa.minReplicas);
      // The CLI's replicasAtPeak is the same count, clamped to [minReplicas, maxReplicas] like the HPA does.
      expect(Math.min(hpa.maxReplicas, Math.max(hpa.minReplicas, desired))).toBe(plan.replicasAtPeak);
    });
  });

  it('documented limit of the contract: a plan a hair above a whole number (18323 / 121 × 2.1 = 318.0025) gets 319, the HPA asks for 318', async () => {
    const input = { peakRps: 18323, targetRpsPerInstance: 121, safetyFactor: 2.1, minReplicas: 2, note: '' };
    const plan = capacityPlan(input);
    const hpa = hpaOf(await helmTemplateAsync(setArgs(input)));
    expect(hpa).toEqual({ minReplicas: 2, maxReplicas: plan.maxReplicas, averageValue: plan.podsMetric.averageValue });
    expect(plan.maxReplicas).toBe(319);
    expect(desiredAtPeak(18323, hpa.averageValue!)).toBe(318);
  });
});

describe('capacity: bad input fails the render with a clear message, like the CLI', () => {
  const BAD: Array<[string, Partial<CapacityInput>, RegExp]> = [
    ['targetRpsPerInstance 0', { targetRpsPerInstance: 0 }, /targetRpsPerInstance/],
    ['targetRpsPerInstance -100', { targetRpsPerInstance: -100 }, /targetRpsPerInstance/],
    ['safetyFactor 0.9', { safetyFactor: 0.9 }, /safetyFactor/],
    ['safetyFactor 0', { safetyFactor: 0 }, /safetyFactor/],
    ['minReplicas 0', { minReplicas: 0 }, /minReplicas/],
    ['minReplicas 1.5', { minReplicas: 1.5 }, /minReplicas/],
    ['peakRps -1', { peakRps: -1 }, /peakRps/],
    ['peakRps 0', { peakRps: 0 }, /peakRps/],
  ];
  const base: Required<CapacityInput> = { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2 };

  const runs = new Map<string, RunResult[]>();

  beforeAll(async () => {
    await Promise.all(
      BAD.map(async ([name, change]) => {
        const input = { ...base, ...change, note: '' };
        runs.set(name, await Promise.all([helmTemplateRunAsync(setArgs(input)), helmTemplateRunAsync(valuesArgs(input))]));
      }),
    );
  }, START_TIMEOUT_MS);

  it.each(BAD)('%s', (name, change, message) => {
    expect(() => capacityPlan({ ...base, ...change })).toThrow(CapacityInputError);
    for (const out of runs.get(name)!) {
      expect(out.code === 0 ? 'rendered' : 'failed').toBe('failed');
      expect(out.stderr).toMatch(message);
      // A template `fail`, or values.schema.json: either way helm says what is wrong, not a Go panic.
      expect(out.stderr).not.toMatch(/panic|runtime error|nil pointer/);
    }
  });
});

/**
 * The chart's default memory and the CLI's in-flight plan (apps/capacity/src/in-flight-plan.ts)
 * agree: the request holds what a pod has in flight at the HPA's per-pod target with 5 s answers,
 * and the limit what the default per-provider limit admits (docs/benchmarks.md, section 7).
 */
describe('capacity: the chart memory and the in-flight plan agree', () => {
  const mib = (quantity: string) => {
    const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!m) throw new Error(`unexpected memory quantity '${quantity}'`);
    return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
  };
  let resources: { requests: { memory: string }; limits: { memory: string } };

  beforeAll(async () => {
    const objects = await helmTemplateAsync({});
    const deployment = kindOf(objects, 'Deployment').find((d) => get<string>(d, 'metadata.name').endsWith('llm-connector-hub'))!;
    resources = get(deployment, 'spec.template.spec.containers.0.resources');
  }, 120_000);

  it('the memory request holds the calls in flight at the per-pod target (5 s answers)', () => {
    const plan = capacityPlan({ peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5 });
    const atTarget = inFlightPlan({ targetRpsPerInstance: plan.podsMetric.averageValueRps, latencySeconds: 5 });
    expect(mib(resources.requests.memory)).toBeGreaterThanOrEqual(atTarget.memoryMiB);
  });

  it('the memory limit holds the default per-provider limit of calls in flight', () => {
    const full = Math.ceil(MEMORY_BASE_MIB + (DEFAULT_UPSTREAM_CONCURRENCY * MEMORY_PER_IN_FLIGHT_KIB) / 1024);
    expect(mib(resources.limits.memory)).toBeGreaterThanOrEqual(full);
  });
});
