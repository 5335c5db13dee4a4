import type { LoadResult } from './load';
import { median, resilienceCost, runOrder, type ResilienceRun, type ResilienceVariant } from './resilience-report';

function run(variant: ResilienceVariant, order: number, reqPerSec: number, cpuUsPerRequest: number | null): ResilienceRun {
  const latencyMs = { count: 1, mean: 1, p50: 1, p90: 2, p99: 3, max: 4 };
  return { variant, order, cpuUsPerRequest, load: { reqPerSec, latencyMs } as LoadResult };
}

describe('resilience cost', () => {
  it('alternates off/on and flips the order every round', () => {
    expect(runOrder(2)).toEqual(['off', 'on', 'on', 'off']);
    expect(runOrder(3)).toEqual(['off', 'on', 'on', 'off', 'off', 'on']);
  });

  it('takes the median, the mean of the middle two for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('gives the req/s cost and the added CPU per request from the medians', () => {
    const r = resilienceCost({
      connections: 50,
      durationS: 10,
      rounds: 2,
      nodeArgs: [],
      attemptsFor503: { off: 1, on: 3 },
      runs: [run('off', 1, 20_000, 50), run('on', 2, 19_000, 54), run('on', 3, 19_400, 53), run('off', 4, 20_400, 49)],
    });
    expect(r.off.reqPerSec).toBe(20_200);
    expect(r.on.reqPerSec).toBe(19_200);
    expect(r.cost).toBeCloseTo(1 - 19_200 / 20_200, 10);
    expect(r.cpuUsPerRequestAdded).toBeCloseTo(4, 10);
  });

  it('has no CPU figure when a run could not read it', () => {
    const r = resilienceCost({ connections: 50, durationS: 10, rounds: 1, nodeArgs: [], attemptsFor503: { off: 1, on: 3 }, runs: [run('off', 1, 100, null), run('on', 2, 90, 5)] });
    expect(r.cpuUsPerRequestAdded).toBeNull();
  });
});
