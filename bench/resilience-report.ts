/**
 * Section 4's figures: the resilience pipeline's cost on the healthy path, from alternating runs
 * against a gateway with `resilience.enabled: false` and one with the default (enabled).
 */
import { otherCpuSeconds } from './cpu';
import type { LoadResult } from './load';
import { ms, table } from './table';

export type ResilienceVariant = 'off' | 'on';

export interface ResilienceRun {
  variant: ResilienceVariant;
  /** 1-based position in the sequence of runs (off, on, on, off, ...). */
  order: number;
  load: LoadResult;
  /** The measured gateway's own CPU per response, in µs; null when /proc is not readable. */
  cpuUsPerRequest: number | null;
}

/** Medians over one variant's runs. */
export interface VariantSummary {
  runs: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number | null;
}

export interface ResilienceCost {
  connections: number;
  durationS: number;
  /** Each round is one run per variant; the order flips every round. */
  rounds: number;
  /** Node flags both gateways ran with. */
  nodeArgs: string[];
  /** Upstream attempts each gateway made for one request the fake failed with 503: shows which one runs the pipeline. */
  attemptsFor503: Record<ResilienceVariant, number>;
  runs: ResilienceRun[];
  off: VariantSummary;
  on: VariantSummary;
  /** 1 - median req/s (on) / median req/s (off). */
  cost: number;
  /** Median CPU µs per request, on - off; null when unknown. */
  cpuUsPerRequestAdded: number | null;
}

/** The order of the runs: off, on, then on, off, ... (ABBA, so a steady drift hits both alike). */
export function runOrder(rounds: number): ResilienceVariant[] {
  const order: ResilienceVariant[] = [];
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

function summarizeVariant(runs: ResilienceRun[]): VariantSummary {
  const cpu = runs.map((r) => r.cpuUsPerRequest);
  return {
    runs: runs.length,
    reqPerSec: median(runs.map((r) => r.load.reqPerSec)),
    p50Ms: median(runs.map((r) => r.load.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.load.latencyMs.p99)),
    cpuUsPerRequest: cpu.some((x) => x === null) ? null : median(cpu as number[]),
  };
}

export function resilienceCost(input: Pick<ResilienceCost, 'connections' | 'durationS' | 'rounds' | 'nodeArgs' | 'attemptsFor503' | 'runs'>): ResilienceCost {
  const off = summarizeVariant(input.runs.filter((r) => r.variant === 'off'));
  const on = summarizeVariant(input.runs.filter((r) => r.variant === 'on'));
  const cpuUsPerRequestAdded = off.cpuUsPerRequest === null || on.cpuUsPerRequest === null ? null : on.cpuUsPerRequest - off.cpuUsPerRequest;
  return { ...input, off, on, cost: 1 - on.reqPerSec / off.reqPerSec, cpuUsPerRequestAdded };
}

const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;
const us = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(1));

export function formatResilience(r: ResilienceCost): string {
  const header = ['run', 'resilience', 'req/s', 'responses', 'p50 ms', 'p99 ms', 'gateway CPU s', 'anything else CPU s', 'gateway CPU us/req'];
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
  for (const variant of ['off', 'on'] as const) {
    const s = r[variant];
    rows.push([`median`, variant, s.reqPerSec.toFixed(0), '', ms(s.p50Ms), ms(s.p99Ms), '', '', us(s.cpuUsPerRequest)]);
  }
  const added = r.cpuUsPerRequestAdded;
  const addedText =
    added === null || r.off.cpuUsPerRequest === null
      ? 'n/a'
      : `${added >= 0 ? '+' : ''}${added.toFixed(1)} us (${added >= 0 ? '+' : ''}${pct(added / r.off.cpuUsPerRequest)})`;
  return [
    `4. Resilience pipeline cost on the healthy path: ${r.connections} connections, ${r.durationS} s per run, ${r.rounds} run(s) per variant in the order ${runOrder(r.rounds).join(', ')}`,
    `both gateways run with node flags: ${r.nodeArgs.length > 0 ? r.nodeArgs.join(' ') : '(none)'}`,
    `upstream attempts for one request the fake fails with 503: off ${r.attemptsFor503.off}, on ${r.attemptsFor503.on}`,
    table(header, rows),
    `cost (1 - median req/s on / median req/s off): ${pct(r.cost)}`,
    `gateway CPU per request, on - off (medians): ${addedText}`,
  ].join('\n');
}
