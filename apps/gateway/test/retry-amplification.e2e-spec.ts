import OpenAI, { APIError } from 'openai';
import { fakeStats, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Retries at two layers multiply: an OpenAI SDK client retries by itself (2 retries by default,
 * obeying `x-should-retry`), and so does the gateway. One upstream 429 used to become 3 x 3 = 9
 * upstream calls. The official `openai` client, pointed at a real gateway in front of the fake
 * provider, shows how many upstream calls one client call costs now; and a 429 no longer opens
 * the circuit breaker shared by every caller of the model (docs/resilience.md).
 */

const KEY = 'sk-retry-amplification-test';
const FAST_RETRIES = { initialDelayMs: 5, maxDelayMs: 20, budget: { ratio: 10, minPerSecond: 100 } };
const NEVER_OPENS = { consecutiveFailures: 1_000_000, minimumCalls: 1_000_000 };

let fake: RunningProcess | undefined;
let gateway: RunningProcess | undefined;

beforeAll(async () => {
  fake = await startFakeProvider();
  const at = { type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: KEY, models: ['m'] };
  gateway = await startGateway({
    providers: { retrying: at, impatient: at, frugal: at, single: at, limited: at, failing: at },
    resilience: {
      providers: {
        // Three attempts, honouring a Retry-After of up to 10 s (the defaults), quick backoff otherwise.
        retrying: { retry: { maxAttempts: 3, ...FAST_RETRIES }, breaker: NEVER_OPENS },
        // Waits no longer than 500 ms: a Retry-After of 1 s is not retried here.
        impatient: { retry: { maxAttempts: 3, maxRetryAfterMs: 500, ...FAST_RETRIES }, breaker: NEVER_OPENS },
        // A retry budget of zero: every retry is refused.
        frugal: { retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, budget: { ratio: 0, minPerSecond: 0 } }, breaker: NEVER_OPENS },
        single: { retry: { maxAttempts: 1 }, breaker: NEVER_OPENS },
        // Two failures in a row open these breakers (for a minute).
        limited: { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 2, cooldownMs: 60_000 } },
        failing: { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 2, cooldownMs: 60_000 } },
      },
    },
    cache: { type: 'none' },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake!.url));

/** The official client with its default retries (2), against the gateway. */
function sdk(): OpenAI {
  return new OpenAI({ baseURL: `${gateway!.url}/v1`, apiKey: 'unused', maxRetries: 2 });
}

async function sdkFailure(model: string, content: string): Promise<APIError> {
  try {
    await sdk().chat.completions.create({ model, messages: [{ role: 'user', content }] });
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const upstreamCalls = async () => (await fakeStats(fake!.url)).byRoute['openai.chat.completions'] ?? 0;

describe('x-should-retry', () => {
  it('one upstream 429 costs the gateway its own attempts, not multiplied by the client’s retries', async () => {
    const error = await sdkFailure('retrying/m', '[[fake status=429 retry-after=1]] always limited');
    expect(error.status).toBe(429);
    expect(error.headers?.get('x-llm-hub-attempts')).toBe('3');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(error.headers?.get('retry-after')).toBe('1');
    // 3, not 9: the client made one call.
    expect(await upstreamCalls()).toBe(3);
  }, 30_000);

  it('a 429 for a spent quota costs one upstream call: neither the gateway nor the client retries it', async () => {
    const error = await sdkFailure('retrying/m', '[[fake status=429 code=insufficient_quota]] no credit left');
    expect(error.status).toBe(429);
    expect(error.type).toBe('insufficient_quota');
    expect(error.code).toBe('upstream_quota_exceeded');
    expect(error.headers?.get('x-llm-hub-attempts')).toBe('1');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    // 1, where it was 3 (the gateway retried it like a rate limit).
    expect(await upstreamCalls()).toBe(1);
  }, 30_000);

  it('says true when the gateway did not retry because the wait was too long for it, and the client waits and retries', async () => {
    const error = await sdkFailure('impatient/m', '[[fake status=429 retry-after=1]] limited for a second');
    expect(error.status).toBe(429);
    expect(error.headers?.get('x-llm-hub-attempts')).toBe('1');
    expect(error.headers?.get('x-should-retry')).toBe('true');
    expect(error.headers?.get('retry-after')).toBe('1');
    // One upstream call per client attempt: the client's three.
    expect(await upstreamCalls()).toBe(3);
  }, 30_000);

  it('says false when the retry budget is spent', async () => {
    const error = await sdkFailure('frugal/m', '[[fake status=503]] failing everywhere');
    expect(error.status).toBe(502);
    expect(error.headers?.get('x-llm-hub-attempts')).toBe('1');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(await upstreamCalls()).toBe(1);
  }, 30_000);

  it('says false for an error a retry cannot fix, and true for one the gateway did not retry', async () => {
    const invalid = await postJson(`${gateway!.url}/v1/chat/completions`, { model: 'single/m', messages: [{ role: 'user', content: '[[fake status=400]] bad' }] });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('x-should-retry')).toBe('false');
    const ours = await postJson(`${gateway!.url}/v1/chat/completions`, { model: 'single/m', messages: 'not a list' });
    expect(ours.status).toBe(400);
    expect(ours.headers.get('x-should-retry')).toBe('false');
    const unavailable = await postJson(`${gateway!.url}/v1/chat/completions`, { model: 'single/m', messages: [{ role: 'user', content: '[[fake status=500]] once' }] });
    expect(unavailable.status).toBe(502);
    expect(unavailable.headers.get('x-should-retry')).toBe('true');
  });
});

describe('Retry-After', () => {
  it('is sent only on 429 and 503, never on a 502 whatever the upstream asked', async () => {
    const response = await postJson(`${gateway!.url}/v1/chat/completions`, {
      model: 'single/m',
      messages: [{ role: 'user', content: '[[fake status=503 retry-after=7]] down' }],
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('is capped at 60 s, and a longer ask means "do not retry" to clients that retry by themselves', async () => {
    const response = await postJson(`${gateway!.url}/v1/chat/completions`, {
      model: 'single/m',
      messages: [{ role: 'user', content: '[[fake status=429 retry-after=86400]] quota spent for the day' }],
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(response.headers.get('x-should-retry')).toBe('false');
  });
});

describe('circuit breaker', () => {
  const ask = (model: string, content: string) => postJson(`${gateway!.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }] });

  it('429s do not open it, while 5xx with the same settings do', async () => {
    for (let i = 0; i < 4; i++) expect((await ask('limited/m', `[[fake status=429]] limited ${i}`)).status).toBe(429);
    // The next caller of the rate-limited model still reaches the upstream.
    expect((await ask('limited/m', 'a caller within its quota')).status).toBe(200);
    expect(await upstreamCalls()).toBe(5);

    for (let i = 0; i < 2; i++) expect((await ask('failing/m', `[[fake status=500]] failing ${i}`)).status).toBe(502);
    // The next caller of the failing model gets 503 circuit_open without an upstream call.
    const next = await ask('failing/m', 'a caller after the outage');
    expect(next.status).toBe(503);
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe('circuit_open');
    expect(await upstreamCalls()).toBe(7);
  });
});
