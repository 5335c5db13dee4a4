import type { ConstantArrivalRate, RampingArrivalRate, RampingVus } from '../scenarios/scenario';
import { arrivalTimes, maxVus, scheduleMs, vuSteps } from './schedule';

describe('VU executors', () => {
  it('constant-vus: all VUs from the start, for the duration', () => {
    const executor = { executor: 'constant-vus', vus: 5, duration: '30s' } as const;
    expect(vuSteps(executor)).toEqual([{ atMs: 0, vus: 5 }]);
    expect(scheduleMs(executor)).toBe(30_000);
    expect(maxVus(executor)).toBe(5);
  });

  it('ramping-vus: one VU at a time, linearly, reaching each target at the end of its stage', () => {
    const executor: RampingVus = { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '4s', target: 4 }, { duration: '10s', target: 4 }, { duration: '2s', target: 0 }] };
    expect(vuSteps(executor)).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 1000, vus: 1 },
      { atMs: 2000, vus: 2 },
      { atMs: 3000, vus: 3 },
      { atMs: 4000, vus: 4 },
      { atMs: 14_500, vus: 3 },
      { atMs: 15_000, vus: 2 },
      { atMs: 15_500, vus: 1 },
      { atMs: 16_000, vus: 0 },
    ]);
    expect(scheduleMs(executor)).toBe(16_000);
    expect(maxVus(executor)).toBe(4);
  });

  it("ramping-vus: k6's default of 1 start VU, and a 0s stage jumps at once", () => {
    const executor: RampingVus = { executor: 'ramping-vus', stages: [{ duration: '0s', target: 10 }, { duration: '1m', target: 10 }] };
    expect(vuSteps(executor)).toEqual([{ atMs: 0, vus: 10 }]);
    expect(maxVus(executor)).toBe(10);
  });
});

describe('arrival-rate executors', () => {
  it('constant-arrival-rate: evenly spaced starts, the first at 0, none at the end', () => {
    const executor: ConstantArrivalRate = { executor: 'constant-arrival-rate', rate: 4, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 8 };
    expect([...arrivalTimes(executor)]).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
    expect(maxVus(executor)).toBe(8);
  });

  it('constant-arrival-rate: the rate is per timeUnit (30 per minute is one every 2 s)', () => {
    const executor: ConstantArrivalRate = { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '10s', preAllocatedVUs: 1 };
    expect([...arrivalTimes(executor)]).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('ramping-arrival-rate: a linear ramp starts the integral of the rate (0 to 10/s over 10 s is 50 starts, denser at the end)', () => {
    const executor: RampingArrivalRate = { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 1, stages: [{ duration: '10s', target: 10 }] };
    const times = [...arrivalTimes(executor)];
    expect(times).toHaveLength(50);
    // Arrivals by time t under a rate rising by 1/s each second: t^2 / 2. The k-th comes at sqrt(2k).
    times.forEach((t, k) => expect(t).toBeCloseTo(1000 * Math.sqrt(2 * k), 6));
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
  });

  it('ramping-arrival-rate: stages chain (ramp up, hold, ramp down) with the total of each stage', () => {
    const executor: RampingArrivalRate = {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      preAllocatedVUs: 1,
      stages: [
        { duration: '2s', target: 10 },
        { duration: '3s', target: 10 },
        { duration: '2s', target: 0 },
      ],
    };
    const times = [...arrivalTimes(executor)];
    const within = (from: number, to: number) => times.filter((t) => t >= from && t < to).length;
    expect(within(0, 2000)).toBe(10);
    expect(within(2000, 5000)).toBe(30);
    expect(within(5000, 7000)).toBe(10);
    expect(times).toHaveLength(50);
    expect(scheduleMs(executor)).toBe(7000);
  });

  it('is lazy: an hour at 1,000/s is not built up front', () => {
    const executor: ConstantArrivalRate = { executor: 'constant-arrival-rate', rate: 1000, duration: '1h', preAllocatedVUs: 1 };
    const iterator = arrivalTimes(executor);
    expect(iterator.next().value).toBe(0);
    expect(iterator.next().value).toBe(1);
  });
});
