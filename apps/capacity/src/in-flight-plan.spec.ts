import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';
import { inFlightPlan, MEMORY_BASE_MIB, MEMORY_PER_IN_FLIGHT_KIB } from './in-flight-plan';

describe('inFlightPlan', () => {
  it('holds rate × latency calls in flight per replica, and the memory they take', () => {
    const plan = inFlightPlan({ targetRpsPerInstance: 500, latencySeconds: 5 });
    expect(plan.inFlightPerPod).toBe(2500);
    expect(plan.memoryMiB).toBe(Math.ceil(MEMORY_BASE_MIB + (2500 * MEMORY_PER_IN_FLIGHT_KIB) / 1024));
    expect(plan.http1Sockets).toBe(5000);
    expect(plan.overPerProviderLimit).toBe(false);
  });

  it('says when one provider serving it all would pass the default per-provider limit', () => {
    const plan = inFlightPlan({ targetRpsPerInstance: 500, latencySeconds: 30 });
    expect(plan.inFlightPerPod).toBe(15_000);
    expect(plan.perProviderLimit).toBe(DEFAULT_UPSTREAM_CONCURRENCY);
    expect(plan.overPerProviderLimit).toBe(true);
  });

  it('does not round 0.1 × 3 up to a fourth call', () => {
    expect(inFlightPlan({ targetRpsPerInstance: 3, latencySeconds: 0.1 }).inFlightPerPod).toBe(1);
    expect(inFlightPlan({ targetRpsPerInstance: 30, latencySeconds: 0.1 }).inFlightPerPod).toBe(3);
  });
});
