import { eventually, fakeStats, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { hangUpAfterFirstBytes, postJson, readSse } from './support/sse';

/**
 * Concurrency at LLM latencies, through real processes: what the gateway admits to a provider
 * runs at once upstream (the bulkhead and the connection pool are sized from one figure), what it
 * cannot admit gets a clean 429, and HTTP/2 to a provider that speaks it. The fake's `gather=N`
 * directive answers only once N calls wait at the fake together (else each waits its whole
 * latency), and its stats count the most calls open at once: so "ran at once" is proven without
 * timing assumptions.
 */
let fake: RunningProcess;
let gateway: RunningProcess;

const KEY = 'sk-concurrency-test-key-0001';
/** Over this machine's default of 128 connections per provider, under the bulkhead's defaults. */
const IN_FLIGHT = 300;
/** A bulkhead above 128 (the old pool size) with a small queue, for requests beyond the limit. */
const LIMIT = { maxConcurrent: 150, maxQueue: 50 };
const BEYOND = 260;

beforeAll(async () => {
  fake = await startFakeProvider({ H2C_PORT: '0' });
  const at = (baseUrl: string, extra: object = {}) => ({ type: 'openai-compatible', baseUrl: `${baseUrl}/v1`, apiKey: KEY, models: ['m'], ...extra });
  gateway = await startGateway({
    providers: {
      // Default resilience, pool and cache: only the provider is configured.
      plain: at(fake.url),
      limited: at(fake.url),
      h2: at(fake.h2cUrl!, { http2: 'on' }),
      h1: at(fake.url, { http2: 'auto' }),
    },
    resilience: { providers: { limited: { bulkhead: LIMIT } } },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, 120_000);

beforeEach(async () => {
  await resetFake(fake.url);
});

const chatUrl = () => `${gateway.url}/v1/chat/completions`;
const ask = (model: string, content: string, stream = false) => postJson(chatUrl(), { model, stream, messages: [{ role: 'user', content }] });

describe('with default settings', () => {
  it(`runs ${IN_FLIGHT} concurrent calls to one provider at once upstream, and answers every one`, async () => {
    // Distinct prompts: were these requests deterministic (temperature 0), the default cache would coalesce identical ones.
    // Half JSON, half streams; a latency of 20 s is waited out only by calls that cannot gather (at most three rounds of 128 before the fix).
    const directive = `[[fake latency=20000 gather=${IN_FLIGHT}]]`;
    const responses = await Promise.all(
      Array.from({ length: IN_FLIGHT }, (_, i) => ask('plain/m', `${directive} question ${i}`, i % 2 === 1).then(async (r) => ({ status: r.status, body: await r.text() }))),
    );
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    expect(responses.filter((r, i) => i % 2 === 1 && !r.body.includes('data: [DONE]'))).toEqual([]);
    const stats = await fakeStats(fake.url);
    expect(stats.maxInFlight).toBe(IN_FLIGHT);
    expect(stats.completed).toBe(IN_FLIGHT);
  }, 120_000);
});

describe('beyond the per-provider limit', () => {
  it('runs exactly the admitted calls at once and refuses the rest with a clean 429 in OpenAI shape', async () => {
    // The admitted calls gather at the fake; those that queue or come later wait out the latency.
    const directive = `[[fake latency=10000 gather=${LIMIT.maxConcurrent}]]`;
    const responses = await Promise.all(
      Array.from({ length: BEYOND }, (_, i) =>
        ask('limited/m', `${directive} question ${i}`).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Record<string, any> })),
      ),
    );
    const refused = responses.filter((r) => r.status !== 200);
    // The bulkhead holds 150 running and 50 waiting: at least the other 60 are refused.
    expect(refused.length).toBeGreaterThanOrEqual(BEYOND - LIMIT.maxConcurrent - LIMIT.maxQueue);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: 'gateway_overloaded' } });
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('x-request-id')).toBeTruthy();
    }
    const stats = await fakeStats(fake.url);
    expect(stats.maxInFlight).toBe(LIMIT.maxConcurrent);
    expect(stats.completed).toBe(BEYOND - refused.length);
  }, 120_000);
});

describe('HTTP/2 to the provider', () => {
  it('speaks HTTP/2 to an h2c upstream with `http2: on` (JSON and streams), and HTTP/1.1 with `auto` in cleartext', async () => {
    const json = await ask('h2/m', 'hello over h2');
    expect(json.status).toBe(200);
    expect(((await json.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('Fake reply to: hello over h2');
    const stream = await readSse(chatUrl(), { model: 'h2/m', stream: true, messages: [{ role: 'user', content: 'stream over h2' }] });
    expect(stream.status).toBe(200);
    expect(stream.events.at(-1)).toBe('[DONE]');
    expect((await ask('h1/m', 'hello over h1')).status).toBe(200);
    expect((await fakeStats(fake.url)).byProtocol).toEqual({ h2: 2, 'http/1.1': 1 });
  }, 60_000);

  it('carries many calls at once over HTTP/2', async () => {
    const directive = `[[fake latency=20000 gather=${IN_FLIGHT}]]`;
    const statuses = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => ask('h2/m', `${directive} h2 question ${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await fakeStats(fake.url)).toMatchObject({ maxInFlight: IN_FLIGHT, byProtocol: { h2: IN_FLIGHT } });
  }, 120_000);

  it('cancels the upstream HTTP/2 stream when the client leaves', async () => {
    await hangUpAfterFirstBytes(chatUrl(), { model: 'h2/m', stream: true, messages: [{ role: 'user', content: '[[fake chunks=50 chunk-delay=100]] long story' }] });
    const stats = await eventually(() => fakeStats(fake.url), (s) => s.aborted >= 1 && s.inFlight === 0, 10_000);
    expect(stats).toMatchObject({ aborted: 1, inFlight: 0, byProtocol: { h2: 1 } });
  }, 60_000);
});
