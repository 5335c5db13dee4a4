/**
 * Runs a scenario as k6 would: its executor's schedule (schedule.ts) starts iterations, each sends
 * the scenario's request (exchange.ts), and the recorder turns the answers into k6's metrics.
 *
 * The run always ends by itself: the schedule has an end, iterations still running then get the
 * executor's gracefulStop and are interrupted after it (as in k6), every request has the TIMEOUT
 * setting, and `maxIterations` and the `stop` signal end it sooner. Concurrency is bounded by the
 * executor's VUs (maxVUs for arrival rates, beyond which an arrival is dropped and counted), and so
 * are connections: one keep-alive pool with at most that many sockets.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { ScenarioDefinition } from '../scenarios/scenario';
import type { Settings } from '../scenarios/settings';
import { exchange } from './exchange';
import { Recorder } from './recorder';
import { arrivalTimes, gracefulStopMs, isArrivalRate, maxVus, ms, scheduleMs, vuSteps, type ArrivalExecutor, type VuExecutor } from './schedule';

export interface Progress {
  elapsedMs: number;
  scheduleMs: number;
  inFlight: number;
  iterations: number;
  failed: number;
}

export interface RunOptions {
  /** Start no more iterations than this. */
  maxIterations?: number;
  /** Stops the run at once: no more iterations, in-flight requests interrupted (a SIGTERM). */
  stop?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  progressIntervalMs?: number;
}

export type StoppedBy = 'schedule' | 'max-iterations' | 'signal';

export interface RunOutcome {
  recorder: Recorder;
  startedAt: Date;
  elapsedMs: number;
  stoppedBy: StoppedBy;
}

/** Resolves at `atMs` after `started`, or as soon as the signal aborts. */
async function waitUntil(started: number, atMs: number, signal: AbortSignal): Promise<void> {
  const wait = atMs - (performance.now() - started);
  if (wait > 0 && !signal.aborted) await sleep(wait, undefined, { signal }).catch(() => undefined);
}

export async function runScenario(definition: ScenarioDefinition, settings: Settings, options: RunOptions = {}): Promise<RunOutcome> {
  const { executor } = definition;
  const startedAt = new Date();
  const started = performance.now();
  /** Set when the run ends, so that every rate of the result divides by the same time. */
  let endedAt: number | undefined;
  const elapsedMs = () => (endedAt ?? performance.now()) - started;
  const recorder = new Recorder(definition.checks, () => elapsedMs() / 1000);
  const agent = new Agent({ connections: maxVus(executor), keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });
  const timeoutMs = ms(settings.timeout);
  const endMs = scheduleMs(executor);
  /** Aborted when no more iterations may start: the schedule's end, maxIterations, or `stop`. */
  const scheduling = new AbortController();
  /** Aborted to cut the requests in flight short. */
  const interrupt = new AbortController();
  let stoppedBy: StoppedBy = 'schedule';
  const onStop = () => {
    stoppedBy = 'signal';
    scheduling.abort();
    interrupt.abort();
  };
  if (options.stop?.aborted) onStop();
  options.stop?.addEventListener('abort', onStop, { once: true });

  let nextIndex = 0;
  const inFlight = new Set<Promise<boolean>>();
  const canStart = () => !scheduling.signal.aborted && elapsedMs() < endMs;
  const iterate: Iterate = (vu) => {
    const index = nextIndex++;
    if (options.maxIterations !== undefined && nextIndex >= options.maxIterations) {
      stoppedBy = 'max-iterations';
      scheduling.abort();
    }
    const request = definition.request({ vu, index });
    const done = exchange(agent, request, timeoutMs, interrupt.signal).then((result) => {
      recorder.record(result, request.stream);
      return result.transportError === undefined;
    });
    inFlight.add(done);
    return done.finally(() => inFlight.delete(done));
  };

  const progress = options.onProgress
    ? setInterval(() => {
        const m = recorder.metrics;
        options.onProgress!({ elapsedMs: elapsedMs(), scheduleMs: endMs, inFlight: inFlight.size, iterations: m.iterations.count, failed: m.http_req_failed.passes });
      }, options.progressIntervalMs ?? 10_000).unref()
    : undefined;

  try {
    if (!scheduling.signal.aborted && options.maxIterations !== 0) {
      const schedule = isArrivalRate(executor)
        ? runArrivals(executor, started, scheduling.signal, canStart, iterate, () => recorder.dropped(), () => inFlight.size)
        : runVus(executor, started, scheduling.signal, canStart, iterate);
      await schedule;
    }
    scheduling.abort();
    // Iterations still running get the graceful stop, then are cut short.
    if (inFlight.size > 0) await Promise.race([Promise.all(inFlight), sleep(gracefulStopMs(executor), undefined, { signal: interrupt.signal }).catch(() => undefined)]);
    interrupt.abort();
    await Promise.all(inFlight);
  } finally {
    if (progress) clearInterval(progress);
    options.stop?.removeEventListener('abort', onStop);
    await agent.destroy();
    endedAt = performance.now();
  }
  return { recorder, startedAt, elapsedMs: elapsedMs(), stoppedBy };
}

/** constant-vus and ramping-vus: closed loops, started and stopped as the VU steps say. */
/** How long a VU waits after a transport error before its next iteration. */
const PAUSE_AFTER_TRANSPORT_ERROR_MS = 100;

/** One iteration; resolves with false when its request got no answer at all (a transport error). */
type Iterate = (vu: number) => Promise<boolean>;

async function runVus(executor: VuExecutor, started: number, signal: AbortSignal, canStart: () => boolean, iterate: Iterate): Promise<void> {
  let target = 0;
  const running = new Map<number, Promise<void>>();
  // A VU above the target finishes its iteration and stops (k6's graceful ramp-down).
  const loop = async (vu: number): Promise<void> => {
    while (vu <= target && canStart()) {
      // Unlike k6, a loop whose request could not even be sent waits a moment before the next:
      // against a target that refuses connections it would otherwise spin a core.
      if (!(await iterate(vu))) await sleep(PAUSE_AFTER_TRANSPORT_ERROR_MS, undefined, { signal }).catch(() => undefined);
    }
    running.delete(vu);
  };
  for (const step of vuSteps(executor)) {
    await waitUntil(started, step.atMs, signal);
    if (signal.aborted) break;
    target = step.vus;
    for (let vu = 1; vu <= target; vu++) if (!running.has(vu)) running.set(vu, loop(vu));
  }
  await waitUntil(started, scheduleMs(executor), signal);
  // Loops end when their iteration does (canStart is false now); run() bounds that with the graceful stop.
}

/** constant-arrival-rate and ramping-arrival-rate: iterations start on time, whether earlier ones finished or not. */
async function runArrivals(
  executor: ArrivalExecutor,
  started: number,
  signal: AbortSignal,
  canStart: () => boolean,
  iterate: Iterate,
  dropped: () => void,
  inFlight: () => number,
): Promise<void> {
  const limit = maxVus(executor);
  const idle: number[] = [];
  let vus = 0;
  for (const atMs of arrivalTimes(executor)) {
    await waitUntil(started, atMs, signal);
    if (!canStart()) break;
    if (inFlight() >= limit) {
      dropped();
      continue;
    }
    const vu = idle.pop() ?? ++vus;
    void iterate(vu).finally(() => idle.push(vu));
  }
}
