/**
 * Section 5 of `make bench`: the gateway answering from its response cache.
 *
 * (a) A fresh gateway with `cache: { type: memory }`. One request primes it (a MISS that goes to
 *     the fake), the next must come back `x-llm-hub-cache: HIT`; then a warm-up and the same
 *     throughput run as section 1. The figure is its req/s over the uncached gateway's.
 * (b) A six-node Redis Cluster (scripts/redis-cluster.sh) and a fresh gateway with
 *     `cache: { type: redis-cluster, memory: { maxEntries: 0 } }`, so every hit is a Redis GET.
 *     Primed and checked the same way, then a warm-up and a fixed-rate run (autocannon
 *     overallRate). Skipped when redis-server or redis-cli is not installed.
 *     Then, with that gateway and the cluster stopped, the floor forwarder (running since section
 *     1) gets the same warm-up and run: the p99 of any one-hop round trip at that rate on this
 *     machine, so that a missed p99 target can be told apart from a slow or noisy machine. The
 *     target itself stays the Redis-hit run's absolute p99.
 *
 * That each run measured hits only is checked, not assumed: the fake must see no chat request
 * after the check request (warm-up, run and sample included), and plain requests sent after the
 * run must all say HIT.
 */
import { withCpu } from './cpu';
import { chatRequestsSeenByFake } from './fake-stats';
import { loadProblems, postChat, runLoad, type LoadOptions, type LoadResult, type Target } from './load';
import { startGateway, stopChecked, type Child } from './processes';
import { BenchRedisCluster, redisMissing } from './redis-cluster';
import {
  CACHE_HEADER,
  FLOOR_REFERENCE,
  cacheStateOf,
  cpuUsPerResponse,
  hitProblems,
  tallyCacheHeaders,
  type CacheHits,
  type CacheProbe,
  type HitEvidence,
  type MemoryHits,
  type RedisClusterHits,
} from './cache-report';

export interface CacheHitsOptions {
  /** The floor forwarder of sections 1-3, still running: (b)'s reference run. */
  floor: Child;
  /** Section 1's settings, reused for (a). */
  connections: number;
  durationS: number;
  warmupS: number;
  /** (b): req/s and connections of the fixed-rate run. */
  rate: number;
  rateConnections: number;
  /** (b): first of the six ports of the cluster (bus ports +10000). */
  redisPortBase: number;
  /** Node flags for both gateways (BENCH_GATEWAY_NODE_ARGS). */
  nodeArgs: string[];
  body: string;
  /** Section 1's run against the uncached gateway. */
  uncached: LoadResult;
  log: (message: string) => void;
}

/** Plain requests sent one by one after each run, to read their cache header. */
const SAMPLE_REQUESTS = 20;
/** The answer is stored off the response path (in Redis, one more round trip): give it this long before checking. */
const STORE_SETTLE_MS = 100;
/** How long (b)'s gateway may take to report its Redis Cluster as usable. */
const REDIS_READY_TIMEOUT_MS = 15_000;

const MEMORY_CACHE = { type: 'memory' };
const redisClusterCache = (nodes: string[]) => ({ type: 'redis-cluster', memory: { maxEntries: 0 }, redis: { nodes } });

/** One chat request, which must be a 200 with the fake's reply; returns its cache header. */
async function ask(target: Target, body: string): Promise<string | null> {
  const response = await postChat(target, body);
  const text = await response.text();
  if (response.status !== 200 || !text.includes('Fake reply to:')) {
    throw new Error(`${target.name}: a plain request got ${response.status}: ${text.slice(0, 500)}`);
  }
  return response.headers.get(CACHE_HEADER);
}

/** Primes the cache with one request; throws unless the next answer is a HIT. */
async function prime(target: Target, body: string, log: (message: string) => void): Promise<CacheProbe> {
  const first = await ask(target, body);
  await new Promise((resolve) => setTimeout(resolve, STORE_SETTLE_MS));
  const check = await ask(target, body);
  log(`${target.name}: primed (${CACHE_HEADER}: ${first ?? '(none)'}), next answer ${check ?? '(none)'}`);
  if (check !== 'HIT') {
    throw new Error(`${target.name}: after priming, the next answer had ${CACHE_HEADER}: ${check ?? '(none)'}, expected HIT; the cache does not serve this request`);
  }
  return { prime: first, check };
}

async function sampleHeaders(target: Target, body: string): Promise<Record<string, number>> {
  const values: Array<string | null> = [];
  for (let i = 0; i < SAMPLE_REQUESTS; i++) values.push(await ask(target, body));
  return tallyCacheHeaders(values);
}

/** Until the gateway's readiness reports its cache's state as 'ok' (its Redis Cluster client is connected). */
async function waitForCacheReady(target: Target): Promise<void> {
  const deadline = Date.now() + REDIS_READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${target.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      const ready: unknown = await response.json();
      last = `${response.status} ${JSON.stringify(ready)}`;
      if (response.status === 200 && cacheStateOf(ready) === 'ok') return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${target.name}: its cache was not ready within ${REDIS_READY_TIMEOUT_MS} ms (last /health/ready: ${last})`);
}

/**
 * `options.warmupS` s of `load` (when > 0), then `options.durationS` s of it, the one returned;
 * both with the CPU each of `pids` (and the machine) used, and their load problems pushed onto
 * `problems`. `label` names the measured run in the progress log.
 */
async function warmUpAndMeasure(
  target: Target,
  pids: Record<string, number>,
  load: LoadOptions,
  options: CacheHitsOptions,
  label: string,
  problems: string[],
): Promise<LoadResult> {
  const measure = async (durationS: number) => {
    const { result, cpuS } = await withCpu(pids, () => runLoad(target, { ...load, durationS }));
    problems.push(...loadProblems(result));
    return { ...result, cpuS };
  };
  const shape = load.overallRate ? `${load.overallRate} req/s over ${load.connections} connections` : `${load.connections} connections`;
  if (options.warmupS > 0) {
    options.log(`warm-up: ${target.name}, ${shape}, ${options.warmupS} s`);
    await measure(options.warmupS);
  }
  options.log(`${label}: ${target.name}, ${shape}, ${options.durationS} s`);
  return measure(options.durationS);
}

/**
 * Primes, warms up and measures one caching gateway; `evidence` counts what the fake saw from the
 * check request (a HIT) to the end of the sample. `pids` are the processes whose CPU is read.
 */
async function measureHits(
  fake: Child,
  target: Target,
  pids: Record<string, number>,
  load: LoadOptions,
  options: CacheHitsOptions,
  problems: string[],
): Promise<{ probe: CacheProbe; result: LoadResult; evidence: HitEvidence }> {
  const probe = await prime(target, options.body, options.log);
  const upstreamBefore = await chatRequestsSeenByFake(fake.url);
  const result = await warmUpAndMeasure(target, pids, load, options, 'cache hits', problems);
  const sample = await sampleHeaders(target, options.body);
  const evidence = { upstreamCalls: (await chatRequestsSeenByFake(fake.url)) - upstreamBefore, sample };
  problems.push(...hitProblems(target.name, evidence));
  return { probe, result, evidence };
}

async function memoryHits(fake: Child, options: CacheHitsOptions, problems: string[]): Promise<MemoryHits> {
  const child = await startGateway(fake.url, options.nodeArgs, { name: 'gateway (memory cache)', config: { cache: MEMORY_CACHE } });
  try {
    options.log(`memory-cache gateway ${child.url} (pid ${child.pid})`);
    const target: Target = { name: 'gateway (memory cache)', url: child.url };
    const pids = { bench: process.pid, fake: fake.pid, gateway: child.pid };
    const { probe, result, evidence } = await measureHits(fake, target, pids, { connections: options.connections, durationS: options.durationS, body: options.body }, options, problems);
    return {
      config: MEMORY_CACHE,
      probe,
      load: result,
      ...evidence,
      cpuUsPerRequest: cpuUsPerResponse(result, 'gateway'),
      uncachedReqPerSec: options.uncached.reqPerSec,
      uncachedCpuUsPerRequest: cpuUsPerResponse(options.uncached, 'gateway'),
      ratio: result.reqPerSec / options.uncached.reqPerSec,
    };
  } finally {
    await stopChecked(child, problems);
  }
}

/** (b)'s figures without the floor reference, which is measured once the cluster is gone. */
type RedisHitRun = Omit<RedisClusterHits, 'floorReference' | 'p99AboveFloorMs'>;

async function redisHitRun(fake: Child, options: CacheHitsOptions, problems: string[]): Promise<RedisHitRun> {
  options.log(`starting a Redis Cluster on 127.0.0.1:${options.redisPortBase}..${options.redisPortBase + 5}`);
  const cluster = await BenchRedisCluster.start(options.redisPortBase, options.log);
  try {
    const config = redisClusterCache(cluster.nodes);
    // Started here, not pushed onto the caller's children: it must stop before the cluster does.
    const child = await startGateway(fake.url, options.nodeArgs, { name: 'gateway (redis-cluster cache)', config: { cache: config } });
    try {
      options.log(`redis-cluster-cache gateway ${child.url} (pid ${child.pid})`);
      const target: Target = { name: 'gateway (redis-cluster cache)', url: child.url };
      await waitForCacheReady(target);
      const pids = { bench: process.pid, fake: fake.pid, gateway: child.pid, ...cluster.pids() };
      const { probe, result, evidence } = await measureHits(fake, target, pids, fixedRateLoad(options), options, problems);
      return { config, nodes: cluster.nodes, probe, load: result, ...evidence, cpuUsPerRequest: cpuUsPerResponse(result, 'gateway') };
    } finally {
      await stopChecked(child, problems);
    }
  } finally {
    await cluster.stop(options.log);
  }
}

/** (b)'s fixed-rate load, for the Redis-hit run and the floor reference alike. */
function fixedRateLoad(options: CacheHitsOptions): LoadOptions {
  return { connections: options.rateConnections, durationS: options.durationS, overallRate: options.rate, body: options.body };
}

/**
 * The floor forwarder under (b)'s load, warm-up included: what one HTTP hop to the fake costs at
 * that rate on this machine right now. Run after (b)'s gateway and cluster stopped, so that, as
 * in section 2, only the fake, the floor and the (idle) main gateway are up.
 */
async function floorReference(fake: Child, options: CacheHitsOptions, problems: string[]): Promise<LoadResult> {
  const target: Target = { name: FLOOR_REFERENCE, url: options.floor.url };
  const pids = { bench: process.pid, fake: fake.pid, floor: options.floor.pid };
  return warmUpAndMeasure(target, pids, fixedRateLoad(options), options, 'floor reference', problems);
}

async function redisClusterHits(fake: Child, options: CacheHitsOptions, problems: string[]): Promise<RedisClusterHits> {
  const hits = await redisHitRun(fake, options, problems);
  const floor = await floorReference(fake, options, problems);
  return { ...hits, floorReference: floor, p99AboveFloorMs: hits.load.latencyMs.p99 - floor.latencyMs.p99 };
}

/**
 * Runs the section. Its gateways (and the cluster) are stopped before it returns, also when it
 * throws; anything that makes the figures untrustworthy is pushed onto `problems`.
 */
export async function measureCacheHits(fake: Child, options: CacheHitsOptions, problems: string[]): Promise<CacheHits> {
  const memory = await memoryHits(fake, options, problems);
  const missing = redisMissing();
  if (missing) {
    options.log(`Redis Cluster hits: SKIPPED: ${missing}`);
    return { memory, redisCluster: { skipped: missing } };
  }
  return { memory, redisCluster: await redisClusterHits(fake, options, problems) };
}
