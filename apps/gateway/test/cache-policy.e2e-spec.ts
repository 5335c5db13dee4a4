import { eventually, fakeStats, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson, readSse, streamedText } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * What the response cache is allowed to replay (docs/configuration.md#cache-policy), through real
 * processes. The fake provider's `vary` directive makes it answer like a sampling model (each
 * answer differs), and its request counter says what reached upstream. Each test uses its own
 * prompt, so entries never leak between tests.
 */
let fake: RunningProcess;
let gateway: RunningProcess;
let cacheAll: RunningProcess;

const provider = (f: RunningProcess) => ({ type: 'openai-compatible', baseUrl: `${f.url}/v1`, apiKey: 'upstream-key-policy-e2e', models: ['m'], embeddings: true });

beforeAll(async () => {
  fake = await startFakeProvider();
  [gateway, cacheAll] = await Promise.all([
    startGateway({
      providers: { fake: provider(fake) },
      routing: { aliases: { faq: 'fake/m', chatty: 'fake/m' } },
      cache: { models: { faq: { cacheable: 'all' } } },
    }),
    startGateway({ providers: { fake: provider(fake) }, cache: { cacheable: 'all' } }),
  ]);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gateway?.stop(), cacheAll?.stop()]);
  await fake?.stop();
}, STOP_TIMEOUT_MS);

/** A prompt whose answers differ each time it reaches the upstream, as a sampling model's do. */
const random = (topic: string, extra: object = {}) => ({ model: 'fake/m', messages: [{ role: 'user', content: `Give me a random ${topic} [[fake vary]]` }], ...extra });
const upstreamCalls = async () => (await fakeStats(fake.url)).requests;

async function answer(body: object, headers: Record<string, string> = {}, target = gateway) {
  const response = await postJson(`${target.url}/v1/chat/completions`, body, headers);
  const json = (await response.json()) as any;
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache'), json, content: json.choices?.map((c: any) => c.message.content).join('|') as string };
}

/** Asks twice, one after the other; says what the cache did each time and how many calls reached upstream. */
async function twice(body: object, headers: Record<string, string> = {}, target = gateway) {
  const before = await upstreamCalls();
  const first = await answer(body, headers, target);
  const second = await answer(body, headers, target);
  expect([first.status, second.status]).toEqual([200, 200]);
  return { first, second, caches: [first.cache, second.cache], upstream: (await upstreamCalls()) - before };
}

describe('cache policy: only deterministic requests are cached unless someone opts in', () => {
  it('a sampled request (temperature 0.7) reaches the upstream each time and gets a new answer, UNCACHEABLE', async () => {
    const { first, second, caches, upstream } = await twice(random('name', { temperature: 0.7 }));
    expect(caches).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
    expect(upstream).toBe(2);
    expect(second.content).not.toBe(first.content);
  });

  it('so does a request without a temperature (the provider samples at its default)', async () => {
    const { first, second, caches, upstream } = await twice(random('colour'));
    expect(caches).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
    expect(upstream).toBe(2);
    expect(second.content).not.toBe(first.content);
  });

  it('temperature 0 is cached: the second is a hit with the same answer', async () => {
    const { first, second, caches, upstream } = await twice(random('number', { temperature: 0 }));
    expect(caches).toEqual(['MISS', 'HIT']);
    expect(upstream).toBe(1);
    expect(second.json).toEqual(first.json);
  });

  it('a seed makes a sampled request cacheable', async () => {
    const { caches, upstream } = await twice(random('city', { temperature: 0.7, seed: 42 }));
    expect(caches).toEqual(['MISS', 'HIT']);
    expect(upstream).toBe(1);
  });

  it('Cache-Control: max-age=60 opts a sampled request in; without it the same request is not served from the cache', async () => {
    const body = random('animal', { temperature: 0.7 });
    const { first, second, caches, upstream } = await twice(body, { 'cache-control': 'max-age=60' });
    expect(caches).toEqual(['MISS', 'HIT']);
    expect(upstream).toBe(1);
    expect(second.content).toBe(first.content);
    const plain = await answer(body);
    expect(plain.cache).toBe('UNCACHEABLE');
    expect(plain.content).not.toBe(first.content);
  });

  it('max-age is how old a stored answer may be: one older than that is a miss, and is replaced', async () => {
    const body = random('river', { temperature: 0.7 });
    const stored = await answer(body, { 'cache-control': 'max-age=60' });
    // Once a second has passed, the stored answer is too old for max-age=1 (polled: no fixed sleep).
    const fresher = await eventually(() => answer(body, { 'cache-control': 'max-age=1' }), (next) => next.cache === 'MISS', 10_000);
    expect(fresher.content).not.toBe(stored.content);
    const again = await answer(body, { 'cache-control': 'max-age=60' });
    expect(again).toMatchObject({ cache: 'HIT', content: fresher.content });
  });

  it('refuses a malformed max-age with a 400 in OpenAI error shape', async () => {
    const response = await answer(random('typo', { temperature: 0.7 }), { 'cache-control': 'max-age=soon' });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'cache-control' });
  });

  it('n > 1 asks for several different answers: not cached, even at temperature 0, unless opted in', async () => {
    const body = random('pair', { temperature: 0, n: 2 });
    expect((await twice(body)).caches).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
    expect((await twice(body, { 'cache-control': 'max-age=60' })).caches).toEqual(['MISS', 'HIT']);
    expect((await twice(body, {}, cacheAll)).caches).toEqual(['MISS', 'HIT']);
  });

  it('embeddings are deterministic and cached by default', async () => {
    const body = { model: 'fake/m', input: ['policy embeddings'] };
    const before = await upstreamCalls();
    const first = await postJson(`${gateway.url}/v1/embeddings`, body);
    const second = await postJson(`${gateway.url}/v1/embeddings`, body);
    expect([first.headers.get('x-llm-hub-cache'), second.headers.get('x-llm-hub-cache')]).toEqual(['MISS', 'HIT']);
    expect(await second.json()).toEqual(await first.json());
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('an alias opted in with cache.models is cached whatever the temperature; another alias of the same target is not', async () => {
    const faq = await twice(random('fact', { model: 'faq', temperature: 0.9 }));
    expect(faq.caches).toEqual(['MISS', 'HIT']);
    expect(faq.second.content).toBe(faq.first.content);
    expect((await twice(random('fact', { model: 'chatty', temperature: 0.9 }))).caches).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
  });

  it('cache.cacheable: all restores caching every request', async () => {
    const { first, second, caches, upstream } = await twice(random('name', { temperature: 0.7 }), {}, cacheAll);
    expect(caches).toEqual(['MISS', 'HIT']);
    expect(upstream).toBe(1);
    expect(second.content).toBe(first.content);
  });

  describe('streams follow the same policy', () => {
    const stream = (body: object, headers: Record<string, string> = {}, target = gateway) => readSse(`${target.url}/v1/chat/completions`, { ...body, stream: true }, headers);

    it('a sampled stream reaches the upstream each time, with a new answer, UNCACHEABLE', async () => {
      const before = await upstreamCalls();
      const first = await stream(random('stream name', { temperature: 0.7 }));
      const second = await stream(random('stream name', { temperature: 0.7 }));
      expect([first.headers.get('x-llm-hub-cache'), second.headers.get('x-llm-hub-cache')]).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
      expect(streamedText(second.events)).not.toBe(streamedText(first.events));
      expect((await upstreamCalls()) - before).toBe(2);
    });

    it('a deterministic stream, or one opted in by max-age, is replayed', async () => {
      for (const [body, headers] of [
        [random('stream number', { temperature: 0 }), {}],
        [random('stream animal', { temperature: 0.7 }), { 'cache-control': 'max-age=60' }],
      ] as const) {
        const first = await stream(body, headers);
        const second = await stream(body, headers);
        expect([first.headers.get('x-llm-hub-cache'), second.headers.get('x-llm-hub-cache')]).toEqual(['MISS', 'HIT']);
        expect(streamedText(second.events)).toBe(streamedText(first.events));
      }
    });
  });

  it('/metrics counts requests left alone by the policy, under their own bounded label', async () => {
    const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^llm_hub_cache_lookups_total\{result="uncacheable",tier="none"\} [1-9]/m);
    expect(metrics).toMatch(/^llm_hub_requests_total\{[^}]*cache="uncacheable"[^}]*\} [1-9]/m);
  });
});
