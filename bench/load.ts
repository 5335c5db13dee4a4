/**
 * One autocannon run, in this process (no workers), against one target. Latency percentiles come
 * from the raw per-response times autocannon reports on its 'response' event (hrtime, sub-ms),
 * because its own histogram keeps whole milliseconds only, and that is too coarse for a 1 ms
 * target. Autocannon's own figures are kept next to them for reference.
 */
import autocannon from 'autocannon';
import { summarize, type LatencySummary } from './percentiles';

export interface Target {
  name: string;
  url: string;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** Requests per second over all connections (autocannon `overallRate`); unset = as fast as possible. */
  overallRate?: number;
  body: string;
}

export interface LoadResult {
  target: string;
  connections: number;
  durationS: number;
  overallRate: number | null;
  /** Responses received (any status). */
  responses: number;
  /** Autocannon's Req/Sec average (mean of its per-second samples). */
  reqPerSec: number;
  latencyMs: LatencySummary;
  autocannonLatencyMs: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  firstError: string | null;
  /** CPU seconds each process used during the run (filled in by run.ts; null where unknown). */
  cpuS?: Record<string, number | null>;
}

export const CHAT_PATH = '/v1/chat/completions';

/** One chat request outside a load run (probes and checks); the caller reads the body. */
export function postChat(target: Target, body: string, timeoutMs = 10_000): Promise<Response> {
  return fetch(target.url + CHAT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

export function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const samples: number[] = [];
  let firstError: string | null = null;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url + CHAT_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: options.body,
        connections: options.connections,
        duration: options.durationS,
        timeout: 10,
        overallRate: options.overallRate,
        // autocannon's limiter sends each connection's share at the start of every second; its
        // coordinated-omission correction assumes evenly spaced sends, so it is off (raw times).
        ignoreCoordinatedOmission: options.overallRate !== undefined,
        verifyBody: (body) => body.includes('Fake reply to:'),
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          target: target.name,
          connections: options.connections,
          durationS: result.duration,
          overallRate: options.overallRate ?? null,
          responses: samples.length,
          reqPerSec: result.requests.average,
          latencyMs: summarize(samples),
          autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
          firstError,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      samples.push(responseTimeMs);
    });
    instance.on('reqError', (error: Error) => {
      firstError ??= error.message;
    });
  });
}

/** Why a run cannot be trusted: anything but 200s with the fake's answer. Empty when clean. */
export function loadProblems(result: LoadResult): string[] {
  const problems: string[] = [];
  const label = `${result.target} (${result.overallRate ? `${result.overallRate} req/s` : `${result.connections} connections`})`;
  if (result.errors > 0) problems.push(`${label}: ${result.errors} errors (${result.timeouts} timeouts); first: ${result.firstError ?? 'n/a'}`);
  if (result.non2xx > 0) problems.push(`${label}: ${result.non2xx} non-2xx responses`);
  const other = Object.keys(result.statusCodes).filter((code) => code !== '200');
  if (other.length > 0) problems.push(`${label}: unexpected statuses ${JSON.stringify(result.statusCodes)}`);
  if (result.mismatches > 0) problems.push(`${label}: ${result.mismatches} bodies without the fake provider's reply`);
  if (result.responses === 0) problems.push(`${label}: no responses at all`);
  return problems;
}
