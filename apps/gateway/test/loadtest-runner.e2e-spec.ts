import { join } from 'node:path';
import type { LoadResult } from '../../../loadtest/runner/result';
import { describeRun, runChild, spawnChild, type RunResult } from './support/children';
import { sample, scrape } from './support/observed';
import { eventually, fakeStats, ROOT, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The Node load runner (loadtest/runner/, the k6 scenarios' other driver) as a real process against
 * a real gateway and fake provider, as a Kubernetes Job runs it: settings from the environment, the
 * JSON result as the last line of stdout, k6's exit codes. Runs are seconds long (DURATION), and
 * the SLOs the defaults, far above what the fake takes: no timing is asserted beyond the runner's
 * own thresholds.
 */
const RUNNER_MAIN = join(ROOT, 'dist/loadtest/runner/main.js');
/** A run is DURATION plus start-up; this only bounds a runner that would not stop by itself. */
const RUN_TIMEOUT_MS = 60_000;

let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: { fake: { type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key-loadtest-e2e', models: ['m'] } } });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

function runner(env: Record<string, string>, args: string[] = []): Promise<RunResult> {
  return runChild(process.execPath, [RUNNER_MAIN, ...args], {
    timeoutMs: RUN_TIMEOUT_MS,
    env: { PATH: process.env.PATH ?? '', TARGET_URL: gateway.url, MODEL: 'fake/m', ...env },
  });
}

/** The JSON result: the last line of stdout, as a Job's log is read. */
function resultOf(run: RunResult): LoadResult {
  const last = run.stdout.trimEnd().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as LoadResult;
  } catch {
    throw new Error(describeRun('the runner printed no JSON result last; it', run));
  }
}

const upstreamCalls = async () => (await fakeStats(fake.url)).byRoute['openai.chat.completions'] ?? 0;

describe('load runner', () => {
  it('smoke: runs for DURATION, every request answered and sent upstream (each prompt is new), thresholds passed, exit 0', async () => {
    const before = await upstreamCalls();
    const run = await runner({ SCENARIO: 'smoke', VUS: '2', DURATION: '2s' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const result = resultOf(run);
    expect(result).toMatchObject({ scenario: 'smoke', executor: 'constant-vus: 2 VUs for 2s', target: gateway.url, model: 'fake/m', stoppedBy: 'schedule', failed: 0, thresholdsPassed: true });
    expect(result.requests).toBeGreaterThan(2);
    expect(result.statusCodes).toEqual({ '200': result.requests });
    expect(result.cache.counts).toEqual({ MISS: result.requests });
    expect(result.checks['answer has content']).toEqual({ passes: result.requests, fails: 0 });
    expect(result.latencyMs?.count).toBe(result.requests);
    expect((await upstreamCalls()) - before).toBe(result.requests);
    // The k6-like summary comes before it.
    expect(run.stdout).toContain("✓ 'p(95)<5000'");
    expect(run.stdout).toContain('all thresholds passed');
  });

  it('cache mix: 90 % repeated prompts are cache hits at the gateway, as its header and its metrics say; only misses go upstream', async () => {
    const metricsBefore = await scrape(gateway);
    const upstreamBefore = await upstreamCalls();
    const run = await runner({ SCENARIO: 'cache-mix', RATE: '50', DURATION: '4s', PROMPT_POOL: '5' });
    expect(run.code).toBe(0);
    const result = resultOf(run);
    const hits = result.cache.counts.HIT ?? 0;
    const misses = result.cache.counts.MISS ?? 0;
    expect(result).toMatchObject({ scenario: 'cache-mix', failed: 0, thresholdsPassed: true });
    expect(hits + misses).toBe(result.requests);
    // One new prompt in ten; each pool prompt may miss once (its first time, in this gateway's lifetime).
    const unique = Math.floor(result.requests / 10);
    expect(misses).toBeGreaterThanOrEqual(unique);
    expect(misses).toBeLessThanOrEqual(unique + 5);
    expect(result.cache.hitRate).toBeGreaterThanOrEqual(0.8);
    expect(result.thresholds).toContainEqual({ metric: 'llm_cache_hit', expression: 'rate>=0.8', value: result.cache.hitRate, ok: true });
    const metricsAfter = await scrape(gateway);
    const hitsCounted = sample(metricsAfter, 'llm_hub_cache_lookups_total', { result: 'hit' }) - sample(metricsBefore, 'llm_hub_cache_lookups_total', { result: 'hit' });
    expect(hitsCounted).toBe(hits);
    expect((await upstreamCalls()) - upstreamBefore).toBeLessThanOrEqual(misses);
  });

  it('streaming: reads every stream to [DONE], with a time to first token and tokens/s for each', async () => {
    const run = await runner({ SCENARIO: 'streaming', VUS: '2', DURATION: '2s', PROMPT_SUFFIX: '[[fake chunks=5 chunk-delay=20]]' });
    expect(run.code).toBe(0);
    const result = resultOf(run);
    expect(result).toMatchObject({ scenario: 'streaming', failed: 0, thresholdsPassed: true });
    expect(result.checks['stream ended with [DONE]']).toEqual({ passes: result.requests, fails: 0 });
    expect(result.ttftMs?.count).toBe(result.requests);
    expect(result.tokensPerSecond?.count).toBe(result.requests);
    // The first token comes 4 chunk delays before the stream's end.
    expect(result.ttftMs!.med).toBeLessThan(result.latencyMs!.med);
    expect(result.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual([
      ['llm_ttft', 'p(95)<2000', true],
      ['http_req_failed', 'rate<=0.01', true],
      ['checks', 'rate>=0.99', true],
    ]);
  });

  it('a missed SLO fails the run with exit 99 (as k6), though no request failed; MAX_ITERATIONS ends it early', async () => {
    // The fake waits 20 ms before each answer: a p(95) under 1 ms cannot hold.
    const run = await runner({ SCENARIO: 'smoke', DURATION: '1m', MAX_ITERATIONS: '5', SLO_P95_MS: '1', PROMPT_SUFFIX: '[[fake latency=20]]' });
    expect(run.code).toBe(99);
    const result = resultOf(run);
    expect(result).toMatchObject({ requests: 5, failed: 0, stoppedBy: 'max-iterations', thresholdsPassed: false });
    expect(result.thresholds.find((t) => t.expression === 'p(95)<1')).toMatchObject({ metric: 'http_req_duration', ok: false });
    expect(result.thresholds.find((t) => t.expression === 'p(95)<1')!.value).toBeGreaterThanOrEqual(20);
    expect(run.stdout).toContain("✗ 'p(95)<1'");
    expect(run.stdout).toContain("thresholds failed: http_req_duration 'p(95)<1'");
  });

  it('a failing gateway fails the run: errors are counted by status and the first one is quoted', async () => {
    const run = await runner({ SCENARIO: 'smoke', MAX_ITERATIONS: '3', MODEL: 'nowhere/none' });
    expect(run.code).toBe(99);
    const result = resultOf(run);
    expect(result).toMatchObject({ requests: 3, failed: 3, errorRate: 1, statusCodes: { '404': 3 }, thresholdsPassed: false });
    expect(result.firstFailure).toMatch(/^status 404, failed checks: status is 200, answer has content: /);
  });

  it('a bad setting is refused before any request, naming it, with exit 104', async () => {
    const before = await upstreamCalls();
    const run = await runner({ SCENARIO: 'smoke', DURATION: '10' });
    expect(run.code).toBe(104);
    expect(run.stderr).toContain('DURATION: "10" is not a k6 duration such as 30s, 5m or 1h30m');
    expect(await upstreamCalls()).toBe(before);
  });

  it('SIGTERM (a deleted Job) stops a long run at once, still with its summary and JSON result, exit 105', async () => {
    const child = spawnChild(process.execPath, [RUNNER_MAIN], {
      env: { PATH: process.env.PATH ?? '', TARGET_URL: gateway.url, MODEL: 'fake/m', SCENARIO: 'soak', RATE: '20', DURATION: '1h', PROMPT_SUFFIX: '[[fake latency=50]]' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const before = await upstreamCalls();
    await eventually(upstreamCalls, (calls) => calls >= before + 5, 30_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(105);
    const result = resultOf({ code: 105, signal: null, stdout, stderr: '', timedOut: false });
    expect(result).toMatchObject({ scenario: 'soak', stoppedBy: 'signal' });
    expect(result.requests).toBeGreaterThan(0);
  });
});
