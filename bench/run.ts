/**
 * `make bench`: the gateway against a bare forwarder (the floor), both in front of the same fake
 * provider, then the gateway with its resilience pipeline off and on, then the gateway answering
 * from its response cache (in-process, and from a local Redis Cluster), then the gateway with
 * metrics and request logging off and on, then both at realistic LLM latencies (500 ms and 5 s
 * upstream, thousands of requests in flight); all on 127.0.0.1, in one go. Every gateway but
 * section 5's runs with `cache: { type: none }`. See docs/benchmarks.md.
 *
 * Env: BENCH_DURATION (s per measured run, default 10), BENCH_WARMUP (s of warm-up load per
 * target, default 3), BENCH_CONNECTIONS (default 50), BENCH_RATE (req/s, default 500),
 * BENCH_RATE_CONNECTIONS (default 1), BENCH_STREAM_REQUESTS (default 2000), BENCH_STREAM_WARMUP
 * (default 200), BENCH_RESILIENCE_ROUNDS (runs per variant in the resilience-cost section, default
 * 4; 0 skips it), BENCH_OBSERVABILITY_ROUNDS (the same for section 6, observability cost, default
 * 4; 0 skips it), BENCH_AB_NODE_ARGS (node flags for the two gateways of sections 4 and 6, default
 * "--no-allocation-site-pretenuring"; BENCH_RESILIENCE_NODE_ARGS, its old name, is read when it is
 * unset; see docs/benchmarks.md), BENCH_GATEWAY_NODE_ARGS (extra node flags for every gateway,
 * e.g. "--cpu-prof"), BENCH_CACHE (0 skips section 5, cache hits),
 * BENCH_CACHE_RATE (req/s of section 5's Redis Cluster run, default 1000), BENCH_CACHE_RATE_CONNECTIONS
 * (default 1, as section 2: see docs/benchmarks.md), BENCH_REDIS_PORT_BASE (first of the six Redis Cluster ports, default 7600),
 * BENCH_LATENCY (0 skips section 7, realistic latency), BENCH_LATENCY_MS (upstream latencies, default
 * "500,5000"), BENCH_LATENCY_IN_FLIGHT (requests in flight, default "2000,10000"), BENCH_LATENCY_DURATION
 * (s measured per run at the shortest latency, default 10; longer latencies get 4 of theirs at
 * least), BENCH_LATENCY_WARMUP (s, default 2), BENCH_SECTIONS (the sections to run, e.g. "1,2"; default all;
 * section 5 runs section 1 too, for its reference; the switches above still skip theirs; a run of
 * only some sections writes bench/results/latest-partial.json instead of latest.json; the
 * `npm run benchmark:*` scripts select this way).
 *
 * Exits non-zero only when the run itself is wrong (a child fails, an error, a non-200); a missed
 * target is printed as MISS.
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCpu } from './cpu';
import { chatRequestsSeenByFake } from './fake-stats';
import { measureFirstChunk } from './first-chunk';
import { loadProblems, runLoad, type LoadOptions, type LoadResult, type Target } from './load';
import { GATEWAY_MODEL, startFakeProvider, startFloor, startGateway, stopChecked, type Child } from './processes';
import { measureCacheHits } from './cache-hits';
import { AB_NODE_ARGS } from './ab-cost';
import { measureObservabilityCost } from './observability-cost';
import { measureResilienceCost } from './resilience-cost';
import { measureLatency, openFileLimit, plannedSeconds as latencyPlannedSeconds } from './latency';
import { checkTargets, formatReport, type BenchResults, type Measurements, type Settings } from './report';

const RESULTS_DIR = join(__dirname, '../../bench/results');
const ALL_SECTIONS = [1, 2, 3, 4, 5, 6, 7] as const;

function intFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

/** A switch that is on unless set to 0. */
function flagFromEnv(name: string): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '' || raw === '1') return true;
  if (raw === '0') return false;
  throw new Error(`${name} must be 0 or 1, got '${raw}'`);
}

/** BENCH_SECTIONS: which of the seven sections run (all when unset). */
function sectionsFromEnv(name: string): Set<number> {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return new Set(ALL_SECTIONS);
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.some((value) => !ALL_SECTIONS.includes(value as (typeof ALL_SECTIONS)[number]))) {
    throw new Error(`${name} must be comma-separated section numbers 1-7, got '${raw}'`);
  }
  return new Set(values);
}

/** A comma-separated list of positive integers. */
function intListFromEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`${name} must be comma-separated integers >= 1, got '${raw}'`);
  return values;
}

/** temperature 0: deterministic, so section 5's caching gateways cache it (docs/configuration.md#cache-policy); the others have no cache. */
function chatBody(stream: boolean, directive = ''): string {
  return JSON.stringify({
    model: GATEWAY_MODEL,
    ...(stream ? { stream: true } : {}),
    temperature: 0,
    messages: [{ role: 'user', content: `Say hello to the benchmark in one short sentence.${directive}` }],
  });
}

/** Stream events spaced out by the fake, to see that chunks are forwarded as they come. */
const SPACED_DIRECTIVE = ' [[fake chunk-delay=20]]';
const SPACED_STREAMS = 5;
/** A request the fake answers with 503: a gateway with the resilience pipeline retries it. */
const FAILING_DIRECTIVE = ' [[fake status=503]]';

/** Section 3: time to the first chunk, and a few spaced-out streams to see chunks forwarded as they come. */
async function measureFirstChunks(floor: Target, gateway: Target, settings: Settings): Promise<Measurements['firstChunk']> {
  log(`first chunk: ${settings.streamRequests} streams per target (+${settings.streamWarmup} warm-up), sequential, alternating`);
  const [floorFirst, gatewayFirst] = await measureFirstChunk([floor, gateway], chatBody(true), settings.streamRequests, settings.streamWarmup);
  log(`spaced streams: ${SPACED_STREAMS} per target with${SPACED_DIRECTIVE}`);
  const [floorSpaced, gatewaySpaced] = await measureFirstChunk([floor, gateway], chatBody(true, SPACED_DIRECTIVE), SPACED_STREAMS, 0);
  return {
    floor: floorFirst,
    gateway: gatewayFirst,
    addedP50Ms: gatewayFirst.firstChunkMs.p50 - floorFirst.firstChunkMs.p50,
    addedP99Ms: gatewayFirst.firstChunkMs.p99 - floorFirst.firstChunkMs.p99,
    spaced: { directive: SPACED_DIRECTIVE.trim(), floor: floorSpaced, gateway: gatewaySpaced },
  };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<number> {
  const settings: Settings = {
    durationS: intFromEnv('BENCH_DURATION', 10),
    warmupS: intFromEnv('BENCH_WARMUP', 3, 0),
    throughputConnections: intFromEnv('BENCH_CONNECTIONS', 50),
    fixedRate: intFromEnv('BENCH_RATE', 500),
    fixedRateConnections: intFromEnv('BENCH_RATE_CONNECTIONS', 1),
    streamRequests: intFromEnv('BENCH_STREAM_REQUESTS', 2000),
    streamWarmup: intFromEnv('BENCH_STREAM_WARMUP', 200, 0),
    resilienceRounds: intFromEnv('BENCH_RESILIENCE_ROUNDS', 4, 0),
    observabilityRounds: intFromEnv('BENCH_OBSERVABILITY_ROUNDS', 4, 0),
    cache: flagFromEnv('BENCH_CACHE'),
    cacheRate: intFromEnv('BENCH_CACHE_RATE', 1000),
    cacheRateConnections: intFromEnv('BENCH_CACHE_RATE_CONNECTIONS', 1),
    redisPortBase: intFromEnv('BENCH_REDIS_PORT_BASE', 7600, 1024),
    latency: flagFromEnv('BENCH_LATENCY'),
    latenciesMs: intListFromEnv('BENCH_LATENCY_MS', [500, 5000]),
    latencyInFlight: intListFromEnv('BENCH_LATENCY_IN_FLIGHT', [2000, 10_000]),
    latencyDurationS: intFromEnv('BENCH_LATENCY_DURATION', 10),
    latencyWarmupS: intFromEnv('BENCH_LATENCY_WARMUP', 2, 0),
  };
  // Sections left out of BENCH_SECTIONS are switched off as their own switches would.
  const sections = sectionsFromEnv('BENCH_SECTIONS');
  if (!sections.has(4)) settings.resilienceRounds = 0;
  if (!sections.has(5)) settings.cache = false;
  if (!sections.has(6)) settings.observabilityRounds = 0;
  if (!sections.has(7)) settings.latency = false;
  const runs = { throughput: sections.has(1) || settings.cache, fixedRate: sections.has(2), firstChunk: sections.has(3) };
  const partialRun = sections.size < ALL_SECTIONS.length;
  const resultsFile = join(RESULTS_DIR, partialRun ? 'latest-partial.json' : 'latest.json');
  const latencySettings = {
    latenciesMs: settings.latenciesMs,
    inFlight: settings.latencyInFlight,
    warmupS: settings.latencyWarmupS,
    durationS: settings.latencyDurationS,
  };
  if (settings.redisPortBase > 55530) throw new Error(`BENCH_REDIS_PORT_BASE must be at most 55530 (its bus ports are +10000), got ${settings.redisPortBase}`);
  const gatewayNodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const abNodeArgs = (process.env.BENCH_AB_NODE_ARGS ?? process.env.BENCH_RESILIENCE_NODE_ARGS ?? AB_NODE_ARGS).split(/\s+/).filter(Boolean);

  // Everything is bounded: if the whole run takes far longer than planned, give up loudly.
  const abPlannedS = (rounds: number) => (rounds > 0 ? 2 * settings.warmupS + 2 * rounds * settings.durationS + 30 : 0);
  const plannedS =
    2 * settings.warmupS +
    (runs.throughput ? 2 * settings.durationS : 0) +
    (runs.fixedRate ? 2 * settings.durationS : 0) +
    60 +
    (runs.firstChunk ? Math.ceil((settings.streamRequests + settings.streamWarmup) / 100) : 0) +
    abPlannedS(settings.resilienceRounds) +
    abPlannedS(settings.observabilityRounds) +
    // Section 5: memory hits, Redis hits and the floor reference, each a warm-up and a run.
    (settings.cache ? 3 * settings.warmupS + 3 * settings.durationS + 90 : 0) +
    (settings.latency ? latencyPlannedSeconds(latencySettings, openFileLimit()) : 0);
  const watchdog = setTimeout(() => {
    log(`ERROR: the benchmark did not finish within ${3 * plannedS} s; giving up`);
    process.exit(1); // the 'exit' hook in processes.ts kills the children
  }, 3 * plannedS * 1000);
  watchdog.unref();

  const children: Child[] = [];
  const problems: string[] = [];
  try {
    log('starting fake provider, floor forwarder and gateway');
    const fake = await startFakeProvider();
    children.push(fake);
    const [floorChild, gatewayChild] = await Promise.all([startFloor(fake.url), startGateway(fake.url, gatewayNodeArgs)]);
    children.push(floorChild, gatewayChild);
    log(`fake ${fake.url} (pid ${fake.pid}), floor ${floorChild.url} (pid ${floorChild.pid}), gateway ${gatewayChild.url} (pid ${gatewayChild.pid})`);
    const floor: Target = { name: 'floor', url: floorChild.url };
    const gateway: Target = { name: 'gateway', url: gatewayChild.url };
    const pids = { bench: process.pid, fake: fake.pid, floor: floorChild.pid, gateway: gatewayChild.pid };
    const body = chatBody(false);

    /** One load run with the CPU every process used during it; its problems are collected. */
    const measure = async (target: Target, options: LoadOptions): Promise<LoadResult> => {
      const { result, cpuS } = await withCpu(pids, () => runLoad(target, options));
      problems.push(...loadProblems(result));
      return { ...result, cpuS };
    };

    if (settings.warmupS > 0 && (runs.throughput || runs.fixedRate || runs.firstChunk)) {
      for (const target of [floor, gateway]) {
        log(`warm-up: ${target.name}, ${settings.throughputConnections} connections, ${settings.warmupS} s`);
        await measure(target, { connections: settings.throughputConnections, durationS: settings.warmupS, body });
      }
      if (problems.length > 0) throw new Error(`warm-up failed:\n  ${problems.join('\n  ')}`);
    }
    const fakeBefore = await chatRequestsSeenByFake(fake.url);

    const throughput: Record<string, LoadResult> = {};
    for (const target of runs.throughput ? [floor, gateway] : []) {
      log(`throughput: ${target.name}, ${settings.throughputConnections} connections, ${settings.durationS} s`);
      throughput[target.name] = await measure(target, { connections: settings.throughputConnections, durationS: settings.durationS, body });
    }

    const fixedRate: Record<string, LoadResult> = {};
    for (const target of runs.fixedRate ? [floor, gateway] : []) {
      log(`fixed rate: ${target.name}, ${settings.fixedRate} req/s over ${settings.fixedRateConnections} connection(s), ${settings.durationS} s`);
      fixedRate[target.name] = await measure(target, {
        connections: settings.fixedRateConnections,
        durationS: settings.durationS,
        overallRate: settings.fixedRate,
        body,
      });
    }

    const firstChunk = runs.firstChunk ? await measureFirstChunks(floor, gateway, settings) : null;

    // The gateway must really have gone to the fake for every answer it gave.
    const seen = (await chatRequestsSeenByFake(fake.url)) - fakeBefore;
    const answered =
      [...Object.values(throughput), ...Object.values(fixedRate)].reduce((n, r) => n + (r.statusCodes['200'] ?? 0), 0) +
      (firstChunk ? 2 * (settings.streamRequests + settings.streamWarmup + SPACED_STREAMS) : 0);
    if (seen < answered) problems.push(`the fake provider saw ${seen} chat requests, fewer than the ${answered} answered`);

    const abOptions = (rounds: number) => ({
      connections: settings.throughputConnections,
      durationS: settings.durationS,
      warmupS: settings.warmupS,
      rounds,
      nodeArgs: [...abNodeArgs, ...gatewayNodeArgs],
      body,
      log,
    });
    const resilienceOptions = { ...abOptions(settings.resilienceRounds), failingBody: chatBody(false, FAILING_DIRECTIVE) };
    const resilience = settings.resilienceRounds > 0 ? await measureResilienceCost(fake, resilienceOptions, children, problems) : null;

    const cacheOptions = {
      floor: floorChild,
      connections: settings.throughputConnections,
      durationS: settings.durationS,
      warmupS: settings.warmupS,
      rate: settings.cacheRate,
      rateConnections: settings.cacheRateConnections,
      redisPortBase: settings.redisPortBase,
      nodeArgs: gatewayNodeArgs,
      body,
      uncached: throughput.gateway,
      log,
    };
    const cache = settings.cache ? await measureCacheHits(fake, cacheOptions, problems) : null;

    const observabilityOptions = abOptions(settings.observabilityRounds);
    const observability = settings.observabilityRounds > 0 ? await measureObservabilityCost(fake, observabilityOptions, children, problems) : null;

    // Its own fake (with an HTTP/2 listener), floors and gateways; the others are idle meanwhile.
    const latency = settings.latency ? await measureLatency({ ...latencySettings, nodeArgs: gatewayNodeArgs, log }, problems) : null;

    const partial: Measurements = {
      date: new Date().toISOString(),
      node: process.version,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', platform: `${process.platform} ${process.arch}` },
      settings,
      gatewayNodeArgs,
      throughput: runs.throughput
        ? { floor: throughput.floor, gateway: throughput.gateway, ratio: throughput.gateway.reqPerSec / throughput.floor.reqPerSec }
        : null,
      fixedRate: runs.fixedRate
        ? { floor: fixedRate.floor, gateway: fixedRate.gateway, addedP99Ms: fixedRate.gateway.latencyMs.p99 - fixedRate.floor.latencyMs.p99 }
        : null,
      firstChunk,
      resilience,
      cache,
      observability,
      latency,
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial), problems };

    for (const child of children.splice(0).reverse()) await stopChecked(child, problems);

    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${formatReport(results)}\n\nresults written to ${resultsFile}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop('SIGTERM', 2_000);
    clearTimeout(watchdog);
  }
  if (problems.length > 0) {
    log(`ERROR: the run is not valid:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
