import { constantArrivals } from './arrivals.ts';
import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory } from './scenario.ts';
import { requestThresholds } from './slo.ts';

/** The expected load for hours: what only time shows (memory that grows, connections that leak). */
export const soak: ScenarioFactory = (settings) => ({
  name: 'soak',
  description: 'RATE requests/s for DURATION (an hour by default): leaks and slow drifts',
  executor: constantArrivals(settings, '1h'),
  thresholds: requestThresholds(settings.slo),
  request: (iteration) => chatRequest(settings, uniquePrompt(iteration), false),
  checks: ANSWER_CHECKS,
});
