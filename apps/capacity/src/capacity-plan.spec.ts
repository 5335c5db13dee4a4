import { capacityPlan, CapacityInputError, type CapacityInput, type CapacityPlan } from './capacity-plan';

/** A small seeded PRNG (mulberry32), so a failing random case can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The milli-quantity as req/s: "333334m" → 333.334. */
function milliToRps(quantity: string): number {
  expect(quantity).toMatch(/^[1-9][0-9]*m$/);
  return Number(quantity.slice(0, -1)) / 1000;
}

/** What the HPA asks for when the pods together see `rps`: ceil(total / per-pod target). */
function hpaDesired(plan: CapacityPlan, rps: number): number {
  const milli = Number(plan.podsMetric.averageValue.slice(0, -1));
  // peak × 1000 / milli rather than peak / (milli / 1000): the same number without a second
  // rounding (5000 / 333.334 is fine, 10992 / 732.8 is 15.000000000000002).
  return Math.ceil((rps * 1000) / milli - 1e-9);
}

describe('capacityPlan', () => {
  it.each<[string, CapacityInput, { instances: number; maxReplicas: number; minReplicas: number; averageValue: string }]>([
    ['the reference case', { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2 }, { instances: 15, maxReplicas: 15, minReplicas: 2, averageValue: '333334m' }],
    ['minReplicas defaults to 2', { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5 }, { instances: 15, maxReplicas: 15, minReplicas: 2, averageValue: '333334m' }],
    ['float noise does not add a replica (1000 × 1.2 / 300 = 4.000000000000001)', { peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.2, minReplicas: 2 }, { instances: 4, maxReplicas: 4, minReplicas: 2, averageValue: '250000m' }],
    ['a fraction of a replica rounds up', { peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.5, minReplicas: 2 }, { instances: 5, maxReplicas: 5, minReplicas: 2, averageValue: '200000m' }],
    ['fractional instances', { peakRps: 1234, targetRpsPerInstance: 200, safetyFactor: 1.3, minReplicas: 1 }, { instances: 8.021, maxReplicas: 9, minReplicas: 1, averageValue: '153847m' }],
    ['a tiny peak gets minReplicas', { peakRps: 1, targetRpsPerInstance: 1000, safetyFactor: 1.5, minReplicas: 2 }, { instances: 0.0015, maxReplicas: 2, minReplicas: 2, averageValue: '666667m' }],
    ['minReplicas above the need wins', { peakRps: 900, targetRpsPerInstance: 500, safetyFactor: 1, minReplicas: 3 }, { instances: 1.8, maxReplicas: 3, minReplicas: 3, averageValue: '500000m' }],
    ['safety 1 is no headroom', { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1, minReplicas: 2 }, { instances: 10, maxReplicas: 10, minReplicas: 2, averageValue: '500000m' }],
    ['fractional rates', { peakRps: 12.5, targetRpsPerInstance: 2.5, safetyFactor: 2, minReplicas: 1 }, { instances: 10, maxReplicas: 10, minReplicas: 1, averageValue: '1250m' }],
    ['a per-pod target below 1m rounds up to 1m', { peakRps: 1, targetRpsPerInstance: 0.0001, safetyFactor: 1, minReplicas: 1 }, { instances: 10000, maxReplicas: 10000, minReplicas: 1, averageValue: '1m' }],
  ])('%s', (_name, input, expected) => {
    const plan = capacityPlan(input);
    expect(plan.instances).toBeCloseTo(expected.instances, 9);
    expect(plan.maxReplicas).toBe(expected.maxReplicas);
    expect(plan.minReplicas).toBe(expected.minReplicas);
    expect(plan.podsMetric).toEqual({
      name: 'llm_hub_requests_per_second',
      averageValue: expected.averageValue,
      averageValueRps: milliToRps(expected.averageValue),
    });
  });

  it('keeps instances exact (not rounded) and echoes its inputs', () => {
    const plan = capacityPlan({ peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.3 });
    expect(plan.instances).toBe((1000 / 300) * 1.3);
    expect(plan).toMatchObject({ peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.3, maxReplicas: 5, minReplicas: 2, replicasAtPeak: 5 });
  });

  it.each<[string, Partial<CapacityInput>, RegExp]>([
    ['target 0', { targetRpsPerInstance: 0 }, /targetRpsPerInstance must be a number > 0 \(got 0\)/],
    ['negative target', { targetRpsPerInstance: -5 }, /targetRpsPerInstance must be a number > 0 \(got -5\)/],
    ['peak 0', { peakRps: 0 }, /peakRps must be a number > 0 \(got 0\)/],
    ['negative peak', { peakRps: -1 }, /peakRps must be a number > 0/],
    ['NaN peak', { peakRps: NaN }, /peakRps must be a number > 0 \(got NaN\)/],
    ['infinite target', { targetRpsPerInstance: Infinity }, /targetRpsPerInstance must be a number > 0/],
    ['safety below 1', { safetyFactor: 0.9 }, /safetyFactor must be a number ≥ 1 \(got 0.9\)/],
    ['minReplicas 0', { minReplicas: 0 }, /minReplicas must be a whole number ≥ 1 \(got 0\)/],
    ['fractional minReplicas', { minReplicas: 1.5 }, /minReplicas must be a whole number ≥ 1 \(got 1.5\)/],
  ])('rejects %s with a message naming the field', (_name, override, message) => {
    const input = { peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2, ...override };
    expect(() => capacityPlan(input)).toThrow(CapacityInputError);
    expect(() => capacityPlan(input)).toThrow(message);
  });

  it('reports every bad field at once', () => {
    try {
      capacityPlan({ peakRps: 0, targetRpsPerInstance: 0, safetyFactor: 0.5, minReplicas: 0 });
      throw new Error('expected a CapacityInputError');
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityInputError);
      expect((error as CapacityInputError).problems.map((p) => p.field)).toEqual(['peakRps', 'targetRpsPerInstance', 'safetyFactor', 'minReplicas']);
    }
  });

  describe('the HPA at peak load (desired = ceil(peak / averageValue))', () => {
    const random = prng(20261129);
    const between = (lo: number, hi: number) => lo + random() * (hi - lo);
    const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
    const inputs: CapacityInput[] = [];
    for (let i = 0; i < 5000; i++) {
      inputs.push({ peakRps: int(1, 100_000), targetRpsPerInstance: int(1, 2000), safetyFactor: int(100, 300) / 100, minReplicas: int(1, 5) });
      inputs.push({ peakRps: between(0.5, 20_000), targetRpsPerInstance: between(0.5, 1000), safetyFactor: between(1, 3), minReplicas: int(1, 5) });
    }

    it('asks for maxReplicas when instances is a whole number (the usual plan: 5000 / 500 × 1.5)', () => {
      let checked = 0;
      for (let i = 0; i < 5000; i++) {
        const targetRpsPerInstance = int(1, 2000);
        const safetyFactor = int(100, 300) / 100;
        const wanted = int(1, 1000);
        const peakRps = (wanted * targetRpsPerInstance) / safetyFactor; // instances = wanted (up to float noise)
        const plan = capacityPlan({ peakRps, targetRpsPerInstance, safetyFactor, minReplicas: int(1, 5) });
        if (plan.maxReplicas <= plan.minReplicas) continue;
        // Rounding averageValue up to whole milli-requests lowers peak / averageValue by less than
        // instances / milli, i.e. by less than one replica while maxReplicas ≤ milli (1000
        // replicas at a 1 req/s per-pod target). Below that the plan itself is unrealistic.
        if (plan.maxReplicas > Number(plan.podsMetric.averageValue.slice(0, -1))) continue;
        checked++;
        expect({ peakRps, targetRpsPerInstance, safetyFactor, maxReplicas: plan.maxReplicas }).toEqual({ peakRps, targetRpsPerInstance, safetyFactor, maxReplicas: wanted });
        expect({ peakRps, targetRpsPerInstance, safetyFactor, desired: hpaDesired(plan, peakRps) }).toEqual({ peakRps, targetRpsPerInstance, safetyFactor, desired: plan.maxReplicas });
      }
      expect(checked).toBeGreaterThan(4000);
    });

    it('asks for maxReplicas whenever instances is above a whole number by more than the 1m rounding of averageValue', () => {
      let checked = 0;
      for (const input of inputs) {
        const plan = capacityPlan(input);
        if (plan.maxReplicas <= plan.minReplicas) continue;
        const exactMilli = (input.targetRpsPerInstance / input.safetyFactor) * 1000;
        const roundedMilli = Number(plan.podsMetric.averageValue.slice(0, -1));
        // peak / averageValue = instances × exactMilli / roundedMilli: rounding averageValue up
        // lowers the HPA's count by at most instances × (1 − exactMilli / roundedMilli).
        const shortfall = plan.instances * (1 - exactMilli / roundedMilli);
        const aboveWhole = plan.instances - Math.floor(plan.instances + 1e-9);
        if (aboveWhole > 1e-9 && aboveWhole <= shortfall + 1e-9) continue;
        checked++;
        expect({ ...input, desired: hpaDesired(plan, input.peakRps) }).toEqual({ ...input, desired: plan.maxReplicas });
        expect(plan.replicasAtPeak).toBe(plan.maxReplicas);
      }
      expect(checked).toBeGreaterThan(9000);
    });

    it('never asks for more than maxReplicas, and at most one fewer while maxReplicas ≤ averageValue in milli', () => {
      let short = 0;
      let checked = 0;
      for (const input of inputs) {
        const plan = capacityPlan(input);
        const desired = hpaDesired(plan, input.peakRps);
        expect({ ...input, desiredAtMost: desired <= plan.maxReplicas }).toEqual({ ...input, desiredAtMost: true });
        if (plan.maxReplicas <= plan.minReplicas) continue;
        if (plan.maxReplicas > Number(plan.podsMetric.averageValue.slice(0, -1))) continue; // see above
        checked++;
        expect({ ...input, desiredAtLeast: desired >= plan.maxReplicas - 1 }).toEqual({ ...input, desiredAtLeast: true });
        expect(plan.replicasAtPeak).toBe(desired);
        if (desired < plan.maxReplicas) short++;
      }
      // The one-short cases exist, and are rare (a hair above a whole number of instances).
      expect(checked).toBeGreaterThan(9000);
      expect(short).toBeGreaterThan(0);
      expect(short).toBeLessThan(checked / 50);
    });

    it('is one replica short when instances is a hair above a whole number (18323 / 121 × 2.1 = 318.0025)', () => {
      const plan = capacityPlan({ peakRps: 18323, targetRpsPerInstance: 121, safetyFactor: 2.1, minReplicas: 2 });
      expect(plan.maxReplicas).toBe(319);
      expect(plan.podsMetric.averageValue).toBe('57620m'); // 57.6190… rounded up
      expect(hpaDesired(plan, 18323)).toBe(318);
      expect(plan.replicasAtPeak).toBe(318);
    });
  });
});
