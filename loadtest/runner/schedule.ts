/**
 * When k6's executors start work, as pure functions of a scenario's executor: the number of VUs
 * over time (constant-vus, ramping-vus) and the start time of each iteration (constant-arrival-rate,
 * ramping-arrival-rate). The runner (run.ts) only follows these, so they are what the unit spec
 * checks against k6's documented behaviour.
 */
import { durationMs } from '../scenarios/duration';
import type { ConstantArrivalRate, ConstantVus, Executor, RampingArrivalRate, RampingVus, Stage } from '../scenarios/scenario';

/** k6's defaults. */
const DEFAULT_TIME_UNIT = '1s';
const DEFAULT_START_VUS = 1;
const DEFAULT_GRACEFUL_STOP = '30s';

export type VuExecutor = ConstantVus | RampingVus;
export type ArrivalExecutor = ConstantArrivalRate | RampingArrivalRate;

export function isArrivalRate(executor: Executor): executor is ArrivalExecutor {
  return executor.executor === 'constant-arrival-rate' || executor.executor === 'ramping-arrival-rate';
}

/** Milliseconds of a duration the definitions wrote (settings.ts has already checked the user's). */
export function ms(duration: string): number {
  const value = durationMs(duration);
  if (value === undefined) throw new Error(`not a k6 duration: ${JSON.stringify(duration)}`);
  return value;
}

export function gracefulStopMs(executor: Executor): number {
  return ms(executor.gracefulStop ?? DEFAULT_GRACEFUL_STOP);
}

/** How long the executor schedules work (iterations still running then get the graceful stop). */
export function scheduleMs(executor: Executor): number {
  if (executor.executor === 'constant-vus' || executor.executor === 'constant-arrival-rate') return ms(executor.duration);
  return executor.stages.reduce((sum, stage) => sum + ms(stage.duration), 0);
}

/** Most VUs the executor runs at once: the size of the connection pool. */
export function maxVus(executor: Executor): number {
  switch (executor.executor) {
    case 'constant-vus':
      return executor.vus;
    case 'ramping-vus':
      return Math.max(executor.startVUs ?? DEFAULT_START_VUS, ...executor.stages.map((stage) => stage.target));
    default:
      return Math.max(executor.preAllocatedVUs, executor.maxVUs ?? 0);
  }
}

export interface VuStep {
  atMs: number;
  vus: number;
}

/**
 * The VU count as steps: from each step's time on, `vus` VUs run. In a ramping-vus stage the count
 * moves linearly from the last target to the stage's, one VU at a time, reaching the target at the
 * stage's end (a stage of 0s jumps at once), as k6 ramps.
 */
export function vuSteps(executor: VuExecutor): VuStep[] {
  if (executor.executor === 'constant-vus') return [{ atMs: 0, vus: executor.vus }];
  const steps: VuStep[] = [];
  const push = (atMs: number, vus: number) => {
    const last = steps[steps.length - 1];
    if (last && last.atMs === atMs) last.vus = vus;
    else if (!last || last.vus !== vus) steps.push({ atMs, vus });
  };
  let from = executor.startVUs ?? DEFAULT_START_VUS;
  let start = 0;
  push(0, from);
  for (const stage of executor.stages) {
    const length = ms(stage.duration);
    const to = stage.target;
    if (length === 0) push(start, to);
    else if (to > from) for (let v = from + 1; v <= to; v++) push(start + (length * (v - from)) / (to - from), v);
    else if (to < from) for (let v = from - 1; v >= to; v--) push(start + (length * (from - v)) / (from - to), v);
    start += length;
    from = to;
  }
  return steps;
}

/**
 * Start times (ms from the start) of every iteration of an arrival-rate executor, in order. The
 * rate moves linearly within a stage, so the number of arrivals by time t is the integral of the
 * rate; iteration k starts when that integral reaches k (the first at 0 when the rate starts above
 * 0). Lazy: a soak at a high rate has millions.
 */
export function* arrivalTimes(executor: ArrivalExecutor): Generator<number> {
  const unitMs = ms(executor.timeUnit ?? DEFAULT_TIME_UNIT);
  const stages: Stage[] =
    executor.executor === 'constant-arrival-rate' ? [{ duration: executor.duration, target: executor.rate }] : executor.stages;
  let rate = executor.executor === 'constant-arrival-rate' ? executor.rate : (executor.startRate ?? 0);
  let start = 0;
  /** Arrivals due before this stage (a fraction carries over: the integral is continuous). */
  let before = 0;
  let next = 0;
  for (const stage of stages) {
    const length = ms(stage.duration);
    const a = rate / unitMs;
    const b = stage.target / unitMs;
    const total = ((a + b) / 2) * length;
    const slope = length === 0 ? 0 : (b - a) / length;
    // Arrivals with before <= k < before + total start in this stage.
    for (; next < before + total - 1e-9; next++) {
      const n = next - before;
      const t = slope === 0 ? n / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * slope * n))) / slope;
      yield start + t;
    }
    before += total;
    start += length;
    rate = stage.target;
  }
}
