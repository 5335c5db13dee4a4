/** Section 7's table and targets: the gateway against the floor at realistic upstream latencies. */
import { otherCpuSeconds } from './cpu';
import type { LatencyCase, LatencyResults } from './latency';
import type { LatencyRun } from './latency-load';
import { table } from './table';

/** Throughput the gateway must keep, as a share of the floor's, with no error, at this many in flight. */
const LATENCY_RATIO_GOAL = 0.9;
const LATENCY_RATIO_IN_FLIGHT = 2_000;
/** Peak RSS the gateway must stay under with this many streams in flight. */
const STREAMS_RSS_GOAL_MIB = 512;
const STREAMS_RSS_IN_FLIGHT = 10_000;

export interface LatencyTarget {
  name: string;
  goal: string;
  measured: number;
  unit: '' | 'MiB';
  pass: boolean;
}

const label = (c: Pick<LatencyCase, 'latencyMs' | 'kind' | 'protocol'>) => `${c.latencyMs} ms, ${c.kind}, ${c.protocol}`;

export function latencyTargets(r: LatencyResults): LatencyTarget[] {
  const targets: LatencyTarget[] = [];
  for (const c of r.cases) {
    // The default protocol at this count (HTTP/1.1 in cleartext): the comparison the issue asks for.
    if (c.inFlight === LATENCY_RATIO_IN_FLIGHT && c.protocol === 'http/1.1') {
      targets.push({
        name: `gateway/floor req/s, ${c.inFlight} in flight, ${label(c)}, 0 errors`,
        goal: `>= ${LATENCY_RATIO_GOAL.toFixed(2)}`,
        measured: c.ratio,
        unit: '',
        pass: c.ratio >= LATENCY_RATIO_GOAL && c.gateway.errors === 0,
      });
    }
    if (c.inFlight === STREAMS_RSS_IN_FLIGHT && c.kind === 'stream') {
      const rss = c.gateway.peaks.gateway?.rssMiB ?? NaN;
      targets.push({ name: `gateway peak RSS, ${c.inFlight} streams in flight, ${label(c)}`, goal: `< ${STREAMS_RSS_GOAL_MIB} MiB`, measured: rss, unit: 'MiB', pass: rss < STREAMS_RSS_GOAL_MIB });
    }
  }
  return targets;
}

const fixed = (value: number | null | undefined, digits = 0) => (value == null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function row(c: LatencyCase, run: LatencyRun): string[] {
  const own = run.peaks[run.target];
  const cpu = run.cpuS[run.target];
  const ok = run.statusCodes['200'] ?? 0;
  return [
    `${c.latencyMs}`,
    `${c.inFlight}`,
    c.kind,
    c.protocol,
    run.target,
    fixed(run.reqPerSec),
    String(run.errors),
    fixed(run.latencyMs.p50),
    fixed(run.latencyMs.p99),
    fixed(own?.rssMiB),
    fixed(own?.fds),
    cpu == null || ok === 0 ? 'n/a' : fixed((cpu * 1e6) / ok),
    run.target === 'gateway' ? c.ratio.toFixed(3) : '',
  ];
}

export function formatLatency(r: LatencyResults): string {
  const s = r.settings;
  const out: string[] = [];
  out.push(
    `7. Realistic latency: upstream ${s.latenciesMs.join(' / ')} ms, ${s.inFlight.join(' / ')} requests in flight (closed loops), JSON and streams; ` +
      `${s.durationS} s measured per run at ${Math.min(...s.latenciesMs)} ms (4 latencies at least), after ${s.warmupS} s of warm-up; open-file limit ${r.openFileLimit ?? 'unknown'}`,
  );
  out.push(
    table(
      ['latency ms', 'in flight', 'kind', 'upstream', 'target', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'peak fds', 'CPU us/req', 'gateway/floor'],
      r.cases.flatMap((c) => [row(c, c.floor), row(c, c.gateway)]),
    ),
  );
  const failures = r.cases.flatMap((c) =>
    [c.floor, c.gateway]
      .filter((run) => run.errors > 0)
      .map((run) => `  ${run.target} (${c.inFlight} in flight, ${label(c)}): statuses ${JSON.stringify(run.statusCodes)}, transport ${JSON.stringify(run.transportErrors)}; first: ${run.firstProblem}`),
  );
  if (failures.length > 0) out.push('errors:', ...failures);
  return out.join('\n');
}

/** The runs of this section during which something outside the benchmark used the cores noticeably. */
export function latencyLoadWarnings(r: LatencyResults, cpus: number, limit: number): string[] {
  const warnings: string[] = [];
  for (const c of r.cases) {
    for (const run of [c.floor, c.gateway]) {
      const others = otherCpuSeconds(run.cpuS);
      const available = cpus * run.elapsedS;
      if (others !== null && others > limit * available) {
        warnings.push(`WARNING: other processes used ${others.toFixed(1)} of ${available.toFixed(0)} CPU s during realistic latency ${run.target} (${c.inFlight} in flight, ${label(c)}): its figures are not trustworthy`);
      }
    }
  }
  return warnings;
}
