import { atCpuLimit, efficiencies, gateStep, meetsGate, millicores, type StepMeasurement } from './efficiency';

const step = (replicas: number, rps: number): StepMeasurement => ({ replicas, rps, p95Ms: 500, errorRate: 0, cacheHitRate: 0.5, cpuMillicoresPerPod: 100 });

describe('scaling efficiency', () => {
  it('is RPS(n) / (n x RPS(1)): linear scaling is 100 %, less than linear is below', () => {
    const results = efficiencies([step(1, 100), step(2, 200), step(4, 380), step(8, 640)]);
    expect(results.map((r) => r.idealRps)).toEqual([100, 200, 400, 800]);
    expect(results.map((r) => r.efficiency)).toEqual([1, 1, 0.95, 0.8]);
  });

  it('takes the first step as the baseline when it is not 1 replica', () => {
    const results = efficiencies([step(2, 150), step(4, 300), step(8, 540)]);
    expect(results.map((r) => r.idealRps)).toEqual([150, 300, 600]);
    expect(results.map((r) => r.efficiency)).toEqual([1, 1, 0.9]);
  });

  it('refuses a baseline that answered nothing', () => {
    expect(() => efficiencies([step(1, 0), step(2, 10)])).toThrow(/first step \(1 replicas\) answered no requests/);
    expect(efficiencies([])).toEqual([]);
  });

  it('gates on the largest replica count, at or above the gate', () => {
    const results = efficiencies([step(1, 100), step(2, 150), step(8, 760)]);
    expect(gateStep(results)?.replicas).toBe(8);
    expect(meetsGate(results, 0.95)).toBe(true);
    expect(meetsGate(results, 0.96)).toBe(false);
    expect(meetsGate([], 0.5)).toBe(false);
  });

  it('reads CPU quantities as millicores, and tells a step whose pods stayed below their limit', () => {
    expect(['100m', '0.5', '2', '250m', '1.5Gi', ''].map(millicores)).toEqual([100, 500, 2000, 250, undefined, undefined]);
    expect(atCpuLimit(95, 100)).toBe(true);
    expect(atCpuLimit(80, 100)).toBe(true);
    expect(atCpuLimit(50, 100)).toBe(false);
    expect(atCpuLimit(null, 100)).toBeUndefined();
    expect(atCpuLimit(90, undefined)).toBeUndefined();
  });
});
