import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory } from './scenario.ts';
import { requestThresholds } from './slo.ts';

/** Does it work at all: one user for a short while, and not one failure. Run it before the others. */
export const smoke: ScenarioFactory = (settings) => ({
  name: 'smoke',
  description: 'one user, requests one after the other; any failure fails it',
  executor: { executor: 'constant-vus', vus: settings.vus ?? 1, duration: settings.duration ?? '30s' },
  thresholds: requestThresholds({ ...settings.slo, errorRate: 0 }),
  request: (iteration) => chatRequest(settings, uniquePrompt(iteration), false),
  checks: ANSWER_CHECKS,
});
