import { constantArrivals } from './arrivals.ts';
import { chatRequest } from './chat.ts';
import { cacheMixPrompt } from './prompts.ts';
import { ANSWER_CHECKS, type ScenarioFactory } from './scenario.ts';
import { cacheMixThresholds } from './slo.ts';

/**
 * Traffic the cache can serve: REPEAT_RATIO (90 %) of the requests repeat one of PROMPT_POOL
 * prompts, the rest are new. The hit rate (llm_cache_hit, from the x-llm-hub-cache header) is an
 * SLO of its own; across replicas it needs the shared Redis tier, or each replica misses once per
 * prompt.
 */
export const cacheMix: ScenarioFactory = (settings) => ({
  name: 'cache-mix',
  description: 'RATE requests/s, REPEAT_RATIO of them repeating PROMPT_POOL prompts: the cache hit rate',
  executor: constantArrivals(settings, '2m'),
  thresholds: cacheMixThresholds(settings.slo),
  request: (iteration) => chatRequest(settings, cacheMixPrompt(iteration, settings), false),
  checks: ANSWER_CHECKS,
});
