import { MACHINE } from './cpu';
import type { FirstChunkResult } from './first-chunk';
import type { LoadResult } from './load';
import { otherLoadWarnings, streamsIncrementally, type BenchResults } from './report';

function spaced(firstP50: number, totalP50: number): FirstChunkResult {
  const summary = (v: number) => ({ count: 5, mean: v, p50: v, p90: v, p99: v, max: v });
  return { target: 'gateway', requests: 5, firstChunkMs: summary(firstP50), totalMs: summary(totalP50) };
}

describe('streamsIncrementally', () => {
  it('accepts a first chunk that comes well before the end of a spaced stream', () => {
    expect(streamsIncrementally(spaced(1.5, 160))).toBe(true);
  });

  it('rejects a first chunk that comes with the end (a buffering proxy)', () => {
    expect(streamsIncrementally(spaced(158, 160))).toBe(false);
  });
});

describe('otherLoadWarnings', () => {
  /** A 10 s run on 2 cores during which the bench and the gateway used `own` CPU s and the machine `machine` CPU s. */
  const run = (own: number, machine: number): LoadResult =>
    ({ target: 'x', durationS: 10, responses: 1000, cpuS: { bench: own / 2, gateway: own / 2, [MACHINE]: machine } }) as unknown as LoadResult;
  const quiet = run(10, 10.5);
  const results = (floorReference: LoadResult): BenchResults =>
    ({
      machine: { cpus: 2 },
      throughput: { floor: quiet, gateway: quiet },
      fixedRate: { floor: quiet, gateway: quiet },
      cache: { memory: { load: quiet }, redisCluster: { load: quiet, floorReference } },
    }) as unknown as BenchResults;

  it('says nothing when other processes stayed under a tenth of the cores', () => {
    expect(otherLoadWarnings(results(run(10, 11.9)))).toEqual([]);
  });

  it('flags the Redis-hit floor reference when other processes used the cores during it', () => {
    expect(otherLoadWarnings(results(run(10, 14)))).toEqual(['', 'WARNING: other processes used 4.0 of 20 CPU s during Redis-hit floor reference: its figures are not trustworthy']);
  });
});
