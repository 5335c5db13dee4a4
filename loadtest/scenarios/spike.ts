import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory } from './scenario.ts';
import { requestThresholds } from './slo.ts';

/** Share of the spike's users that make the traffic before and after it. */
const SPIKE_BASELINE = 0.1;

/**
 * A sudden crowd: a tenth of VUS users, then all VUS within RAMP, held for DURATION, then back. Users
 * here are closed loops (each sends its next request when its last one is answered), as people in
 * a chat UI are; the SLOs must hold through the spike, and the HPA must not flap after it.
 */
export const spike: ScenarioFactory = (settings) => {
  const peak = settings.vus ?? 100;
  const baseline = Math.max(1, Math.round(peak * SPIKE_BASELINE));
  const ramp = settings.ramp ?? '10s';
  return {
    name: 'spike',
    description: 'a tenth of VUS users, then VUS within RAMP, held for DURATION, then back: the SLOs through a sudden crowd',
    executor: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: ramp, target: baseline },
        { duration: '30s', target: baseline },
        { duration: ramp, target: peak },
        { duration: settings.duration ?? '1m', target: peak },
        { duration: ramp, target: baseline },
        { duration: '30s', target: baseline },
        { duration: ramp, target: 0 },
      ],
    },
    thresholds: requestThresholds(settings.slo),
    request: (iteration) => chatRequest(settings, uniquePrompt(iteration), false),
    checks: ANSWER_CHECKS,
  };
};
