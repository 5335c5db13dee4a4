import { eventually, fakeStats, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson, readSse, streamedText } from './support/sse';
import { requestLines, sample, scrape, type LogLine } from './support/observed';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * In-process cache hits through real processes: a hit takes the same path as any request (key
 * check, validation, headers, metrics and log line), so for a prompt that is already cached bad
 * input is still refused, keys are still checked, streams and cache directives still work, a
 * miss still goes upstream once, and hits are measured and logged. Each test uses its own prompts
 * so entries never leak between tests.
 */
let fake: RunningProcess;
/** Memory cache (the default), request log and metrics on. */
let gateway: RunningProcess;
/** Gateway keys configured. */
let keyed: RunningProcess;
/** requestLog.content: true. */
let content: RunningProcess;

const CHAT = '/v1/chat/completions';
const KEY_A = 'sk-gateway-cache-hits-tenant-a-0001';
const KEY_B = 'sk-gateway-cache-hits-tenant-b-0002';
const provider = () => ({ type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key-cache-hits-e2e', models: ['m'] });

beforeAll(async () => {
  fake = await startFakeProvider();
  [gateway, keyed, content] = await Promise.all([
    startGateway({ providers: { fake: provider() } }),
    startGateway({ providers: { fake: provider() }, auth: { apiKeys: [KEY_A, KEY_B] } }),
    startGateway({ providers: { fake: provider() }, observability: { requestLog: { content: true } } }),
  ]);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gateway?.stop(), keyed?.stop(), content?.stop()]);
  await fake?.stop();
}, STOP_TIMEOUT_MS);

/** Deterministic (temperature 0), so the default cache policy caches it (docs/configuration.md#cache-policy). */
const chat = (prompt: string, extra: object = {}) => ({ model: 'fake/m', temperature: 0, messages: [{ role: 'user', content: prompt }], ...extra });
const upstreamCalls = async () => (await fakeStats(fake.url)).requests;

interface Answer {
  status: number;
  cache: string | null;
  headers: Headers;
  json: any;
}

async function answer(body: unknown, headers: Record<string, string> = {}, target = gateway): Promise<Answer> {
  const response = await postJson(`${target.url}${CHAT}`, body, headers);
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache'), headers: response.headers, json: await response.json() };
}

/** Asks once (a miss that goes upstream) and once more (now a hit); returns the stored answer. */
async function cached(prompt: string, headers: Record<string, string> = {}, target = gateway): Promise<Answer> {
  const first = await answer(chat(prompt), headers, target);
  expect([first.status, first.cache]).toEqual([200, 'MISS']);
  const second = await answer(chat(prompt), headers, target);
  expect([second.status, second.cache]).toEqual([200, 'HIT']);
  expect(second.json).toEqual(first.json);
  return first;
}

/** Waits for the request line of each id (lines are written when the response closes). */
async function linesFor(process: RunningProcess, ids: string[]): Promise<LogLine[]> {
  const found = await eventually(
    async () => requestLines(process).filter((line) => ids.includes(line.requestId)),
    (lines) => lines.length >= ids.length,
  );
  return ids.map((id) => {
    const lines = found.filter((line) => line.requestId === id);
    expect(lines).toHaveLength(1);
    return lines[0];
  });
}

describe('in-process cache hits', () => {
  it('a miss goes upstream exactly once, and the next identical request is a hit with the same answer', async () => {
    const before = await upstreamCalls();
    const miss = await answer(chat('cache hits first miss'));
    expect([miss.status, miss.cache]).toEqual([200, 'MISS']);
    expect((await upstreamCalls()) - before).toBe(1);

    const hits = [await answer(chat('cache hits first miss')), await answer(chat('cache hits first miss'))];
    for (const hit of hits) {
      expect([hit.status, hit.cache]).toEqual([200, 'HIT']);
      expect(hit.json).toEqual(miss.json);
      expect(hit.headers.get('x-llm-hub-provider')).toBe('fake');
      expect(hit.headers.get('x-llm-hub-target')).toBe('fake/m');
      expect(hit.headers.get('x-llm-hub-attempts')).toBe('0');
      expect(hit.headers.get('content-type')).toContain('application/json');
      expect(hit.headers.get('x-request-id')).toBeTruthy();
    }
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it.each([
    ['user', { user: 5 }],
    ['stream_options', { stream_options: { include_usage: true } }],
    ['timeout', { timeout: -1 }],
    ['provider', { provider: '' }],
  ])('still refuses a body invalid only in %p, a field the cache key ignores, with a 400 for a cached prompt', async (param, extra) => {
    const prompt = `cache hits invalid ${param}`;
    await cached(prompt);
    const before = await upstreamCalls();
    const refused = await answer(chat(prompt, extra));
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ type: 'invalid_request_error', param, code: 'invalid_value' });
    expect(refused.json.error.message).toContain(`'${param}'`);
    expect(refused.cache).not.toBe('HIT');
    expect(Object.keys(refused.json)).toEqual(['error']);
    expect((await upstreamCalls()) - before).toBe(0);
  });

  it('still refuses a malformed x-llm-hub-timeout-ms or x-llm-hub-cache-ttl for a cached prompt', async () => {
    const prompt = 'cache hits bad headers';
    await cached(prompt);
    for (const [header, bad] of [
      ['x-llm-hub-timeout-ms', 'soon'],
      ['x-llm-hub-timeout-ms', '-1'],
      ['x-llm-hub-cache-ttl', 'abc'],
      ['x-llm-hub-cache-ttl', '0'],
    ]) {
      const refused = await answer(chat(prompt), { [header]: bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ type: 'invalid_request_error', param: header });
    }
    // Well-formed, the same headers still get the stored answer.
    const withTimeout = await answer(chat(prompt), { 'x-llm-hub-timeout-ms': '5000' });
    expect([withTimeout.status, withTimeout.cache]).toEqual([200, 'HIT']);
  });

  it('with gateway keys: a missing or wrong key is refused 401 even though the answer is cached; another key is another tenant (MISS)', async () => {
    const prompt = 'cache hits keyed';
    const asA = { authorization: `Bearer ${KEY_A}` };
    const stored = await cached(prompt, asA, keyed);
    const before = await upstreamCalls();

    const missing = await answer(chat(prompt), {}, keyed);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(missing.cache).toBeNull();
    const wrong = await answer(chat(prompt), { authorization: 'Bearer sk-not-one-of-the-gateway-keys' }, keyed);
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API key.' });
    expect(JSON.stringify(wrong.json)).not.toContain(stored.json.choices[0].message.content);
    expect((await upstreamCalls()) - before).toBe(0);

    const otherTenant = await answer(chat(prompt), { authorization: `Bearer ${KEY_B}` }, keyed);
    expect([otherTenant.status, otherTenant.cache]).toEqual([200, 'MISS']);
    expect(otherTenant.json.id).not.toBe(stored.json.id);
    expect((await upstreamCalls()) - before).toBe(1);

    const again = await answer(chat(prompt), asA, keyed);
    expect([again.status, again.cache]).toEqual([200, 'HIT']);
    expect(again.json).toEqual(stored.json);
  });

  it('replays a cached prompt as SSE for stream: true', async () => {
    const prompt = 'cache hits stream replay';
    const stored = await cached(prompt);
    const before = await upstreamCalls();
    const replay = await readSse(`${gateway.url}${CHAT}`, chat(prompt, { stream: true }));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('content-type')).toContain('text/event-stream');
    expect(replay.headers.get('x-llm-hub-cache')).toBe('HIT');
    expect(replay.events.at(-1)).toBe('[DONE]');
    expect(streamedText(replay.events)).toBe(stored.json.choices[0].message.content);
    expect((await upstreamCalls()) - before).toBe(0);
  });

  it('Cache-Control: no-cache on a cached prompt bypasses the cache and goes upstream once', async () => {
    const prompt = 'cache hits no-cache';
    const stored = await cached(prompt);
    const before = await upstreamCalls();
    const fresh = await answer(chat(prompt), { 'cache-control': 'no-cache' });
    expect([fresh.status, fresh.cache]).toEqual([200, 'BYPASS']);
    expect(fresh.json.id).not.toBe(stored.json.id);
    expect((await upstreamCalls()) - before).toBe(1);
    // The fresh answer replaced the stored one.
    const after = await answer(chat(prompt));
    expect([after.cache, after.json.id]).toEqual(['HIT', fresh.json.id]);
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('counts every hit in llm_hub_requests_total{cache="hit"} and writes a request line for each, with its request id', async () => {
    const prompt = 'cache hits observed hits';
    await cached(prompt);
    const N = 5;
    const ids = Array.from({ length: N }, (_, i) => `cache-hits-hit-${i}`);
    const hitSeries = { route: CHAT, provider: 'fake', model: 'm', status_class: '2xx', cache: 'hit' };
    const before = await eventually(
      () => scrape(gateway),
      (text) => sample(text, 'llm_hub_requests_total', { ...hitSeries }) >= 1,
    );
    const lookupsBefore = sample(before, 'llm_hub_cache_lookups_total', { result: 'hit', tier: 'memory' });

    for (const id of ids) {
      const hit = await answer(chat(prompt), { 'x-request-id': id });
      expect([hit.status, hit.cache, hit.headers.get('x-request-id')]).toEqual([200, 'HIT', id]);
    }

    const delta = (text: string) => sample(text, 'llm_hub_requests_total', hitSeries) - sample(before, 'llm_hub_requests_total', hitSeries);
    const after = await eventually(
      () => scrape(gateway),
      (text) => delta(text) >= N,
    );
    expect(delta(after)).toBe(N);
    expect(sample(after, 'llm_hub_cache_lookups_total', { result: 'hit', tier: 'memory' }) - lookupsBefore).toBe(N);

    const lines = await linesFor(gateway, ids);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 'info', method: 'POST', route: CHAT, status: 200, cache: 'HIT', provider: 'fake', model: 'm', target: 'fake/m', attempts: 0, stream: false });
      expect(line.latencyMs).toBeGreaterThanOrEqual(0);
      // No content logging on this gateway.
      expect(line.messages).toBeUndefined();
      expect(line.answer).toBeUndefined();
    }
  });

  it('with requestLog.content: true, a hit\'s request line carries the prompt and the answer', async () => {
    const prompt = 'cache hits logged content';
    const stored = await cached(prompt, {}, content);
    const hit = await answer(chat(prompt), { 'x-request-id': 'cache-hits-content-hit' }, content);
    expect([hit.status, hit.cache]).toEqual([200, 'HIT']);
    const [line] = await linesFor(content, ['cache-hits-content-hit']);
    expect(line).toMatchObject({ status: 200, cache: 'HIT', provider: 'fake', model: 'm' });
    expect(line.messages).toEqual([{ role: 'user', content: prompt }]);
    expect(line.answer).toEqual([stored.json.choices[0].message]);
    expect(JSON.stringify(line.answer)).toContain(`Fake reply to: ${prompt}`);
  });
});
