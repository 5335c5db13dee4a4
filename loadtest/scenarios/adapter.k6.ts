/**
 * Adapts a scenario definition to k6: its executor and thresholds become k6's `options`, its request
 * is sent with k6/http, its checks run with k6's check(), and the custom metrics are k6 Trends and
 * a Rate. Each `<scenario>.k6.ts` entry is this applied to one definition.
 *
 * k6's http module returns a stream only once it has ended, so k6 measures the time to first token
 * as the time to the response's first byte (`timings.waiting`). For the gateway the two are the
 * same: it sends a stream's headers together with its first chunk, never before.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { jsonAnswer, sseData, streamAnswer, tokensPerSecond } from './answer.ts';
import { CHAT_PATH } from './chat.ts';
import { METRICS, type ScenarioFactory } from './scenario.ts';
import { settingsFrom } from './settings.ts';

// Custom metrics must be made in k6's init context, i.e. when this module loads.
const ttft = new Trend(METRICS.ttft, true);
const tokenRate = new Trend(METRICS.tokensPerSecond);
const cacheHit = new Rate(METRICS.cacheHit);

/** The same statistics the Node runner prints. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

export interface K6Script {
  options: Options;
  iteration: () => void;
}

export function k6Script(factory: ScenarioFactory): K6Script {
  const settings = settingsFrom(__ENV);
  const scenario = factory(settings);
  const options: Options = {
    scenarios: { [scenario.name]: scenario.executor },
    thresholds: scenario.thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
  };
  const iteration = (): void => {
    const request = scenario.request({ vu: exec.vu.idInTest, index: exec.scenario.iterationInTest });
    // The name tag keeps one series for all the URLs (the prompts differ, the path does not).
    const response = http.post(request.url, request.body, { headers: request.headers, timeout: settings.timeout, tags: { name: CHAT_PATH } });
    const body = typeof response.body === 'string' ? response.body : '';
    const cache = response.headers['X-Llm-Hub-Cache'];
    const isStream = (response.headers['Content-Type'] ?? '').startsWith('text/event-stream');
    const answer = isStream ? streamAnswer(response.status, cache, sseData(body)) : jsonAnswer(response.status, cache, body);
    check(answer, scenario.checks);
    if (cache !== undefined) cacheHit.add(cache === 'HIT');
    if (request.stream && answer.content.length > 0) {
      ttft.add(response.timings.waiting);
      const rate = tokensPerSecond(answer.completionTokens, response.timings.waiting, response.timings.duration);
      if (rate !== undefined) tokenRate.add(rate);
    }
  };
  return { options, iteration };
}
