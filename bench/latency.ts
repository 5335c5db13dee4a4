/**
 * Section 7: the gateway against the floor at realistic LLM latencies. The fake answers after
 * 500 ms or 5 s (streams: the first chunk after a fifth of it, the rest spread over the remainder),
 * with 2,000 or 10,000 requests in flight, JSON and streams. Both targets get the same upstream
 * protocol: HTTP/1.1 where the gateway can hold a client socket and an upstream socket for every
 * call within this process's open-file limit, else HTTP/2 (h2c to the fake's second listener);
 * HTTP/2 also runs at the lower count and the shorter latency, for comparison. The gateway runs
 * with its defaults (cache off, as every bench gateway), `http2: on` for the HTTP/2 runs, a
 * per-provider limit raised to the count in flight where that is above the default, and the heap
 * bound it has in production (PRODUCTION_HEAP_ARGS), so its peak RSS is the one a pod would see.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';
import { runLatencyLoad, type LatencyRun } from './latency-load';
import type { Target } from './load';
import { GATEWAY_MODEL, startFakeProvider, startFloor, startGateway, stopChecked, type Child } from './processes';
import { PRODUCTION_HEAP_ARGS } from '../scripts/lib/production-heap';

export type UpstreamProtocol = 'http/1.1' | 'h2';
export type AnswerKind = 'json' | 'stream';

export interface LatencySettings {
  latenciesMs: number[];
  inFlight: number[];
  warmupS: number;
  /** Seconds measured per run at the shortest latency; longer latencies get at least 4 of their own. */
  durationS: number;
}

export interface LatencyCase {
  latencyMs: number;
  inFlight: number;
  kind: AnswerKind;
  protocol: UpstreamProtocol;
  /** The fake directive the requests carry. */
  directive: string;
  floor: LatencyRun;
  gateway: LatencyRun;
  /** gateway / floor good answers per second. */
  ratio: number;
}

export interface LatencyResults {
  settings: LatencySettings;
  /** This process's soft limit on open files (the children inherit it); null when unknown. */
  openFileLimit: number | null;
  cases: LatencyCase[];
}

export interface LatencyOptions extends LatencySettings {
  nodeArgs: string[];
  log: (message: string) => void;
}

/** Content chunks of a stream: a real answer has hundreds of tokens, in fewer, larger chunks here. */
const STREAM_CHUNKS = 20;
/** Events of a fake OpenAI stream besides its content chunks: the role chunk, the finish chunk and [DONE]. */
const STREAM_OTHER_EVENTS = 3;
/** Open files a process needs besides its sockets (modules, logs, pipes, epoll). */
const FD_HEADROOM = 1_000;

/** The fake directive for one case: streams spend a fifth of the latency before the first chunk. */
export function latencyDirective(kind: AnswerKind, latencyMs: number): string {
  if (kind === 'json') return `[[fake latency=${latencyMs}]]`;
  const firstMs = Math.round(latencyMs / 5);
  const gapMs = Math.round((latencyMs - firstMs) / (STREAM_CHUNKS + STREAM_OTHER_EVENTS - 1));
  return `[[fake latency=${firstMs} chunks=${STREAM_CHUNKS} chunk-delay=${gapMs}]]`;
}

/** HTTP/1.1 when a client and an upstream socket per call fit under the open-file limit. */
export function protocolFor(inFlight: number, openFileLimit: number | null): UpstreamProtocol {
  return openFileLimit !== null && 2 * inFlight + FD_HEADROOM > openFileLimit ? 'h2' : 'http/1.1';
}

/** Seconds measured in a run at this latency. */
function durationFor(settings: Pick<LatencySettings, 'durationS'>, latencyMs: number): number {
  return Math.max(settings.durationS, Math.ceil((4 * latencyMs) / 1000));
}

/** How long the section takes, roughly (for the run's watchdog). */
export function plannedSeconds(settings: LatencySettings, openFileLimit: number | null): number {
  return planCases(settings, openFileLimit).reduce(
    (total, c) => total + 2 * (settings.warmupS + durationFor(settings, c.latencyMs) + (2 * c.latencyMs) / 1000 + 10),
    30,
  );
}

interface PlannedCase {
  latencyMs: number;
  inFlight: number;
  kind: AnswerKind;
  protocol: UpstreamProtocol;
}

export function planCases(settings: LatencySettings, openFileLimit: number | null): PlannedCase[] {
  const cases: PlannedCase[] = [];
  const shortest = Math.min(...settings.latenciesMs);
  const lowest = Math.min(...settings.inFlight);
  for (const inFlight of settings.inFlight) {
    for (const latencyMs of settings.latenciesMs) {
      for (const kind of ['json', 'stream'] as const) {
        const protocol = protocolFor(inFlight, openFileLimit);
        cases.push({ latencyMs, inFlight, kind, protocol });
        if (protocol === 'http/1.1' && inFlight === lowest && latencyMs === shortest) cases.push({ latencyMs, inFlight, kind, protocol: 'h2' });
      }
    }
  }
  return cases;
}

/** The soft limit on open files of this process, from /proc/self/limits; null when unknown. */
export function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function chatBody(kind: AnswerKind, directive: string): string {
  return JSON.stringify({
    model: GATEWAY_MODEL,
    ...(kind === 'stream' ? { stream: true } : {}),
    messages: [{ role: 'user', content: `Say hello to the benchmark in one short sentence. ${directive}` }],
  });
}

export async function measureLatency(options: LatencyOptions, problems: string[]): Promise<LatencyResults> {
  const limit = openFileLimit();
  const planned = planCases(options, limit);
  const cases: LatencyCase[] = [];
  const fake = await startFakeProvider({ H2C_PORT: '0' });
  try {
    for (const protocol of ['http/1.1', 'h2'] as const) {
      const mine = planned.filter((c) => c.protocol === protocol);
      if (mine.length === 0) continue;
      const upstream = protocol === 'h2' ? fake.h2cUrl! : fake.url;
      const http2 = protocol === 'h2' ? 'on' : 'auto';
      // Past the default per-provider limit, both get a limit that admits every request (the gateway's bulkhead, the floor's pool).
      const most = Math.max(...mine.map((c) => c.inFlight));
      const raised = most > DEFAULT_UPSTREAM_CONCURRENCY;
      options.log(`realistic latency: starting a floor and a gateway speaking ${protocol} to the fake${raised ? `, ${most} calls per provider at most` : ''}`);
      const children: Child[] = await Promise.all([
        startFloor(upstream, { UPSTREAM_HTTP2: http2, ...(raised ? { UPSTREAM_MAX_CONCURRENT: String(most) } : {}) }, `floor (${protocol})`),
        startGateway(upstream, [...PRODUCTION_HEAP_ARGS, ...options.nodeArgs], {
          name: `gateway (${protocol})`,
          provider: { http2 },
          config: raised ? { resilience: { defaults: { bulkhead: { maxConcurrent: most } } } } : undefined,
        }),
      ]);
      const [floorChild, gatewayChild] = children;
      try {
        const pids = { bench: process.pid, fake: fake.pid, floor: floorChild.pid, gateway: gatewayChild.pid };
        const floor: Target = { name: 'floor', url: floorChild.url };
        const gateway: Target = { name: 'gateway', url: gatewayChild.url };
        for (const c of mine) {
          const directive = latencyDirective(c.kind, c.latencyMs);
          const load = {
            inFlight: c.inFlight,
            body: chatBody(c.kind, directive),
            expect: c.kind === 'stream' ? 'data: [DONE]' : 'Fake reply to:',
            latencyMs: c.latencyMs,
            warmupS: options.warmupS,
            durationS: durationFor(options, c.latencyMs),
          };
          const runs: Record<string, LatencyRun> = {};
          for (const target of [floor, gateway]) {
            options.log(`realistic latency: ${target.name}, ${c.inFlight} in flight, ${c.kind}, ${c.latencyMs} ms upstream over ${protocol}, ${load.durationS} s`);
            const run = await runLatencyLoad(target, load, pids);
            if (run.firstProblem !== null && target === floor) problems.push(`realistic latency: the floor failed (${c.inFlight} in flight, ${c.kind}, ${c.latencyMs} ms, ${protocol}): ${run.firstProblem}`);
            runs[target.name] = run;
          }
          cases.push({ ...c, directive, floor: runs.floor, gateway: runs.gateway, ratio: runs.gateway.reqPerSec / runs.floor.reqPerSec });
        }
      } finally {
        for (const child of children) await stopChecked(child, problems);
      }
    }
  } finally {
    await stopChecked(fake, problems);
  }
  return { settings: { latenciesMs: options.latenciesMs, inFlight: options.inFlight, warmupS: options.warmupS, durationS: options.durationS }, openFileLimit: limit, cases };
}
