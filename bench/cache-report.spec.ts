import { MACHINE } from './cpu';
import {
  cacheStateOf,
  cpuSecondsOf,
  cpuUsPerResponse,
  describeCacheConfig,
  describeTally,
  formatCacheHits,
  hitProblems,
  tallyCacheHeaders,
  type CacheHits,
  type MemoryHits,
  type RedisClusterHits,
} from './cache-report';
import type { LoadResult } from './load';
import { cacheTargets } from './report';

function load(reqPerSec: number, p99: number, cpuS: Record<string, number | null> = {}, responses = 1000): LoadResult {
  const latencyMs = { count: responses, mean: 1, p50: 0.5, p90: 1, p99, max: 9 };
  return { target: 'x', connections: 10, durationS: 10, overallRate: null, responses, reqPerSec, latencyMs, non2xx: 0, errors: 0, cpuS } as LoadResult;
}

const clean = { probe: { prime: 'MISS', check: 'HIT' }, upstreamCalls: 0, sample: { HIT: 20 }, cpuUsPerRequest: 30 };

function hits(ratio: number, redis: RedisClusterHits | { skipped: string }): CacheHits {
  const memory: MemoryHits = { config: { type: 'memory' }, load: load(ratio * 10_000, 4), ...clean, uncachedReqPerSec: 10_000, uncachedCpuUsPerRequest: 60, ratio };
  return { memory, redisCluster: redis };
}

/** The floor's reference run at (b)'s rate, with latencies of its own (so its row can be told apart). */
function floorRun(p99: number): LoadResult {
  const floor = load(998, p99, { bench: 0.4, fake: 0.3, floor: 0.25, [MACHINE]: 1.05 }, 10_000);
  return { ...floor, target: 'floor (Redis-hit reference)', latencyMs: { ...floor.latencyMs, p50: 0.321, p90: 0.654, max: 7.5 } };
}

const redisRun = (p99: number, floorP99 = 1): RedisClusterHits => ({
  config: { type: 'redis-cluster' },
  nodes: ['127.0.0.1:7600', '127.0.0.1:7605'],
  load: load(1000, p99),
  ...clean,
  floorReference: floorRun(floorP99),
  p99AboveFloorMs: p99 - floorP99,
});

describe('cache hit evidence', () => {
  it('tallies cache header values, a missing header as (none)', () => {
    expect(tallyCacheHeaders(['HIT', 'HIT', 'MISS', null, 'HIT'])).toEqual({ HIT: 3, MISS: 1, '(none)': 1 });
    expect(tallyCacheHeaders([])).toEqual({});
    expect(describeTally({ HIT: 19, MISS: 1 })).toBe('HIT 19, MISS 1');
    expect(describeTally({})).toBe('(none sampled)');
  });

  it('accepts a run the fake never saw and whose sample is all HITs', () => {
    expect(hitProblems('g', { upstreamCalls: 0, sample: { HIT: 20 } })).toEqual([]);
  });

  it('rejects upstream calls after priming, a sample with anything but HIT, and an empty sample', () => {
    expect(hitProblems('g', { upstreamCalls: 3, sample: { HIT: 20 } })).toEqual([expect.stringContaining('saw 3 chat request(s) after priming')]);
    expect(hitProblems('g', { upstreamCalls: 0, sample: { HIT: 19, MISS: 1 } })).toEqual([expect.stringContaining('HIT 19, MISS 1 (expected HIT only)')]);
    expect(hitProblems('g', { upstreamCalls: 0, sample: {} })).toEqual([expect.stringContaining('no requests sampled')]);
  });
});

describe('cache state in /health/ready', () => {
  it('reads the plain and the terminus shape', () => {
    expect(cacheStateOf({ status: 'ok', inFlight: 0, cache: 'degraded' })).toBe('degraded');
    const terminus = { status: 'ok', info: { cache: { type: 'redis-cluster', state: 'ok', status: 'up' } }, error: {}, details: { cache: { state: 'ok' } } };
    expect(cacheStateOf(terminus)).toBe('ok');
    expect(cacheStateOf({ status: 'error', info: {}, error: { cache: { state: 'degraded', status: 'down' } } })).toBe('degraded');
  });

  it('is undefined when the body says nothing about the cache', () => {
    expect(cacheStateOf({ status: 'ok', info: { shutdown: { status: 'up' } } })).toBeUndefined();
    expect(cacheStateOf('ok')).toBeUndefined();
    expect(cacheStateOf(null)).toBeUndefined();
  });
});

describe('cache hit CPU figures', () => {
  it('gives a process CPU per response in µs, null when unknown', () => {
    expect(cpuUsPerResponse(load(1, 1, { gateway: 0.5 }, 10_000), 'gateway')).toBeCloseTo(50, 10);
    expect(cpuUsPerResponse(load(1, 1, { gateway: null }), 'gateway')).toBeNull();
    expect(cpuUsPerResponse(load(1, 1, { gateway: 1 }, 0), 'gateway')).toBeNull();
  });

  it('adds up the redis nodes, null when one is unknown or none is there', () => {
    expect(cpuSecondsOf(load(1, 1, { 'redis 7600': 0.25, 'redis 7601': 0.5, gateway: 3, [MACHINE]: 9 }), 'redis ')).toBeCloseTo(0.75, 10);
    expect(cpuSecondsOf(load(1, 1, { 'redis 7600': 0.25, 'redis 7601': null }), 'redis ')).toBeNull();
    expect(cpuSecondsOf(load(1, 1, { gateway: 3 }), 'redis ')).toBeNull();
  });
});

describe('cache hit report', () => {
  it('shortens a node list in a cache config', () => {
    expect(describeCacheConfig({ type: 'redis-cluster', memory: { maxEntries: 0 }, redis: { nodes: ['a:1', 'b:2'] } })).toBe(
      '{"type":"redis-cluster","memory":{"maxEntries":0},"redis":{"nodes":"2 nodes"}}',
    );
  });

  it('checks memory hits against 2x the uncached req/s and Redis hits against a 2 ms p99', () => {
    const [memory, redis] = cacheTargets(hits(2.4, redisRun(1.5)), { cacheRate: 1000 });
    expect(memory).toMatchObject({ measured: 2.4, unit: 'x', pass: true });
    expect(redis).toMatchObject({ name: 'Redis Cluster cache hits: p99 at 1000 req/s', measured: 1.5, unit: 'ms', pass: true });
    expect(redis.skipped).toBeUndefined();
    const [slow, late] = cacheTargets(hits(1.99, redisRun(2)), { cacheRate: 1000 });
    expect(slow.pass).toBe(false);
    expect(late.pass).toBe(false);
  });

  it('keeps the Redis target on the absolute p99, however close the floor reference came', () => {
    const [, redis] = cacheTargets(hits(2.4, redisRun(2.5, 2.4)), { cacheRate: 1000 });
    expect(redis).toMatchObject({ measured: 2.5, pass: false });
    const [, clean] = cacheTargets(hits(2.4, redisRun(1.9, 0.2)), { cacheRate: 1000 });
    expect(clean).toMatchObject({ measured: 1.9, pass: true });
  });

  it('prints the floor reference under the Redis-hit row, the p99 difference and the floor run CPU', () => {
    const text = formatCacheHits(hits(2.4, redisRun(2.5, 1.25)), load(10_000, 9));
    const lines = text.split('\n');
    const redisRow = lines.findIndex((line) => line.startsWith('gateway, Redis Cluster hits'));
    expect(lines[redisRow]).toMatch(/^gateway, Redis Cluster hits\s+1000\s+1000\s+0\.500\s+1\.000\s+2\.500\s+9\.000$/);
    expect(lines[redisRow + 1]).toMatch(/^floor, same load \(reference\)\s+998\s+10000\s+0\.321\s+0\.654\s+1\.250\s+7\.500$/);
    expect(lines[redisRow + 2]).toMatch(/^gateway p99 minus floor p99: 1\.250 ms \(/);
    expect(text).toContain('CPU during the floor run: floor 0.25 s (25.0 us/request), fake 0.30 s, bench (autocannon) 0.40 s, anything else 0.10 s');
  });

  it('prints a negative difference when the floor came out slower', () => {
    expect(formatCacheHits(hits(2.4, redisRun(1.5, 2)), load(10_000, 9))).toContain('gateway p99 minus floor p99: -0.500 ms');
  });

  it('marks the Redis target skipped (not passed) when that run did not happen, and says why', () => {
    const skipped = hits(2.4, { skipped: 'redis-server not found on PATH' });
    const [, redis] = cacheTargets(skipped, { cacheRate: 1000 });
    expect(redis).toMatchObject({ pass: false, skipped: 'redis-server not found on PATH' });
    expect(formatCacheHits(skipped, load(10_000, 9))).toContain('(b) Redis Cluster hits: SKIPPED: redis-server not found on PATH');
  });
});
