import { eventually, fakeStats, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Resilience through real processes: two fake providers (primary and backup) behind one gateway.
 * Each test uses its own provider names, so breakers and budgets do not leak between tests.
 */
let primary: RunningProcess;
let backup: RunningProcess;
let gateway: RunningProcess;

const KEY = 'sk-resilience-test-key-0001';
const at = (fake: RunningProcess) => ({ type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: KEY, models: ['m'] });
const noRetry = { retry: { maxAttempts: 1 } };
const quietBreaker = { breaker: { consecutiveFailures: 10_000, minimumCalls: 100_000 } };

beforeAll(async () => {
  [primary, backup] = await Promise.all([startFakeProvider(), startFakeProvider()]);
  gateway = await startGateway({
    // Identical requests here must each reach the fakes: these tests count upstream calls.
    cache: { type: 'none' },
    providers: {
      primary: at(primary),
      backup: at(backup),
      flaky: at(primary),
      budgeted: at(primary),
      patient: at(primary),
      slow: at(primary),
      streamer: at(primary),
      narrow: at(primary),
      hasty: at(primary),
      resetty: at(primary),
    },
    routing: {
      aliases: {
        fast: ['primary/m', 'backup/m'],
        guarded: ['hasty/m', 'backup/m'],
        balanced: [
          { target: 'primary/m', weight: 3, priority: 0 },
          { target: 'backup/m', weight: 1, priority: 0 },
        ],
      },
    },
    resilience: {
      defaults: { retry: { initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 3000 } },
      providers: {
        primary: { retry: { maxAttempts: 2 }, ...quietBreaker },
        flaky: { ...noRetry, breaker: { consecutiveFailures: 3, cooldownMs: 1000 } },
        budgeted: { retry: { maxAttempts: 3, budget: { ratio: 0.1, minPerSecond: 0, windowMs: 60_000 } }, ...quietBreaker },
        patient: { retry: { maxAttempts: 2 }, ...quietBreaker },
        slow: { ...noRetry, timeout: { attemptMs: 300, firstTokenMs: 300 }, ...quietBreaker },
        streamer: { retry: { maxAttempts: 3 }, ...quietBreaker },
        narrow: { ...noRetry, bulkhead: { maxConcurrent: 1, maxQueue: 1 }, ...quietBreaker },
        hasty: { ...noRetry, timeout: { attemptMs: 300 }, ...quietBreaker },
        resetty: { retry: { maxAttempts: 3 }, ...quietBreaker },
      },
    },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([primary?.stop(), backup?.stop()]);
}, STOP_TIMEOUT_MS);

beforeEach(async () => {
  await Promise.all([resetFake(primary.url), resetFake(backup.url)]);
});

const scenario = (fake: RunningProcess, body: object) =>
  fetch(`${fake.url}/_fake/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const ask = (model: string, content = 'hello', extra: object = {}, headers: Record<string, string> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }], ...extra }, headers);

async function inBatches<T>(total: number, concurrency: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < total; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, total - start) }, (_, k) => run(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe('fallback', () => {
  it('answers 1,000 requests without a client error while the primary fails half of them', async () => {
    await scenario(primary, { failEvery: 2, status: 500 });
    const statuses = await inBatches(1000, 25, async () => {
      const response = await ask('fast');
      await response.arrayBuffer();
      return response.status;
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const [p, b] = await Promise.all([fakeStats(primary.url), fakeStats(backup.url)]);
    expect(p.requests).toBeGreaterThan(500);
    expect(b.requests).toBeGreaterThan(0);
  });

  it('says which target served and how many attempts it took', async () => {
    await scenario(primary, { failNext: 2, status: 503 });
    const response = await ask('fast');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llm-hub-provider')).toBe('backup');
    expect(response.headers.get('x-llm-hub-target')).toBe('backup/m');
    // primary: first try + one retry (maxAttempts 2), then backup.
    expect(response.headers.get('x-llm-hub-attempts')).toBe('3');
  });

  it('falls back when a stream fails before its first byte', async () => {
    await scenario(primary, { failNext: 2, status: 502 });
    const result = await readSse(`${gateway.url}/v1/chat/completions`, { model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(result.status).toBe(200);
    expect(result.headers.get('x-llm-hub-target')).toBe('backup/m');
    expect(result.events[result.events.length - 1]).toBe('[DONE]');
  });

  it('falls back from a hung connection once the attempt timeout aborts it', async () => {
    await scenario(primary, { failNext: 1, hang: true });
    const response = await ask('guarded');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llm-hub-target')).toBe('backup/m');
    const stats = await eventually(() => fakeStats(primary.url), (s) => s.aborted >= 1);
    expect(stats.aborted).toBe(1);
  });

  it('does not fall back on a client error', async () => {
    await scenario(primary, { failNext: 1, status: 400 });
    const response = await ask('fast');
    expect(response.status).toBe(400);
    expect((await fakeStats(backup.url)).requests).toBe(0);
  });

  it('balances by weight inside a priority level', async () => {
    await inBatches(400, 20, async () => (await ask('balanced')).arrayBuffer());
    const [p, b] = await Promise.all([fakeStats(primary.url), fakeStats(backup.url)]);
    expect(p.requests + b.requests).toBe(400);
    expect(p.requests).toBeGreaterThan(240);
    expect(p.requests).toBeLessThan(360);
  });
});

describe('circuit breaker', () => {
  it('opens after its threshold, rejects without calling upstream, and recovers after the cooldown', async () => {
    await scenario(primary, { failNext: 1000, status: 500 });
    for (let i = 0; i < 3; i++) expect((await ask('flaky/m')).status).toBe(502);
    expect((await fakeStats(primary.url)).requests).toBe(3);
    for (let i = 0; i < 10; i++) {
      const response = await ask('flaky/m');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('circuit_open');
    }
    // The fake provider saw none of the rejected requests.
    expect((await fakeStats(primary.url)).requests).toBe(3);
    await resetFake(primary.url);
    // Rejected (503, no upstream call) until the cooldown has passed; then the probe goes through.
    const status = async () => {
      const response = await ask('flaky/m');
      await response.arrayBuffer();
      return response.status;
    };
    expect(await eventually(status, (code) => code === 200, 10_000)).toBe(200);
    for (let i = 0; i < 5; i++) expect((await ask('flaky/m')).status).toBe(200);
    expect((await fakeStats(primary.url)).requests).toBe(6);
  });
});

describe('retries', () => {
  it('never exceed the retry budget against a provider that keeps failing', async () => {
    await scenario(primary, { failNext: 100_000, status: 503 });
    const statuses = await inBatches(100, 10, async () => {
      const response = await ask('budgeted/m');
      await response.arrayBuffer();
      return response.status;
    });
    expect(statuses.every((s) => s === 502)).toBe(true);
    const upstream = (await fakeStats(primary.url)).requests;
    // 100 requests, budget 10 % of them: at most 10 retries (without the budget: 300 calls).
    expect(upstream).toBeGreaterThan(100);
    expect(upstream).toBeLessThanOrEqual(110);
  });

  it('retries connection resets', async () => {
    await scenario(primary, { failNext: 2, reset: true });
    const response = await ask('resetty/m');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llm-hub-attempts')).toBe('3');
    expect((await fakeStats(primary.url)).requests).toBe(3);
  });

  it("waits for the provider's Retry-After before retrying", async () => {
    await scenario(primary, { failNext: 1, status: 429, retryAfter: 1 });
    const started = Date.now();
    const response = await ask('patient/m');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.headers.get('x-llm-hub-attempts')).toBe('2');
    expect((await fakeStats(primary.url)).requests).toBe(2);
  });

  it('does not retry a stream cut after its first byte; the client sees an error event', async () => {
    const result = await readSse(`${gateway.url}/v1/chat/completions`, {
      model: 'streamer/m',
      stream: true,
      messages: [{ role: 'user', content: '[[fake chunks=6 cut-after=2]] story' }],
    });
    expect(result.status).toBe(200);
    expect(result.events).not.toContain('[DONE]');
    const last = result.events[result.events.length - 1] as { error: { code: string } };
    expect(last.error.code).toBe('upstream_stream_interrupted');
    expect((await fakeStats(primary.url)).requests).toBe(1);
  });
});

describe('timeouts', () => {
  it('aborts a hung attempt at the fake provider and answers 504', async () => {
    const response = await ask('slow/m', '[[fake hang]] hi');
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    const stats = await eventually(() => fakeStats(primary.url), (s) => s.aborted >= 1);
    expect(stats.aborted).toBe(1);
  });

  it('gives up on a stream whose first token is too slow', async () => {
    const response = await ask('slow/m', '[[fake latency=3000]] hi', { stream: true });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('first_token_timeout');
    const stats = await eventually(() => fakeStats(primary.url), (s) => s.aborted >= 1);
    expect(stats.aborted).toBe(1);
  });

  it('takes the total timeout from the x-llm-hub-timeout-ms header', async () => {
    const response = await ask('primary/m', '[[fake hang]] hi', {}, { 'x-llm-hub-timeout-ms': '300' });
    expect(response.status).toBe(504);
    const bad = await ask('primary/m', 'hi', {}, { 'x-llm-hub-timeout-ms': 'soon' });
    expect(bad.status).toBe(400);
  });
});

describe('bulkhead', () => {
  it('queues up to its bound and rejects the overflow with 429 and Retry-After', async () => {
    // One running (it reached the upstream, which holds it 2 s), then two more: one queued, one rejected.
    const running = ask('narrow/m', '[[fake latency=2000]] hi');
    await eventually(() => fakeStats(primary.url), (stats) => stats.requests === 1);
    const responses = await Promise.all([running, ask('narrow/m', '[[fake latency=2000]] hi'), ask('narrow/m', '[[fake latency=2000]] hi')]);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const rejected = responses.find((r) => r.status === 429)!;
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect(((await rejected.json()) as { error: { code: string } }).error.code).toBe('gateway_overloaded');
  });
});
