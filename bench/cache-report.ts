/**
 * Section 5's figures: the gateway answering from its response cache. (a) in-process memory hits
 * at full concurrency, against the uncached gateway of section 1; (b) hits served from a Redis
 * Cluster (in-process tier off) at a fixed rate, next to the floor forwarder at the same rate.
 */
import { otherCpuSeconds } from './cpu';
import type { LoadResult } from './load';
import { ms, table } from './table';

/** Response header with what the cache did: HIT, MISS or BYPASS. */
export const CACHE_HEADER = 'x-llm-hub-cache';

/** Memory hits must give at least this many times the uncached gateway's req/s. */
export const MEMORY_HIT_RATIO_GOAL = 2;
/** p99 of Redis Cluster hits at the fixed rate must stay under this, in ms. */
export const REDIS_HIT_P99_GOAL_MS = 2;

/** Target name of (b)'s floor reference run, distinct from section 2's floor in load problems. */
export const FLOOR_REFERENCE = 'floor (Redis-hit reference)';

/** The cache header of the priming request and of the request right after it (which must be a HIT). */
export interface CacheProbe {
  prime: string | null;
  check: string | null;
}

/** The evidence that a hit run measured hits only. */
export interface HitEvidence {
  /** Chat requests the fake provider saw after the check request (warm-up, run and sample): 0 when every answer came from the cache. */
  upstreamCalls: number;
  /** Cache header values of plain requests sent one by one after the run, e.g. `{ HIT: 20 }`; `(none)` for a missing header. */
  sample: Record<string, number>;
}

interface HitRunBase extends HitEvidence {
  /** The gateway's config `cache:` section. */
  config: Record<string, unknown>;
  probe: CacheProbe;
  load: LoadResult;
  /** The gateway's own CPU per response in the measured run, in µs; null when /proc is not readable. */
  cpuUsPerRequest: number | null;
}

export interface MemoryHits extends HitRunBase {
  /** req/s of the uncached gateway in section 1 (same connections and duration). */
  uncachedReqPerSec: number;
  /** The uncached gateway's CPU per response in section 1, in µs. */
  uncachedCpuUsPerRequest: number | null;
  /** Memory-hit req/s / uncached req/s. */
  ratio: number;
}

export interface RedisClusterHits extends HitRunBase {
  nodes: string[];
  /**
   * The floor forwarder with the same warm-up and fixed-rate run, right after (b)'s gateway and
   * cluster stopped: one HTTP hop at that rate on this machine. For reading a missed p99 only;
   * the target is `load`'s own p99.
   */
  floorReference: LoadResult;
  /** p99 of the Redis-hit run minus p99 of `floorReference`, in ms. */
  p99AboveFloorMs: number;
}

export interface CacheHits {
  memory: MemoryHits;
  /** Why (b) did not run, e.g. no redis-server on PATH; or its figures. */
  redisCluster: RedisClusterHits | { skipped: string };
}

export function isSkipped(x: CacheHits['redisCluster']): x is { skipped: string } {
  return 'skipped' in x;
}

/**
 * The cache's state in a `/health/ready` body: `{ cache: 'ok' }` before the gateway used
 * terminus, `{ info: { cache: { state: 'ok' } } }` (or under `details`, or `error` when down)
 * since. Undefined when the body says nothing about the cache.
 */
export function cacheStateOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.cache === 'string') return record.cache;
  for (const section of ['info', 'details', 'error']) {
    const cache = (record[section] as Record<string, unknown> | undefined)?.cache as Record<string, unknown> | undefined;
    if (typeof cache?.state === 'string') return cache.state;
  }
  return undefined;
}

/** How often each value of the cache header came back; `(none)` where the header was missing. */
export function tallyCacheHeaders(values: ReadonlyArray<string | null>): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const value of values) {
    const key = value ?? '(none)';
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

/** Why a hit run cannot be trusted as a measurement of hits only; empty when clean. */
export function hitProblems(label: string, evidence: HitEvidence): string[] {
  const problems: string[] = [];
  if (evidence.upstreamCalls !== 0) {
    problems.push(`${label}: the fake provider saw ${evidence.upstreamCalls} chat request(s) after priming, so not every answer was a cache hit`);
  }
  const others = Object.entries(evidence.sample).filter(([value]) => value !== 'HIT');
  const total = Object.values(evidence.sample).reduce((sum, n) => sum + n, 0);
  if (total === 0) problems.push(`${label}: no requests sampled after the run`);
  else if (others.length > 0) problems.push(`${label}: ${CACHE_HEADER} of the requests sampled after the run: ${describeTally(evidence.sample)} (expected HIT only)`);
  return problems;
}

/** CPU per response of one process in a run, in µs; null when unknown. */
export function cpuUsPerResponse(load: LoadResult, process: string): number | null {
  const seconds = load.cpuS?.[process];
  return seconds == null || load.responses === 0 ? null : (seconds * 1e6) / load.responses;
}

/** Sum of the CPU seconds of the processes whose names start with `prefix`; null when any is unknown or none is there. */
export function cpuSecondsOf(load: LoadResult, prefix: string): number | null {
  const values = Object.entries(load.cpuS ?? {}).filter(([name]) => name.startsWith(prefix));
  if (values.length === 0 || values.some(([, value]) => value === null)) return null;
  return values.reduce((sum, [, value]) => sum + value!, 0);
}

export function describeTally(tally: Record<string, number>): string {
  const entries = Object.entries(tally);
  return entries.length === 0 ? '(none sampled)' : entries.map(([value, n]) => `${value} ${n}`).join(', ');
}

/** A `cache:` section on one line, with a node list shortened to its count. */
export function describeCacheConfig(config: Record<string, unknown>): string {
  return JSON.stringify(config, (key, value: unknown) => (key === 'nodes' && Array.isArray(value) ? `${value.length} nodes` : value));
}

const seconds = (value: number | null | undefined): string => (value == null ? 'n/a' : value.toFixed(2));
const us = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(1));

function evidenceLine(x: HitRunBase): string {
  return (
    `  primed: first answer ${x.probe.prime ?? '(no header)'}, next ${x.probe.check ?? '(no header)'}; ` +
    `after priming the fake saw ${x.upstreamCalls} chat request(s); ` +
    `${CACHE_HEADER} of ${Object.values(x.sample).reduce((a, b) => a + b, 0)} requests after the run: ${describeTally(x.sample)}; ` +
    `non-2xx ${x.load.non2xx}, errors ${x.load.errors}`
  );
}

/** The floor reference's CPU, in the words of the Redis-hit run's line above it. */
function floorCpuLine(floor: LoadResult): string {
  return (
    `CPU during the floor run: floor ${seconds(floor.cpuS?.floor)} s (${us(cpuUsPerResponse(floor, 'floor'))} us/request), fake ${seconds(floor.cpuS?.fake)} s, ` +
    `bench (autocannon) ${seconds(floor.cpuS?.bench)} s, anything else ${seconds(otherCpuSeconds(floor.cpuS))} s`
  );
}

export function formatCacheHits(r: CacheHits, uncached: LoadResult): string {
  const loadHeader = ['target', 'req/s', 'responses', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  const loadRow = (label: string, x: LoadResult) => [
    label,
    x.reqPerSec.toFixed(0),
    String(x.responses),
    ms(x.latencyMs.p50),
    ms(x.latencyMs.p90),
    ms(x.latencyMs.p99),
    ms(x.latencyMs.max),
  ];
  const m = r.memory;
  const out: string[] = [];
  out.push('5. Cache hits (every other section runs its gateways with cache: { type: none })');
  out.push(`(a) in-process memory hits: cache: ${describeCacheConfig(m.config)}, ${m.load.connections} connections, ${m.load.durationS} s`);
  out.push(table(loadHeader, [loadRow('gateway, uncached (section 1)', uncached), loadRow('gateway, memory hits', m.load)]));
  out.push(`ratio memory hits / uncached (req/s): ${m.ratio.toFixed(2)} (goal >= ${MEMORY_HIT_RATIO_GOAL.toFixed(2)})`);
  out.push(
    `gateway CPU per request: uncached ${us(m.uncachedCpuUsPerRequest)} us, memory hits ${us(m.cpuUsPerRequest)} us; ` +
      `during the hit run: bench (autocannon) ${seconds(m.load.cpuS?.bench)} s, gateway ${seconds(m.load.cpuS?.gateway)} s, anything else ${seconds(otherCpuSeconds(m.load.cpuS))} s`,
  );
  out.push(evidenceLine(m));
  const rc = r.redisCluster;
  if (isSkipped(rc)) {
    out.push(`(b) Redis Cluster hits: SKIPPED: ${rc.skipped}`);
  } else {
    out.push(
      `(b) Redis Cluster hits: ${rc.nodes.length} nodes ${rc.nodes[0]}..${rc.nodes[rc.nodes.length - 1]} (3 masters + 3 replicas), cache: ${describeCacheConfig(rc.config)}; ` +
        `${rc.load.overallRate} req/s over ${rc.load.connections} connections (autocannon overallRate), ${rc.load.durationS} s`,
    );
    out.push(table(loadHeader, [loadRow('gateway, Redis Cluster hits', rc.load), loadRow('floor, same load (reference)', rc.floorReference)]));
    out.push(
      `gateway p99 minus floor p99: ${ms(rc.p99AboveFloorMs)} ms ` +
        `(the floor: one HTTP hop to the fake at the same rate on this machine, run after the cluster stopped; the target is on the gateway's own p99)`,
    );
    out.push(
      `CPU during the run: gateway ${seconds(rc.load.cpuS?.gateway)} s (${us(rc.cpuUsPerRequest)} us/request), redis (6 nodes) ${seconds(cpuSecondsOf(rc.load, 'redis '))} s, ` +
        `bench (autocannon) ${seconds(rc.load.cpuS?.bench)} s, anything else ${seconds(otherCpuSeconds(rc.load.cpuS))} s`,
    );
    out.push(floorCpuLine(rc.floorReference));
    out.push(evidenceLine(rc));
  }
  return out.join('\n');
}
