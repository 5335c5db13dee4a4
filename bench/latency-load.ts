/**
 * One run of section 7: `inFlight` closed loops against one target, split over load processes
 * (latency-load-worker.ts) of at most LOOPS_PER_PROCESS connections each, with the CPU, peak
 * memory and open files of the benchmark's processes while it ran.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { withCpu } from './cpu';
import type { LatencyLoadPart, LatencyLoadSpec } from './latency-load-worker';
import { CHAT_PATH, type Target } from './load';
import { summarize, type LatencySummary } from './percentiles';
import { killOnExit } from './processes';
import { withPeaks, type Peak } from './resources';

const WORKER_MAIN = join(__dirname, 'latency-load-worker.js');
/** Each load process holds one socket per loop: 5,000 stays well under an open-file cap of 20,000. */
const LOOPS_PER_PROCESS = 5_000;

export interface LatencyLoadOptions {
  inFlight: number;
  body: string;
  expect: string;
  /** The upstream latency: the loops start spread over it, and it sizes the timeout. */
  latencyMs: number;
  warmupS: number;
  durationS: number;
}

export interface LatencyRun {
  target: string;
  inFlight: number;
  durationS: number;
  /** Good answers per second over the measurement window. */
  reqPerSec: number;
  /** Every answer in the window, good or not. */
  responses: number;
  latencyMs: LatencySummary;
  statusCodes: Record<string, number>;
  /** Transport failures and timeouts by code (warm-up included). */
  transportErrors: Record<string, number>;
  /** Anything but a 200 with the expected text, warm-up included: transport errors, other statuses, mismatches. */
  errors: number;
  firstProblem: string | null;
  /** Wall time of the whole run (ramp, warm-up, window and the last answers), s. */
  elapsedS: number;
  /** CPU seconds per process during the whole run (load processes summed as `bench`) and the machine's. */
  cpuS: Record<string, number | null>;
  peaks: Record<string, Peak>;
}

/** A request not answered whole within this many upstream latencies (and at least 30 s) is an error. */
const TIMEOUT_LATENCIES = 6;

export async function runLatencyLoad(target: Target, options: LatencyLoadOptions, pids: Record<string, number>): Promise<LatencyRun> {
  const processes = Math.ceil(options.inFlight / LOOPS_PER_PROCESS);
  const measureFromMs = (options.warmupS * 1000) + options.latencyMs;
  const spec = (connections: number): LatencyLoadSpec => ({
    url: target.url,
    path: CHAT_PATH,
    body: options.body,
    connections,
    rampMs: options.latencyMs,
    measureFromMs,
    measureToMs: measureFromMs + options.durationS * 1000,
    timeoutMs: Math.max(30_000, TIMEOUT_LATENCIES * options.latencyMs),
    expect: options.expect,
  });
  const shares = Array.from({ length: processes }, (_, i) => Math.floor(options.inFlight / processes) + (i < options.inFlight % processes ? 1 : 0));
  const started = performance.now();
  const {
    result: { result: parts, cpuS: measured },
    peaks,
  } = await withPeaks(pids, () => withCpu(pids, () => Promise.all(shares.map((n) => runWorker(spec(n))))));
  // The load processes are the benchmark's load generator, as autocannon in this process is elsewhere.
  const cpuS = { ...measured, bench: (measured.bench ?? 0) + parts.reduce((sum, p) => sum + p.cpuS, 0) };
  return { ...merge(target.name, options, parts), elapsedS: (performance.now() - started) / 1000, cpuS, peaks };
}

function merge(target: string, options: LatencyLoadOptions, parts: LatencyLoadPart[]): Omit<LatencyRun, 'elapsedS' | 'cpuS' | 'peaks'> {
  const statusCodes: Record<string, number> = {};
  const transportErrors: Record<string, number> = {};
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  };
  let ok = 0;
  let responses = 0;
  let mismatches = 0;
  for (const part of parts) {
    add(statusCodes, part.statusCodes);
    add(transportErrors, part.errors);
    ok += part.okInWindow;
    responses += part.responsesInWindow;
    mismatches += part.mismatches;
  }
  const notOk = Object.entries(statusCodes).reduce((n, [code, count]) => n + (code === '200' ? 0 : count), 0);
  const transport = Object.values(transportErrors).reduce((n, count) => n + count, 0);
  return {
    target,
    inFlight: options.inFlight,
    durationS: options.durationS,
    reqPerSec: ok / options.durationS,
    responses,
    latencyMs: summarize(parts.flatMap((p) => p.samples)),
    statusCodes,
    transportErrors,
    errors: notOk + transport + mismatches,
    firstProblem: parts.find((p) => p.firstProblem !== null)?.firstProblem ?? null,
  };
}

function runWorker(spec: LatencyLoadSpec): Promise<LatencyLoadPart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { PATH: process.env.PATH ?? '', LATENCY_LOAD_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`a latency load process exited with ${code}:\n${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LatencyLoadPart);
      } catch {
        reject(new Error(`a latency load process printed no result:\n${stdout.slice(-500)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}
