import { join } from 'node:path';
import { ALERTS_FILE, CHART_FILES_DIR, alertRules, dashboardQueries } from './support/dashboard-queries';
import { startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { GATEWAY_JOB, startPrometheus, type PrometheusHandle } from './support/prometheus';
import { promtool, promtoolCheckMetrics } from './support/promtool';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';
import { postJson, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The chart's dashboards and alerts against a real Prometheus scraping a real gateway.
 *
 * A gateway (fake provider upstream, a single redis-server as its cache) gets every kind of
 * traffic and fault the dashboards and alerts are about: cache misses and hits, streams with
 * usage, 5xx answers, slow answers, upstream timeouts, a circuit breaker opened by failures,
 * breaker rejections, a fallback, retries, and finally Redis going away. Resource limits are set
 * so low (LLM_HUB_MEMORY_LIMIT_BYTES 64 MiB, LLM_HUB_CPU_LIMIT_CORES 0.0002) that the memory and
 * CPU alerts fire too. Prometheus scrapes every second and evaluates a copy of alerts.yaml whose
 * `for:` durations are 0s (support/prometheus.ts says why). Then:
 *   (a) every panel query of both dashboards returns at least one series;
 *   (b) every alert of alerts.yaml is firing;
 *   (c) `promtool check metrics` finds nothing wrong with the live /metrics;
 * and, without any process, (d) `promtool check rules` and `promtool test rules` pass on the
 * shipped files, so `make test` covers them.
 *
 * Every process listens on a free 127.0.0.1 port (the redis-server's too, so two runs of this
 * spec never collide). About 20 s in all: the slow
 * answers take 11 s, the rest of the traffic runs meanwhile.
 */

const KEY = 'sk-observability-test-key-0001';
/** Slow answers: > 10 s puts them in the (10, 20] bucket, above LLMHubLatencyCritical's 10 s. */
const SLOW_MS = 11_000;
const SLOW_REQUESTS = 15;
/** hasty's attempt and first-token timeouts; its requests ask the fake for 4x that latency. */
const TIMEOUT_MS = 300;
/**
 * Far below what the gateway uses, on purpose: rate(process_cpu_seconds_total[5m]) divides the
 * CPU time of this short run by the full 300 s window, so a real limit would never be reached.
 */
const CPU_LIMIT_CORES = '0.0002';

const PROMETHEUS_DIR = join(CHART_FILES_DIR, 'prometheus');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('promtool on the shipped alert rules', () => {
  it('check rules accepts alerts.yaml', async () => {
    const result = await promtool(['check', 'rules', join(CHART_FILES_DIR, ALERTS_FILE)]);
    expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  }, 30_000);

  it('test rules passes alerts.test.yaml', async () => {
    const result = await promtool(['test', 'rules', 'alerts.test.yaml'], { cwd: PROMETHEUS_DIR });
    expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  }, 30_000);
});

describe('dashboards and alerts against a live gateway', () => {
  let fake: RunningProcess | undefined;
  let redis: RedisServerHandle | undefined;
  let gateway: RunningProcess | undefined;
  let prometheus: PrometheusHandle | undefined;
  /** Requests still running when beforeAll fails: awaited (settled) before the processes stop. */
  const pending: Array<Promise<unknown>> = [];

  // temperature 0: deterministic, so cacheable under the default policy (the cache panels need hits).
  const ask = (model: string, content: string, extra: object = {}) =>
    postJson(`${gateway!.url}/v1/chat/completions`, { model, temperature: 0, messages: [{ role: 'user', content }], ...extra });

  /** Status and the gateway's headers of one non-streamed request (body read, so the request is complete). */
  async function call(model: string, content: string): Promise<{ status: number; cache: string | null; provider: string | null; attempts: string | null }> {
    const response = await ask(model, content);
    await response.arrayBuffer();
    return {
      status: response.status,
      cache: response.headers.get('x-llm-hub-cache'),
      provider: response.headers.get('x-llm-hub-provider'),
      attempts: response.headers.get('x-llm-hub-attempts'),
    };
  }

  async function stream(content: string, model = 'fake/m'): Promise<{ status: number; done: boolean; usage: boolean }> {
    const result = await readSse(`${gateway!.url}/v1/chat/completions`, {
      model,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      messages: [{ role: 'user', content }],
    });
    return {
      status: result.status,
      done: result.events[result.events.length - 1] === '[DONE]',
      usage: result.events.some((event) => typeof event === 'object' && event !== null && (event as { usage?: unknown }).usage != null),
    };
  }

  const scenario = (body: object) =>
    fetch(`${fake!.url}/_fake/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function gatewayMetrics(): Promise<string> {
    return (await fetch(`${gateway!.metricsUrl}/metrics`)).text();
  }

  /** Polls the gateway's own /metrics (no scrape delay) until `pattern` shows up. */
  async function untilGatewayExports(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(await gatewayMetrics())) {
      if (Date.now() > deadline) throw new Error(`the gateway's /metrics did not show ${pattern} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async function startRedis(): Promise<void> {
    redis = await startRedisServer();
  }

  /** SIGTERM, SIGKILL after 5 s (the gateway drains in-flight requests first). */
  async function stopProcess(running: RunningProcess | undefined): Promise<void> {
    if (!running) return;
    const timer = setTimeout(() => void running.stop('SIGKILL'), 5000);
    await running.stop('SIGTERM');
    clearTimeout(timer);
  }

  beforeAll(async () => {
    // ------------------------------------------------------------------ processes
    // allSettled: whatever did start is kept for afterAll to stop, even when the other failed.
    const [fakeStart, redisStart] = await Promise.allSettled([startFakeProvider(), startRedis()]);
    if (fakeStart.status === 'fulfilled') fake = fakeStart.value;
    else throw fakeStart.reason;
    if (redisStart.status === 'rejected') throw redisStart.reason;
    const at = { type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: KEY, models: ['m'] };
    gateway = await startGateway(
      {
        server: { drainTimeoutMs: 1000 },
        providers: { fake: at, flaky: at, hasty: at },
        // `smart` falls back from flaky to fake once flaky's breaker rejects.
        routing: { aliases: { smart: ['flaky/m', 'fake/m'] } },
        resilience: {
          defaults: { retry: { initialDelayMs: 5, maxDelayMs: 20 } },
          providers: {
            // fake: one retry per failing request; its breaker never opens (it serves the rest of the traffic).
            fake: { retry: { maxAttempts: 2 }, breaker: { consecutiveFailures: 1_000_000, minimumCalls: 1_000_000 } },
            // flaky: three failures in a row open its breaker, which then stays open for the whole spec.
            flaky: { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 3, cooldownMs: 60_000 } },
            // hasty: gives up on an attempt after 300 ms, and on a stream's first token after 300 ms.
            hasty: {
              retry: { maxAttempts: 1 },
              timeout: { attemptMs: TIMEOUT_MS, firstTokenMs: TIMEOUT_MS },
              breaker: { consecutiveFailures: 1_000_000, minimumCalls: 1_000_000 },
            },
          },
        },
        cache: { type: 'redis', redis: { url: redis!.url } },
        observability: { pricing: { 'fake/m': { input: 1, output: 2 }, 'flaky/m': { input: 1, output: 2 } } },
      },
      { LLM_HUB_MEMORY_LIMIT_BYTES: String(64 * 1024 * 1024), LLM_HUB_CPU_LIMIT_CORES: CPU_LIMIT_CORES },
    );
    prometheus = await startPrometheus({ gatewayTarget: new URL(gateway.metricsUrl!).host });
    await Promise.all([prometheus.waitForTargetsUp(), untilGatewayExports(/^llm_hub_redis_up 1$/m)]);

    // ------------------------------------------------------------------ warm-up
    // One request of each kind first, then a scrape: prom-client creates a labelled series on
    // its first increment, and rate() cannot see increments made before Prometheus first saw the
    // series. After this scrape every series the main phase increments is known to Prometheus.
    expect(await call('fake/m', 'warm-up: cached')).toMatchObject({ status: 200, cache: 'MISS' });
    expect(await call('fake/m', 'warm-up: cached')).toMatchObject({ status: 200, cache: 'HIT' });
    expect(await stream('warm-up: stream')).toEqual({ status: 200, done: true, usage: true });
    expect(await call('fake/m', '[[fake status=500]] warm-up: error')).toMatchObject({ status: 502 });
    for (let i = 0; i < 3; i++) expect(await call('flaky/m', `[[fake status=500]] warm-up: break ${i}`)).toMatchObject({ status: 502 });
    await untilGatewayExports(/^llm_hub_circuit_breaker_state\{provider="flaky",model="m",state="open"\} 1$/m);
    expect(await call('flaky/m', 'warm-up: rejected')).toMatchObject({ status: 503 });
    expect(await call('smart', 'warm-up: fallback')).toMatchObject({ status: 200, provider: 'fake' });
    await scenario({ failNext: 1, status: 503 });
    expect(await call('fake/m', 'warm-up: retried')).toMatchObject({ status: 200, attempts: '2' });
    expect(await call('hasty/m', `[[fake latency=${4 * TIMEOUT_MS}]] warm-up: attempt timeout`)).toMatchObject({ status: 504 });
    expect(await stream(`[[fake latency=${4 * TIMEOUT_MS}]] warm-up: first token timeout`, 'hasty/m')).toMatchObject({ status: 504 });
    await prometheus.waitForScrape(GATEWAY_JOB);

    // ------------------------------------------------------------------ main phase
    // Slow answers first: they take SLOW_MS, the rest of the traffic runs meanwhile.
    // 15 of ~100 non-streamed requests above 10 s: p95 > 10 s (LLMHubLatencyHigh and -Critical).
    const slow = Promise.all(Array.from({ length: SLOW_REQUESTS }, (_, i) => call('fake/m', `[[fake latency=${SLOW_MS}]] slow ${i}`)));
    pending.push(slow.catch(() => undefined));

    const batch = async <T>(count: number, run: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: count }, (_, i) => run(i)));
    // Misses far outnumber hits: hit rate < 30 % (LLMHubCacheHitRateLow and -Critical), with
    // well over 0.05 lookups/s over 15 minutes (> 45 lookups).
    const misses = await batch(40, (i) => call('fake/m', `miss ${i}`));
    expect(misses.map((r) => [r.status, r.cache])).toEqual(Array(40).fill([200, 'MISS']));
    const hits = await batch(8, () => call('fake/m', 'warm-up: cached'));
    expect(hits.map((r) => [r.status, r.cache])).toEqual(Array(8).fill([200, 'HIT']));
    const streams = await batch(5, (i) => stream(`stream ${i}`));
    expect(streams).toEqual(Array(5).fill({ status: 200, done: true, usage: true }));
    // 5xx: the fake provider fails, fake/m has no fallback, clients get 502 (after one retry each).
    // With the breaker rejections below, ~20 % of all requests are 5xx (LLMHubErrorRate*: 1 % / 5 %).
    const errors = await batch(15, (i) => call('fake/m', `[[fake status=500]] error ${i}`));
    expect(errors.map((r) => r.status)).toEqual(Array(15).fill(502));
    // flaky's breaker is open: direct requests are rejected (503), the alias falls back to fake.
    const rejected = await batch(5, (i) => call('flaky/m', `rejected ${i}`));
    expect(rejected.map((r) => r.status)).toEqual(Array(5).fill(503));
    const fallbacks = await batch(5, (i) => call('smart', `fallback ${i}`));
    expect(fallbacks.map((r) => [r.status, r.provider])).toEqual(Array(5).fill([200, 'fake']));
    // Retries that succeed: the fake fails the next request once (one at a time: the scenario is global).
    for (let i = 0; i < 3; i++) {
      await scenario({ failNext: 1, status: 503 });
      expect(await call('fake/m', `retried ${i}`)).toMatchObject({ status: 200, attempts: '2' });
    }

    // Upstream timeouts: an attempt and a stream's first token (504 each).
    const timeouts = await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => call('hasty/m', `[[fake latency=${4 * TIMEOUT_MS}]] attempt timeout ${i}`)),
      ...Array.from({ length: 3 }, (_, i) => stream(`[[fake latency=${4 * TIMEOUT_MS}]] first token timeout ${i}`, 'hasty/m')),
    ]);
    expect(timeouts.map((r) => r.status)).toEqual(Array(6).fill(504));

    // Redis goes away: llm_hub_redis_up 0 (LLMHubRedisDown); the cache fails open (misses, errors).
    await redis!.stop();
    await untilGatewayExports(/^llm_hub_redis_up 0$/m);
    const degraded = await batch(10, (i) => call('fake/m', `redis down ${i}`));
    expect(degraded.map((r) => [r.status, r.cache])).toEqual(Array(10).fill([200, 'MISS']));

    const slowResults = await slow;
    expect(slowResults.map((r) => r.status)).toEqual(Array(SLOW_REQUESTS).fill(200));
    await prometheus.waitForScrape(GATEWAY_JOB);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    // Every process this spec started, even when beforeAll failed half way; each stop is bounded.
    await Promise.all([prometheus?.stop(), stopProcess(gateway)]);
    await Promise.all(pending);
    await Promise.all([stopProcess(fake), redis?.stop()]);
  }, STOP_TIMEOUT_MS);

  it('answers every panel query of both dashboards with at least one series', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(40);
    const results = await Promise.all(queries.map(async (q) => ({ ...q, series: await prometheus!.query(q.expr) })));
    const empty = results.filter((r) => r.series.length === 0).map((r) => `${r.dashboard} / ${r.panel} [${r.refId}]: ${r.expr}`);
    expect(empty).toEqual([]);
  }, 30_000);

  it('fires every alert of alerts.yaml on the live data', async () => {
    const expected = alertRules().map((rule) => rule.alert);
    expect(expected).toHaveLength(12);
    // Rules are evaluated every second, on data scraped every second: give them a few rounds.
    const deadline = Date.now() + 15_000;
    let notFiring: string[] = expected;
    let seen = '';
    while (notFiring.length > 0 && Date.now() < deadline) {
      const alerts = await prometheus!.alerts();
      const firing = new Set(alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname));
      notFiring = expected.filter((name) => !firing.has(name));
      seen = alerts.map((a) => `${a.labels.alertname} ${a.state} ${a.value}`).join('\n');
      if (notFiring.length > 0) await sleep(500);
    }
    if (notFiring.length > 0) {
      // What each missing alert's expression evaluates to right now, for diagnosis.
      const values = await Promise.all(
        alertRules()
          .filter((rule) => notFiring.includes(rule.alert))
          .map(async (rule) => `${rule.alert}: ${JSON.stringify(await prometheus!.query(rule.expr.replace(/\s*(>|<|==)\s*[\d.]+\s*$/, '')))}`),
      );
      throw new Error(`not firing: ${notFiring.join(', ')}\nalerts:\n${seen}\nexpressions without their threshold:\n${values.join('\n')}`);
    }
    expect(notFiring).toEqual([]);
  }, 30_000);

  it('passes promtool check metrics on the live /metrics', async () => {
    const text = await gatewayMetrics();
    // Everything the traffic above should have put on /metrics is there.
    for (const name of ['llm_hub_retries_total', 'llm_hub_fallbacks_total', 'llm_hub_rejections_total', 'llm_hub_cache_errors_total', 'llm_hub_redis_up']) {
      expect(text).toMatch(new RegExp(`^${name}`, 'm'));
    }
    // The gateway drops prom-client's three `_total`-named gauges (prometheus/client_js#283), so
    // the served text is clean as it is.
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, complaints: [] });
  }, 30_000);
});
