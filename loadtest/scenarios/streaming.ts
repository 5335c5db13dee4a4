import { chatRequest } from './chat.ts';
import { uniquePrompt } from './prompts.ts';
import { STREAM_CHECKS, type ScenarioFactory } from './scenario.ts';
import { streamThresholds } from './slo.ts';

/**
 * Streamed answers (SSE), as chat UIs ask for them: VUS users, each reading its stream to the end
 * before it asks again. Time to first token (llm_ttft) and tokens/s (llm_tokens_per_second) are
 * measured; the TTFT is an SLO.
 */
export const streaming: ScenarioFactory = (settings) => ({
  name: 'streaming',
  description: 'VUS users reading SSE streams to their end: time to first token and tokens/s',
  executor: { executor: 'constant-vus', vus: settings.vus ?? 10, duration: settings.duration ?? '2m' },
  thresholds: streamThresholds(settings.slo),
  request: (iteration) => chatRequest(settings, uniquePrompt(iteration), true),
  checks: STREAM_CHECKS,
});
