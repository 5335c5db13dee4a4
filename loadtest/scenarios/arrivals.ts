/**
 * The arrival-rate executors of the scenarios that model API traffic (load, stress, soak, cache
 * mix): requests start at a rate whatever the answers' latency, and the expected rate, the VUs
 * kept ready and the cap on requests in flight are the same for all of them unless set.
 */
import type { ConstantArrivalRate, RampingArrivalRate, Stage } from './scenario.ts';
import type { Settings } from './settings.ts';

/** Requests per second when RATE is not set. */
const EXPECTED_RATE = 20;

interface Vus {
  /** VUs made before the start (k6 makes more, up to the cap, when they are all busy). */
  preAllocated: number;
  /** At most this many requests in flight: an arrival beyond it is dropped. */
  max: number;
}

const API_TRAFFIC: Vus = { preAllocated: 50, max: 500 };

export function expectedRate(settings: Settings): number {
  return settings.rate ?? EXPECTED_RATE;
}

export function constantArrivals(settings: Settings, duration: string): ConstantArrivalRate {
  return {
    executor: 'constant-arrival-rate',
    rate: expectedRate(settings),
    timeUnit: '1s',
    duration: settings.duration ?? duration,
    preAllocatedVUs: settings.vus ?? API_TRAFFIC.preAllocated,
    maxVUs: settings.maxVus ?? API_TRAFFIC.max,
  };
}

/** Ramping from 0 through the stages; `vus` for a shape that needs more than the expected load. */
export function rampingArrivals(settings: Settings, stages: Stage[], vus: Vus = API_TRAFFIC): RampingArrivalRate {
  return {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs: settings.vus ?? vus.preAllocated,
    maxVUs: settings.maxVus ?? vus.max,
    stages,
  };
}
