import { expectedRate, rampingArrivals } from './arrivals.ts';
import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory, type Stage } from './scenario.ts';
import { requestThresholds } from './slo.ts';

/** Steps of the expected rate the stress test climbs: where the SLOs break is the result. */
const STRESS_STEPS = [1, 2, 3, 4];

/** Beyond the expected load: RATE, then 2, 3 and 4 times it, each held for DURATION. */
export const stress: ScenarioFactory = (settings) => {
  const rate = expectedRate(settings);
  const ramp = settings.ramp ?? '30s';
  const hold = settings.duration ?? '2m';
  const stages: Stage[] = [];
  for (const step of STRESS_STEPS) stages.push({ duration: ramp, target: rate * step }, { duration: hold, target: rate * step });
  stages.push({ duration: ramp, target: 0 });
  return {
    name: 'stress',
    description: 'RATE, 2x, 3x and 4x RATE requests/s, each held for DURATION: where the SLOs break',
    // Up to 4 times the expected load: more VUs ready, and a higher cap.
    executor: rampingArrivals(settings, stages, { preAllocated: 100, max: 2000 }),
    thresholds: requestThresholds(settings.slo),
    request: (iteration) => chatRequest(settings, uniquePrompt(iteration), false),
    checks: ANSWER_CHECKS,
  };
};
