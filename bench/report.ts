/** The benchmark's results: their shape, the targets, and the table printed at the end. */
import { formatCacheHits, isSkipped, MEMORY_HIT_RATIO_GOAL, REDIS_HIT_P99_GOAL_MS, type CacheHits } from './cache-report';
import { otherCpuSeconds } from './cpu';
import type { FirstChunkResult } from './first-chunk';
import type { LoadResult } from './load';
import { formatObservability, OBSERVABILITY_COST_GOAL_PCT, type ObservabilityCost } from './observability-report';
import { formatResilience, RESILIENCE_COST_GOAL_PCT, type ResilienceCost } from './resilience-report';
import type { LatencyResults } from './latency';
import { formatLatency, latencyLoadWarnings, latencyTargets } from './latency-report';
import { ms, table } from './table';

export interface Settings {
  durationS: number;
  warmupS: number;
  throughputConnections: number;
  fixedRate: number;
  fixedRateConnections: number;
  streamRequests: number;
  streamWarmup: number;
  /** Runs per variant (resilience off / on) in section 4; 0 skips it. */
  resilienceRounds: number;
  /** Runs per variant (metrics and request log off / on) in section 6; 0 skips it. */
  observabilityRounds: number;
  /** Section 5 (cache hits); false skips it (BENCH_CACHE=0). */
  cache: boolean;
  /** Section 5 (b): req/s and connections of the fixed-rate run against Redis Cluster hits. */
  cacheRate: number;
  cacheRateConnections: number;
  /** Section 5 (b): first port of the six-node Redis Cluster (bus ports +10000). */
  redisPortBase: number;
  /** Section 7 (realistic latency); false skips it (BENCH_LATENCY=0). */
  latency: boolean;
  latenciesMs: number[];
  latencyInFlight: number[];
  latencyDurationS: number;
  latencyWarmupS: number;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: number;
  /** '', 'ms', 'x', '%' or 'MiB'. */
  unit: string;
  pass: boolean;
  /** Why the target was not measured in this run (its section or run was skipped); `pass` is then false. */
  skipped?: string;
}

export interface BenchResults {
  date: string;
  node: string;
  machine: { cpus: number; cpuModel: string; platform: string };
  settings: Settings;
  /** Extra node flags the gateway ran with (profiling runs); empty for a normal run. */
  gatewayNodeArgs: string[];
  /** Section 1; null when not selected (BENCH_SECTIONS) and section 5 is not either (it needs section 1's figures). */
  throughput: { floor: LoadResult; gateway: LoadResult; ratio: number } | null;
  /** Section 2; null when not selected (BENCH_SECTIONS). */
  fixedRate: { floor: LoadResult; gateway: LoadResult; addedP99Ms: number } | null;
  /** Section 3; null when not selected (BENCH_SECTIONS). */
  firstChunk: {
    floor: FirstChunkResult;
    gateway: FirstChunkResult;
    addedP50Ms: number;
    addedP99Ms: number;
    /** A few streams whose events the fake spaces out: the first chunk must come well before the end. */
    spaced: { directive: string; floor: FirstChunkResult; gateway: FirstChunkResult };
  } | null;
  /** Section 4; null when skipped (BENCH_RESILIENCE_ROUNDS=0). */
  resilience: ResilienceCost | null;
  /** Section 5; null when skipped (BENCH_CACHE=0). */
  cache: CacheHits | null;
  /** Section 6; null when skipped (BENCH_OBSERVABILITY_ROUNDS=0). */
  observability: ObservabilityCost | null;
  /** Section 7; null when skipped (BENCH_LATENCY=0). */
  latency: LatencyResults | null;
  targets: TargetCheck[];
  /** Why the run is not valid; empty for a good run. */
  problems: string[];
}

export type Measurements = Omit<BenchResults, 'targets' | 'problems'>;

/** True when the target's first chunk came in under half of the whole (spaced) stream's time. */
export function streamsIncrementally(x: FirstChunkResult): boolean {
  return x.firstChunkMs.p50 < x.totalMs.p50 / 2;
}

export function checkTargets(r: Measurements): TargetCheck[] {
  const targets: TargetCheck[] = [];
  if (r.throughput) {
    targets.push({ name: 'throughput ratio gateway/floor', goal: '>= 0.50', measured: r.throughput.ratio, unit: '', pass: r.throughput.ratio >= 0.5 });
  }
  if (r.fixedRate) {
    targets.push({ name: `added p99 at ${r.settings.fixedRate} req/s`, goal: '< 1 ms', measured: r.fixedRate.addedP99Ms, unit: 'ms', pass: r.fixedRate.addedP99Ms < 1 });
  }
  if (r.firstChunk) {
    // The first-chunk figure only means something if the gateway forwards chunks as they come.
    const incremental = streamsIncrementally(r.firstChunk.spaced.gateway);
    targets.push({ name: 'added p99 time to first chunk', goal: '< 1 ms', measured: r.firstChunk.addedP99Ms, unit: 'ms', pass: incremental && r.firstChunk.addedP99Ms < 1 });
  }
  if (r.resilience) targets.push(costTarget('resilience pipeline cost (req/s, healthy path)', RESILIENCE_COST_GOAL_PCT, r.resilience.cost));
  if (r.cache) targets.push(...cacheTargets(r.cache, r.settings));
  if (r.observability) targets.push(costTarget('metrics and request logging cost (req/s, healthy path)', OBSERVABILITY_COST_GOAL_PCT, r.observability.cost));
  if (r.latency) targets.push(...latencyTargets(r.latency));
  return targets;
}

/** An A/B section's target (4, 6): its cost (a fraction of 'off''s req/s) under `goalPct` %. */
export function costTarget(name: string, goalPct: number, cost: number): TargetCheck {
  const measured = cost * 100;
  return { name, goal: `< ${goalPct} %`, measured, unit: '%', pass: measured < goalPct };
}

/** Section 5's two targets; (b)'s is marked skipped when the Redis Cluster run did not happen. */
export function cacheTargets(c: CacheHits, s: Pick<Settings, 'cacheRate'>): TargetCheck[] {
  const ratio = c.memory.ratio;
  const targets: TargetCheck[] = [
    {
      name: 'memory cache hits: req/s vs uncached gateway',
      goal: `>= ${MEMORY_HIT_RATIO_GOAL.toFixed(2)} x`,
      measured: ratio,
      unit: 'x',
      pass: ratio >= MEMORY_HIT_RATIO_GOAL,
    },
  ];
  const name = `Redis Cluster cache hits: p99 at ${s.cacheRate} req/s`;
  const goal = `< ${REDIS_HIT_P99_GOAL_MS} ms`;
  if (isSkipped(c.redisCluster)) {
    targets.push({ name, goal, measured: NaN, unit: 'ms', pass: false, skipped: c.redisCluster.skipped });
  } else {
    const p99 = c.redisCluster.load.latencyMs.p99;
    targets.push({ name, goal, measured: p99, unit: 'ms', pass: p99 < REDIS_HIT_P99_GOAL_MS });
  }
  return targets;
}

function formatMeasured(t: TargetCheck): string {
  if (t.skipped !== undefined) return 'n/a';
  if (t.unit === 'ms') return `${ms(t.measured)} ms`;
  if (t.unit === 'x') return `${t.measured.toFixed(2)} x`;
  if (t.unit === '%') return `${t.measured.toFixed(1)} %`;
  if (t.unit === 'MiB') return `${t.measured.toFixed(0)} MiB`;
  return t.measured.toFixed(3);
}

function loadRows(floor: LoadResult, gateway: LoadResult): string[][] {
  return [floor, gateway].map((x) => [
    x.target,
    x.reqPerSec.toFixed(0),
    String(x.responses),
    ms(x.latencyMs.p50),
    ms(x.latencyMs.p90),
    ms(x.latencyMs.p99),
    ms(x.latencyMs.max),
  ]);
}

const PROCESSES = ['bench', 'fake', 'floor', 'gateway'];

/** CPU seconds per process during each run, and the target's own CPU per request. */
function cpuRows(floor: LoadResult, gateway: LoadResult): string[][] {
  return [floor, gateway].map((x) => {
    const cpu = x.cpuS ?? {};
    const own = cpu[x.target];
    const others = otherCpuSeconds(x.cpuS);
    return [
      x.target,
      ...PROCESSES.map((name) => (cpu[name] == null ? 'n/a' : cpu[name].toFixed(2))),
      others === null ? 'n/a' : others.toFixed(2),
      own == null || x.responses === 0 ? 'n/a' : ((own * 1e6) / x.responses).toFixed(0),
    ];
  });
}

const CPU_HEADER = ['run against', 'bench (autocannon) s', 'fake s', 'floor s', 'gateway s', 'anything else s', 'target CPU us/req'];

export function formatReport(r: BenchResults): string {
  const s = r.settings;
  const loadHeader = ['target', 'req/s', 'responses', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  const out: string[] = [];
  out.push(`LLM Connector Hub benchmark, ${r.date}, Node ${r.node}, ${r.machine.cpus} x ${r.machine.cpuModel}`);
  if (r.gatewayNodeArgs.length > 0) out.push(`gateway node flags: ${r.gatewayNodeArgs.join(' ')} (not a plain run)`);
  out.push('');
  if (r.throughput) {
    out.push(`1. Non-streaming throughput: ${s.throughputConnections} connections, ${s.durationS} s each`);
    out.push(table(loadHeader, loadRows(r.throughput.floor, r.throughput.gateway)));
    out.push(`ratio gateway/floor (req/s): ${r.throughput.ratio.toFixed(3)}`);
    out.push(`CPU used during each run (${r.machine.cpus} cores x ${s.durationS} s = ${r.machine.cpus * s.durationS} CPU s available):`);
    out.push(table(CPU_HEADER, cpuRows(r.throughput.floor, r.throughput.gateway)));
    out.push('');
  }
  if (r.fixedRate) {
    out.push(`2. Fixed rate: ${s.fixedRate} req/s over ${s.fixedRateConnections} connection(s) (autocannon overallRate), ${s.durationS} s each`);
    out.push(table(loadHeader, loadRows(r.fixedRate.floor, r.fixedRate.gateway)));
    out.push(`added p99 (gateway - floor): ${ms(r.fixedRate.addedP99Ms)} ms`);
    out.push('');
  }
  if (r.firstChunk) out.push(...formatFirstChunk(r.firstChunk, s));
  if (r.resilience) {
    out.push(formatResilience(r.resilience));
    out.push('');
  }
  if (r.cache && r.throughput) {
    out.push(formatCacheHits(r.cache, r.throughput.gateway));
    out.push('');
  }
  if (r.observability) {
    out.push(formatObservability(r.observability));
    out.push('');
  }
  if (r.latency) {
    out.push(formatLatency(r.latency));
    out.push('');
  }
  out.push('Targets');
  out.push(
    table(
      ['target', 'goal', 'measured', 'result'],
      r.targets.map((t) => [t.name, t.goal, formatMeasured(t), t.skipped !== undefined ? 'SKIP' : t.pass ? 'PASS' : 'MISS']),
    ),
  );
  out.push(...otherLoadWarnings(r));
  return out.join('\n');
}

/** Section 3's lines. */
function formatFirstChunk(f: NonNullable<BenchResults['firstChunk']>, s: Settings): string[] {
  const out: string[] = [];
  out.push(`3. Streaming time to first data: chunk: ${s.streamRequests} sequential streams per target (after ${s.streamWarmup} warm-up)`);
  out.push(
    table(
      ['target', 'first p50 ms', 'first p90 ms', 'first p99 ms', 'whole stream p50 ms', 'whole stream p99 ms'],
      [f.floor, f.gateway].map((x) => [
        x.target,
        ms(x.firstChunkMs.p50),
        ms(x.firstChunkMs.p90),
        ms(x.firstChunkMs.p99),
        ms(x.totalMs.p50),
        ms(x.totalMs.p99),
      ]),
    ),
  );
  out.push(`added first chunk (gateway - floor): p50 ${ms(f.addedP50Ms)} ms, p99 ${ms(f.addedP99Ms)} ms`);
  const spaced = f.spaced;
  const describe = (x: FirstChunkResult) =>
    `${x.target} first ${ms(x.firstChunkMs.p50)} / whole ${ms(x.totalMs.p50)} ms (${streamsIncrementally(x) ? 'incremental' : 'NOT incremental'})`;
  out.push(`spaced streams (${spaced.directive}, ${spaced.gateway.requests} per target, p50): ${describe(spaced.floor)}; ${describe(spaced.gateway)}`);
  out.push('');
  return out;
}

/** Share of the machine's CPU (cores x duration) that other processes may use before a run is flagged. */
const OTHER_LOAD_LIMIT = 0.1;

/** One line per load run during which something outside the benchmark used the cores noticeably. */
export function otherLoadWarnings(r: BenchResults): string[] {
  const runs: Array<[string, LoadResult]> = [
    ...(r.throughput ? ([['throughput floor', r.throughput.floor], ['throughput gateway', r.throughput.gateway]] as Array<[string, LoadResult]>) : []),
    ...(r.fixedRate ? ([['fixed rate floor', r.fixedRate.floor], ['fixed rate gateway', r.fixedRate.gateway]] as Array<[string, LoadResult]>) : []),
    ...(r.resilience?.runs ?? []).map((x): [string, LoadResult] => [`resilience run ${x.order} (${x.variant})`, x.load]),
    ...(r.cache ? [['memory cache hits', r.cache.memory.load] as [string, LoadResult]] : []),
    ...(r.cache && !isSkipped(r.cache.redisCluster)
      ? [['Redis Cluster cache hits', r.cache.redisCluster.load] as [string, LoadResult], ['Redis-hit floor reference', r.cache.redisCluster.floorReference] as [string, LoadResult]]
      : []),
    ...(r.observability?.runs ?? []).map((x): [string, LoadResult] => [`observability run ${x.order} (${x.variant})`, x.load]),
  ];
  const warnings: string[] = r.latency ? latencyLoadWarnings(r.latency, r.machine.cpus, OTHER_LOAD_LIMIT) : [];
  for (const [label, load] of runs) {
    const others = otherCpuSeconds(load.cpuS);
    const available = r.machine.cpus * load.durationS;
    if (others !== null && others > OTHER_LOAD_LIMIT * available) {
      warnings.push(`WARNING: other processes used ${others.toFixed(1)} of ${available.toFixed(0)} CPU s during ${label}: its figures are not trustworthy`);
    }
  }
  return warnings.length > 0 ? ['', ...warnings] : [];
}
