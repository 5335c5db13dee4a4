/**
 * The figures of an A/B section (4: resilience, 6: observability): two gateways that differ in one
 * switch, 'off' and 'on', get the same throughput run in turn (off, on, then on, off, ...); the
 * result is the medians per variant, the req/s cost of 'on' and its added CPU per request.
 */
import { otherCpuSeconds } from './cpu';
import type { LoadResult } from './load';
import { ms, table } from './table';

export type AbVariant = 'off' | 'on';

export const AB_VARIANTS: readonly AbVariant[] = ['off', 'on'];

export interface AbRun {
  variant: AbVariant;
  /** 1-based position in the sequence of runs (off, on, on, off, ...). */
  order: number;
  load: LoadResult;
  /** The measured gateway's own CPU per response, in µs; null when /proc is not readable. */
  cpuUsPerRequest: number | null;
}

/** Medians over one variant's runs. */
interface VariantSummary {
  runs: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number | null;
}

/** What a section measured, before the medians. */
export interface AbInput {
  connections: number;
  durationS: number;
  /** Each round is one run per variant; the order flips every round. */
  rounds: number;
  /** Node flags both gateways ran with. */
  nodeArgs: string[];
  runs: AbRun[];
}

interface AbFigures {
  off: VariantSummary;
  on: VariantSummary;
  /** 1 - median req/s (on) / median req/s (off). */
  cost: number;
  /** Median CPU µs per request, on - off; null when unknown. */
  cpuUsPerRequestAdded: number | null;
}

/** A section's result: its settings and runs, its own evidence `E` (what shows each gateway is what it claims), and the figures. */
export type AbCost<E extends object = object> = AbInput & E & AbFigures;

/** The order of the runs: off, on, then on, off, ... (ABBA, so a steady drift hits both alike). */
export function runOrder(rounds: number): AbVariant[] {
  const order: AbVariant[] = [];
  for (let round = 0; round < rounds; round++) order.push(...(round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)));
  return order;
}

/** Median (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** The measured gateway's own CPU per response in a run (its CPU is under `gateway`), in µs; null when unknown. */
export function gatewayCpuUsPerRequest(load: LoadResult): number | null {
  const own = load.cpuS?.gateway;
  return own == null || load.responses === 0 ? null : (own * 1e6) / load.responses;
}

function summarizeVariant(runs: AbRun[]): VariantSummary {
  const cpu = runs.map((r) => r.cpuUsPerRequest);
  return {
    runs: runs.length,
    reqPerSec: median(runs.map((r) => r.load.reqPerSec)),
    p50Ms: median(runs.map((r) => r.load.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.load.latencyMs.p99)),
    cpuUsPerRequest: cpu.some((x) => x === null) ? null : median(cpu as number[]),
  };
}

/** The medians and the cost; the section's evidence goes between the settings and the runs (the key order of the JSON). */
export function abCost<E extends object>(input: AbInput, evidence: E): AbCost<E> {
  const { connections, durationS, rounds, nodeArgs, runs } = input;
  const off = summarizeVariant(runs.filter((r) => r.variant === 'off'));
  const on = summarizeVariant(runs.filter((r) => r.variant === 'on'));
  const cpuUsPerRequestAdded = off.cpuUsPerRequest === null || on.cpuUsPerRequest === null ? null : on.cpuUsPerRequest - off.cpuUsPerRequest;
  return { connections, durationS, rounds, nodeArgs, ...evidence, runs, off, on, cost: 1 - on.reqPerSec / off.reqPerSec, cpuUsPerRequestAdded };
}

const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;
const us = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(1));

export interface AbFormat {
  /** First line, before the settings, e.g. `4. Resilience pipeline cost on the healthy path`. */
  title: string;
  /** Header of the variant column, e.g. `resilience`. */
  switchName: string;
  /** The section's evidence lines, printed above the table. */
  evidence: string[];
}

/** The section as printed: settings, evidence, one row per run and per median, the cost and the CPU difference. */
export function formatAbCost(r: AbCost, f: AbFormat): string {
  const header = ['run', f.switchName, 'req/s', 'responses', 'p50 ms', 'p99 ms', 'gateway CPU s', 'anything else CPU s', 'gateway CPU us/req'];
  const rows = r.runs.map((x) => [
    String(x.order),
    x.variant,
    x.load.reqPerSec.toFixed(0),
    String(x.load.responses),
    ms(x.load.latencyMs.p50),
    ms(x.load.latencyMs.p99),
    x.load.cpuS?.gateway == null ? 'n/a' : x.load.cpuS.gateway.toFixed(2),
    otherCpuSeconds(x.load.cpuS)?.toFixed(2) ?? 'n/a',
    us(x.cpuUsPerRequest),
  ]);
  for (const variant of AB_VARIANTS) {
    const s = r[variant];
    rows.push([`median`, variant, s.reqPerSec.toFixed(0), '', ms(s.p50Ms), ms(s.p99Ms), '', '', us(s.cpuUsPerRequest)]);
  }
  const added = r.cpuUsPerRequestAdded;
  const addedText =
    added === null || r.off.cpuUsPerRequest === null
      ? 'n/a'
      : `${added >= 0 ? '+' : ''}${added.toFixed(1)} us (${added >= 0 ? '+' : ''}${pct(added / r.off.cpuUsPerRequest)})`;
  return [
    `${f.title}: ${r.connections} connections, ${r.durationS} s per run, ${r.rounds} run(s) per variant in the order ${runOrder(r.rounds).join(', ')}`,
    `both gateways run with node flags: ${r.nodeArgs.length > 0 ? r.nodeArgs.join(' ') : '(none)'}`,
    ...f.evidence,
    table(header, rows),
    `cost (1 - median req/s on / median req/s off): ${pct(r.cost)}`,
    `gateway CPU per request, on - off (medians): ${addedText}`,
  ].join('\n');
}
