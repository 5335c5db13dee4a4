import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS } from '../scenarios/scenario';
import { settingsFrom } from '../scenarios/settings';
import { runMetrics } from './metrics';
import { scheduleMs } from './schedule';
import { SCENARIOS } from './scenarios';
import { parseThresholds } from './thresholds';

/** One set of definitions for k6 and the runner: the two must see the same scenarios. */
const DIR = join(__dirname, '../scenarios');
const NAMES = Object.keys(SCENARIOS);
const settings = settingsFrom({});

describe('the scenarios', () => {
  it('are the seven of the design, each named as the runner and k6 call it', () => {
    expect(NAMES).toEqual(['smoke', 'load', 'stress', 'spike', 'soak', 'cache-mix', 'streaming']);
    for (const name of NAMES) expect(SCENARIOS[name](settings).name).toBe(name);
  });

  it('each has a k6 entry that only adapts its definition (the same factory, through adapter.k6.ts)', () => {
    const entries = readdirSync(DIR).filter((file) => file.endsWith('.k6.ts') && file !== 'adapter.k6.ts');
    expect(entries.sort()).toEqual(NAMES.map((name) => `${name}.k6.ts`).sort());
    for (const name of NAMES) {
      const text = readFileSync(join(DIR, `${name}.k6.ts`), 'utf8');
      const factory = /import \{ (\w+) \} from '\.\/([\w-]+)\.ts';/.exec(text);
      expect(factory?.[2]).toBe(name);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
      expect(SCENARIOS[name]).toBe(require(join(DIR, name))[factory![1]]);
      expect(text).toContain(`const script = k6Script(${factory![1]});`);
      expect(text).toMatch(/export const options = script\.options;\s+export default script\.iteration;/);
    }
  });

  it.each(NAMES)('%s: its thresholds are ones the runner evaluates, and its schedule ends', (name) => {
    for (const env of [{}, { VUS: '3', RATE: '7', DURATION: '2s', RAMP: '1s', MAX_VUS: '9' }]) {
      const definition = SCENARIOS[name](settingsFrom(env));
      expect(parseThresholds(definition.thresholds, runMetrics(() => 0)).length).toBeGreaterThan(0);
      expect(scheduleMs(definition.executor)).toBeGreaterThan(0);
    }
  });

  it('follow the settings: DURATION, VUS and RATE reach the executor', () => {
    const env = { VUS: '3', RATE: '7', DURATION: '2s', MAX_VUS: '9' };
    expect(SCENARIOS.smoke(settingsFrom(env)).executor).toEqual({ executor: 'constant-vus', vus: 3, duration: '2s' });
    expect(SCENARIOS['cache-mix'](settingsFrom(env)).executor).toMatchObject({ executor: 'constant-arrival-rate', rate: 7, duration: '2s', preAllocatedVUs: 3, maxVUs: 9 });
    expect(SCENARIOS.stress(settingsFrom(env)).executor).toMatchObject({ executor: 'ramping-arrival-rate' });
    expect(Math.max(...(SCENARIOS.stress(settingsFrom(env)).executor as { stages: Array<{ target: number }> }).stages.map((s) => s.target))).toBe(28);
  });

  it('gate on the SLOs: latency for answers, TTFT for streams, the hit rate for the cache mix, no failure at all for smoke', () => {
    expect(SCENARIOS.load(settings).thresholds).toEqual({ http_req_duration: ['p(95)<5000', 'p(99)<10000'], http_req_failed: ['rate<=0.01'], checks: ['rate>=0.99'] });
    expect(SCENARIOS.streaming(settings).thresholds).toEqual({ [METRICS.ttft]: ['p(95)<2000'], http_req_failed: ['rate<=0.01'], checks: ['rate>=0.99'] });
    expect(SCENARIOS['cache-mix'](settings).thresholds[METRICS.cacheHit]).toEqual(['rate>=0.8']);
    expect(SCENARIOS.smoke(settings).thresholds).toMatchObject({ http_req_failed: ['rate<=0'], checks: ['rate>=1'] });
  });

  it('send what they say: streams only in streaming, with usage; the key only when set', () => {
    for (const name of NAMES) {
      const request = SCENARIOS[name](settingsFrom({ API_KEY: 'sk-load' })).request({ vu: 1, index: 0 });
      const body = JSON.parse(request.body) as { model: string; stream?: boolean; stream_options?: unknown };
      expect(request.url).toBe('http://127.0.0.1:3000/v1/chat/completions');
      expect(request.headers.authorization).toBe('Bearer sk-load');
      expect(body.model).toBe('mock/mock-1');
      expect(request.stream).toBe(name === 'streaming');
      expect(body.stream === true).toBe(name === 'streaming');
      if (request.stream) expect(body.stream_options).toEqual({ include_usage: true });
    }
    expect(SCENARIOS.smoke(settings).request({ vu: 1, index: 0 }).headers.authorization).toBeUndefined();
    const suffixed = SCENARIOS.smoke(settingsFrom({ PROMPT_SUFFIX: '[[fake latency=500]]' })).request({ vu: 1, index: 0 });
    expect(JSON.parse(suffixed.body).messages[0].content).toMatch(/ \[\[fake latency=500\]\]$/);
  });
});
