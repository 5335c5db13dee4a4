/** The benchmark's results: their shape, the targets, and the table printed at the end. */
import type { FirstChunkResult } from './first-chunk';
import type { LoadResult } from './load';

export interface Settings {
  durationS: number;
  warmupS: number;
  throughputConnections: number;
  fixedRate: number;
  fixedRateConnections: number;
  streamRequests: number;
  streamWarmup: number;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: number;
  unit: string;
  pass: boolean;
}

export interface BenchResults {
  date: string;
  node: string;
  machine: { cpus: number; cpuModel: string; platform: string };
  settings: Settings;
  throughput: { floor: LoadResult; gateway: LoadResult; ratio: number };
  fixedRate: { floor: LoadResult; gateway: LoadResult; addedP99Ms: number };
  firstChunk: { floor: FirstChunkResult; gateway: FirstChunkResult; addedP50Ms: number; addedP99Ms: number };
  targets: TargetCheck[];
}

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  return [
    { name: 'throughput ratio gateway/floor', goal: '>= 0.50', measured: r.throughput.ratio, unit: '', pass: r.throughput.ratio >= 0.5 },
    { name: `added p99 at ${r.settings.fixedRate} req/s`, goal: '< 1 ms', measured: r.fixedRate.addedP99Ms, unit: 'ms', pass: r.fixedRate.addedP99Ms < 1 },
    { name: 'added p99 time to first chunk', goal: '< 1 ms', measured: r.firstChunk.addedP99Ms, unit: 'ms', pass: r.firstChunk.addedP99Ms < 1 },
  ];
}

const ms = (value: number): string => value.toFixed(3);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
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

export function formatReport(r: BenchResults): string {
  const s = r.settings;
  const loadHeader = ['target', 'req/s', 'responses', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  const out: string[] = [];
  out.push(`LLM Connector Hub benchmark, ${r.date}, Node ${r.node}, ${r.machine.cpus} x ${r.machine.cpuModel}`);
  out.push('');
  out.push(`1. Non-streaming throughput: ${s.throughputConnections} connections, ${s.durationS} s each`);
  out.push(table(loadHeader, loadRows(r.throughput.floor, r.throughput.gateway)));
  out.push(`ratio gateway/floor (req/s): ${r.throughput.ratio.toFixed(3)}`);
  out.push('');
  out.push(`2. Fixed rate: ${s.fixedRate} req/s over ${s.fixedRateConnections} connections (autocannon overallRate), ${s.durationS} s each`);
  out.push(table(loadHeader, loadRows(r.fixedRate.floor, r.fixedRate.gateway)));
  out.push(`added p99 (gateway - floor): ${ms(r.fixedRate.addedP99Ms)} ms`);
  out.push('');
  out.push(`3. Streaming time to first data: chunk: ${s.streamRequests} sequential streams per target (after ${s.streamWarmup} warm-up)`);
  out.push(
    table(
      ['target', 'first p50 ms', 'first p90 ms', 'first p99 ms', 'whole stream p50 ms', 'whole stream p99 ms'],
      [r.firstChunk.floor, r.firstChunk.gateway].map((x) => [
        x.target,
        ms(x.firstChunkMs.p50),
        ms(x.firstChunkMs.p90),
        ms(x.firstChunkMs.p99),
        ms(x.totalMs.p50),
        ms(x.totalMs.p99),
      ]),
    ),
  );
  out.push(`added first chunk (gateway - floor): p50 ${ms(r.firstChunk.addedP50Ms)} ms, p99 ${ms(r.firstChunk.addedP99Ms)} ms`);
  out.push('');
  out.push('Targets');
  out.push(
    table(
      ['target', 'goal', 'measured', 'result'],
      r.targets.map((t) => [t.name, t.goal, t.unit === 'ms' ? `${ms(t.measured)} ms` : t.measured.toFixed(3), t.pass ? 'PASS' : 'MISS']),
    ),
  );
  return out.join('\n');
}
