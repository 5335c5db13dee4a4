import { eventually, fakeStats, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson, readSse, streamedText } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The in-process response cache through real processes: the gateway (cache type memory, the
 * default) in front of the fake provider, whose request counter says what reached upstream.
 * Each test uses its own prompt, so entries never leak between tests.
 */
let fake: RunningProcess;
let gateway: RunningProcess;
let keyed: RunningProcess;

const KEY_A = 'sk-gateway-tenant-a-000000000001';
const KEY_B = 'sk-gateway-tenant-b-000000000002';
const provider = (f: RunningProcess) => ({ type: 'openai-compatible', baseUrl: `${f.url}/v1`, apiKey: 'upstream-key-cache-e2e', models: ['m'], embeddings: true });

beforeAll(async () => {
  fake = await startFakeProvider();
  [gateway, keyed] = await Promise.all([
    startGateway({ providers: { fake: provider(fake) }, routing: { aliases: { smart: 'fake/m' } } }),
    startGateway({ providers: { fake: provider(fake) }, auth: { apiKeys: [KEY_A, KEY_B] } }),
  ]);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gateway?.stop(), keyed?.stop()]);
  await fake?.stop();
}, STOP_TIMEOUT_MS);

/** Deterministic (temperature 0), so the default cache policy caches it (docs/configuration.md#cache-policy). */
const chat = (content: string, extra: object = {}) => ({ model: 'fake/m', temperature: 0, messages: [{ role: 'user', content }], ...extra });
const ask = (body: object, headers: Record<string, string> = {}, target = gateway) => postJson(`${target.url}/v1/chat/completions`, body, headers);
const upstreamCalls = async () => (await fakeStats(fake.url)).requests;

async function answer(body: object, headers: Record<string, string> = {}, target = gateway) {
  const response = await ask(body, headers, target);
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache'), headers: response.headers, json: (await response.json()) as any };
}

describe('memory cache', () => {
  it('answers a repeated request from the cache: same body, no upstream call, says HIT', async () => {
    const before = await upstreamCalls();
    const first = await answer(chat('repeat me'));
    const second = await answer(chat('repeat me'));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.cache, second.cache]).toEqual(['MISS', 'HIT']);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('x-llm-hub-provider')).toBe('fake');
    expect(second.headers.get('x-llm-hub-target')).toBe('fake/m');
    expect(second.headers.get('x-llm-hub-attempts')).toBe('0');
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('keys on what can change the answer: key order and `user` do not matter, temperature does', async () => {
    // A seed makes a sampled request cacheable, so the temperature is in play.
    const first = await answer({ messages: [{ role: 'user', content: 'key order' }], model: 'fake/m', temperature: 0.2, seed: 1 });
    const reordered = await answer({ seed: 1, temperature: 0.2, model: 'fake/m', messages: [{ content: 'key order', role: 'user' }], user: 'someone' });
    const warmer = await answer(chat('key order', { temperature: 0.9, seed: 1 }));
    expect([first.cache, reordered.cache, warmer.cache]).toEqual(['MISS', 'HIT', 'MISS']);
  });

  it('shares entries between an alias and the target it resolves to', async () => {
    const viaAlias = await answer(chat('alias and target', { model: 'smart' }));
    const direct = await answer(chat('alias and target'));
    expect([viaAlias.cache, direct.cache]).toEqual(['MISS', 'HIT']);
  });

  it('Cache-Control: no-cache skips the lookup (BYPASS) and refreshes the stored answer', async () => {
    const stored = await answer(chat('refresh me'));
    const refreshed = await answer(chat('refresh me'), { 'cache-control': 'No-Cache' });
    const after = await answer(chat('refresh me'));
    expect([stored.cache, refreshed.cache, after.cache]).toEqual(['MISS', 'BYPASS', 'HIT']);
    expect(refreshed.json.id).not.toBe(stored.json.id);
    expect(after.json.id).toBe(refreshed.json.id);
  });

  it('Cache-Control: no-store answers without storing', async () => {
    const first = await answer(chat('do not keep'), { 'cache-control': 'max-age=0, no-store' });
    const second = await answer(chat('do not keep'));
    expect([first.cache, second.cache]).toEqual(['MISS', 'MISS']);
  });

  it('x-llm-hub-cache-ttl keeps an answer for that many seconds only', async () => {
    const first = await answer(chat('short lived'), { 'x-llm-hub-cache-ttl': '1' });
    const soon = await answer(chat('short lived'));
    // Hits until the second has passed, then misses (the default TTL would keep it far longer).
    const later = await eventually(() => answer(chat('short lived')), (next) => next.cache === 'MISS', 10_000);
    expect([first.cache, soon.cache, later.cache]).toEqual(['MISS', 'HIT', 'MISS']);
  });

  it('refuses a malformed x-llm-hub-cache-ttl with a 400 in OpenAI error shape', async () => {
    for (const bad of ['abc', '0', '-5', '1.5']) {
      const response = await answer(chat('bad ttl'), { 'x-llm-hub-cache-ttl': bad });
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({ type: 'invalid_request_error', param: 'x-llm-hub-cache-ttl' });
    }
  });

  it('never stores an error', async () => {
    const before = await upstreamCalls();
    const first = await answer(chat('always fails [[fake status=400]]'));
    const second = await answer(chat('always fails [[fake status=400]]'));
    expect([first.status, second.status]).toEqual([400, 400]);
    expect(first.cache).toBe('MISS');
    expect(second.cache).toBe('MISS');
    expect((await upstreamCalls()) - before).toBe(2);
  });

  it('stores a completed stream and replays it as SSE in OpenAI chunk shape', async () => {
    const body = chat('stream me [[fake chunks=5]]', { stream: true, stream_options: { include_usage: true } });
    const first = await readSse(`${gateway.url}/v1/chat/completions`, body);
    const before = await upstreamCalls();
    const second = await readSse(`${gateway.url}/v1/chat/completions`, body);
    expect(first.headers.get('x-llm-hub-cache')).toBe('MISS');
    expect(second.headers.get('x-llm-hub-cache')).toBe('HIT');
    expect(second.headers.get('content-type')).toContain('text/event-stream');
    expect(await upstreamCalls()).toBe(before);
    expect(streamedText(second.events)).toBe(streamedText(first.events));
    expect(second.events.at(-1)).toBe('[DONE]');
    const chunks = second.events.slice(0, -1) as Array<{ object: string; choices: Array<{ finish_reason: string | null }>; usage?: unknown }>;
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('serves a stored stream to a plain request and a stored answer to a stream request', async () => {
    const streamed = await readSse(`${gateway.url}/v1/chat/completions`, chat('either way one', { stream: true }));
    const plain = await answer(chat('either way one'));
    expect(plain.cache).toBe('HIT');
    expect(plain.json.object).toBe('chat.completion');
    expect(plain.json.choices[0].message.content).toBe(streamedText(streamed.events));

    const stored = await answer(chat('either way two'));
    const replayed = await readSse(`${gateway.url}/v1/chat/completions`, chat('either way two', { stream: true }));
    expect(replayed.headers.get('x-llm-hub-cache')).toBe('HIT');
    expect(streamedText(replayed.events)).toBe(stored.json.choices[0].message.content);
  });

  it('never stores a stream cut after its first chunk', async () => {
    const body = chat('cut short [[fake chunks=6 cut-after=2]]', { stream: true });
    const first = await readSse(`${gateway.url}/v1/chat/completions`, body);
    expect(first.events).not.toContain('[DONE]');
    const before = await upstreamCalls();
    const second = await readSse(`${gateway.url}/v1/chat/completions`, body);
    expect(second.headers.get('x-llm-hub-cache')).toBe('MISS');
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('makes 50 identical concurrent requests cost one upstream call', async () => {
    const before = await upstreamCalls();
    const results = await Promise.all(Array.from({ length: 50 }, () => answer(chat('all at once [[fake latency=300]]'))));
    expect((await upstreamCalls()) - before).toBe(1);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(results.filter((r) => r.cache === 'MISS')).toHaveLength(1);
    expect(results.filter((r) => r.cache === 'HIT')).toHaveLength(49);
  });

  it('caches embeddings too', async () => {
    const body = { model: 'fake/m', input: ['embed me once'] };
    const first = await postJson(`${gateway.url}/v1/embeddings`, body);
    const second = await postJson(`${gateway.url}/v1/embeddings`, body);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get('x-llm-hub-cache'), second.headers.get('x-llm-hub-cache')]).toEqual(['MISS', 'HIT']);
    expect(await second.json()).toEqual(await first.json());
  });

  it('never lets one gateway key read answers stored for another', async () => {
    const asA = { authorization: `Bearer ${KEY_A}` };
    const asB = { authorization: `Bearer ${KEY_B}` };
    const a1 = await answer(chat('tenant secret'), asA, keyed);
    const a2 = await answer(chat('tenant secret'), asA, keyed);
    const b1 = await answer(chat('tenant secret'), asB, keyed);
    expect([a1.cache, a2.cache, b1.cache]).toEqual(['MISS', 'HIT', 'MISS']);
    expect(b1.json.id).not.toBe(a1.json.id);
  });

  it('reports the cache in readiness', async () => {
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { cache: { status: 'up', type: 'memory', state: 'ok' } } });
  });

  it('is off with cache type none: every response says BYPASS', async () => {
    const off = await startGateway({ providers: { fake: provider(fake) }, cache: { type: 'none' } });
    try {
      const first = await answer(chat('no cache at all'), {}, off);
      const second = await answer(chat('no cache at all'), {}, off);
      expect([first.cache, second.cache]).toEqual(['BYPASS', 'BYPASS']);
      expect(second.json.id).not.toBe(first.json.id);
      expect(await (await fetch(`${off.url}/health/ready`)).json()).toMatchObject({ status: 'ok', details: { cache: { status: 'up', state: 'disabled' } } });
    } finally {
      await off.stop();
    }
  }, START_TIMEOUT_MS);
});
