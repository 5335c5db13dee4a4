import { expectedRate, rampingArrivals } from './arrivals.ts';
import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory } from './scenario.ts';
import { requestThresholds } from './slo.ts';

/**
 * The expected traffic: requests arrive at RATE per second whatever the answers' latency (an open
 * model, like users of an API), after a ramp, for DURATION, then ramp down.
 */
export const load: ScenarioFactory = (settings) => {
  const rate = expectedRate(settings);
  const ramp = settings.ramp ?? '1m';
  return {
    name: 'load',
    description: 'RATE requests/s after a ramp, held for DURATION: the SLOs at the expected load',
    executor: rampingArrivals(settings, [
      { duration: ramp, target: rate },
      { duration: settings.duration ?? '5m', target: rate },
      { duration: ramp, target: 0 },
    ]),
    thresholds: requestThresholds(settings.slo),
    request: (iteration) => chatRequest(settings, uniquePrompt(iteration), false),
    checks: ANSWER_CHECKS,
  };
};
