import { MACHINE } from './cpu';
import type { FirstChunkResult } from './first-chunk';
import type { LoadResult } from './load';
import { checkTargets, formatReport, otherLoadWarnings, streamsIncrementally, type BenchResults, type Measurements } from './report';

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

describe('a run of some sections (BENCH_SECTIONS)', () => {
  const summary = (v: number) => ({ count: 50, mean: v, p50: v, p90: v, p99: v, max: v });
  const first = (target: string, v: number): FirstChunkResult => ({ target, requests: 50, firstChunkMs: summary(v), totalMs: summary(v * 100) });
  const onlyStreaming = {
    date: '2026-12-07T00:00:00.000Z',
    node: 'v24',
    machine: { cpus: 2, cpuModel: 'x', platform: 'linux x64' },
    settings: { streamRequests: 50, streamWarmup: 10 },
    gatewayNodeArgs: [],
    throughput: null,
    fixedRate: null,
    firstChunk: { floor: first('floor', 1), gateway: first('gateway', 1.5), addedP50Ms: 0.5, addedP99Ms: 0.5, spaced: { directive: 'd', floor: first('floor', 1), gateway: first('gateway', 1.5) } },
    resilience: null,
    cache: null,
    observability: null,
    latency: null,
  } as unknown as Measurements;

  it('checks and reports only the sections that ran', () => {
    const targets = checkTargets(onlyStreaming);
    expect(targets.map((t) => [t.name, t.pass])).toEqual([['added p99 time to first chunk', true]]);
    const report = formatReport({ ...onlyStreaming, targets, problems: [] });
    expect(report).toContain('3. Streaming time to first data');
    expect(report).not.toMatch(/^1\. |^2\. /m);
    expect(otherLoadWarnings({ ...onlyStreaming, targets, problems: [] })).toEqual([]);
  });
});
