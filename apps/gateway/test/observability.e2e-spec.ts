import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { NO_RETRY_NO_BREAKER, eventually, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { requestLines, sample, scrape, type LogLine } from './support/observed';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * What an operator sees of the gateway, through real processes (the fake provider behind
 * gateways): one JSON log line per API request, the cost header and trailer, GET /metrics,
 * terminus health, and no secret anywhere in what the process prints.
 *
 * Each gateway is fresh for this file, so its counters and its cache start empty; each test uses
 * its own prompts and request ids, and metric assertions are deltas over a test's own traffic.
 */

/** The price the main gateway's config gives `fake/m`: USD per million tokens. */
const PRICE = { input: 1, output: 2 };
const CHAT = '/v1/chat/completions';

let fake: RunningProcess;
/** Request log on (no content), metrics on, a price for fake/m, no retries (one attempt per call). */
let main: RunningProcess;
/** requestLog.content: true. */
let content: RunningProcess;
/** requestLog.enabled: false, and a default provider so made-up model names are served. */
let logOff: RunningProcess;
/** metrics.enabled: false. */
let metricsOff: RunningProcess;
/** Keys in the environment, debug logging, a Redis URL with a password (nothing listening). */
let secrets: RunningProcess;

const SECRETS = {
  openai: 'sk-proj-Q7vX2mN9pL4kR8sT1wY6zB3cF5hJ0dG2aE7uI9oP4lK6nM8v',
  anthropic: 'sk-ant-api03-Zx8Cv7Bn6Mq5Wr4Et3Yu2Io1Pa0SdFgHjKl9QwErTyUiAsD-4fGh5jKAA',
  gatewayKeys: ['llmhub-live-4f9c2e7a1b8d3f6e0a5c7d9e', 'llmhub-live-9e1d7c3b5a2f8e4d6c0b1a3f'],
  redisPassword: 'R3dis-e2e-Pa55w0rd-7f3a9c1e',
};
/** A key a client sent that is not one of the gateway's: not a secret of ours, but not for the logs either. */
const WRONG_CLIENT_KEY = 'llmhub-live-0d3c6b9a2e5f8a1c4e7b0d2f';

const fakeProvider = () => ({ type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key-observability-e2e', models: ['m', 'unpriced-model-q'] });

/** A port with nothing listening (for a Redis that is down). */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  fake = await startFakeProvider();
  const base = { providers: { fake: fakeProvider() }, resilience: NO_RETRY_NO_BREAKER };
  const pricing = { 'fake/m': PRICE };
  const redisPort = await deadPort();
  [main, content, logOff, metricsOff, secrets] = await Promise.all([
    startGateway({ ...base, observability: { pricing } }),
    startGateway({ ...base, observability: { pricing, requestLog: { content: true } } }),
    startGateway({ ...base, routing: { defaultProvider: 'fake' }, observability: { pricing, requestLog: { enabled: false } } }),
    startGateway({ ...base, observability: { pricing, metrics: { enabled: false } } }),
    startGateway(undefined, {
      OPENAI_API_KEY: SECRETS.openai,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      ANTHROPIC_API_KEY: SECRETS.anthropic,
      ANTHROPIC_BASE_URL: fake.url,
      LLM_HUB_API_KEYS: SECRETS.gatewayKeys.join(','),
      LLM_HUB_LOG_LEVEL: 'debug',
      LLM_HUB_CACHE_TYPE: 'redis',
      LLM_HUB_REDIS_URL: `redis://default:${SECRETS.redisPassword}@127.0.0.1:${redisPort}/0`,
    }),
  ]);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([main, content, logOff, metricsOff, secrets].map((p) => p?.stop()));
  await fake?.stop();
}, STOP_TIMEOUT_MS);

// ---- helpers --------------------------------------------------------------------------------

/** Deterministic (temperature 0), so the default cache policy caches it (docs/configuration.md#cache-policy). */
const chat = (content: string, extra: object = {}) => ({ model: 'fake/m', temperature: 0, messages: [{ role: 'user', content }], ...extra });

/** The fake's usage for a prompt without directives: words in, words of "Fake reply to: <prompt>" out. */
function fakeUsage(prompt: string): { prompt: number; completion: number } {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  return { prompt: words(prompt), completion: words(`Fake reply to: ${prompt}`) };
}

/** USD at the main gateway's price for fake/m. */
const costOf = (usage: { prompt: number; completion: number }) => (usage.prompt * PRICE.input + usage.completion * PRICE.output) / 1_000_000;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** HTTP trailers, read after 'end' (fetch cannot read them). */
  trailers: NodeJS.Dict<string>;
}

/** One request with node:http, for trailers and for a chosen keep-alive agent. */
function rawRequest(url: string, body?: unknown, headers: Record<string, string> = {}, agent?: Agent): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: body === undefined ? 'GET' : 'POST', agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, trailers: res.trailers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Starts a stream and hangs up after its first bytes. */
function abandonStream(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(JSON.stringify(body));
  });
}

/** The SSE `data:` payloads of a stream body (without `[DONE]`). */
function sseEvents(body: string): Array<Record<string, any>> {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)));
}

/** Waits for the request line of a request id (lines are written asynchronously). */
async function requestLine(process: RunningProcess, requestId: string): Promise<LogLine> {
  const lines = await eventually(
    async () => requestLines(process).filter((line) => line.requestId === requestId),
    (found) => found.length > 0,
  );
  expect(lines).toHaveLength(1);
  return lines[0];
}

// ---- request log ------------------------------------------------------------------------------

describe('request log', () => {
  it('writes exactly one line per API request with route, status, provider, model, cache, stream, tokens and cost', async () => {
    const url = `${main.url}${CHAT}`;
    const ids = ['log-json', 'log-stream', 'log-stream-usage', 'log-hit', 'log-bad', 'log-unknown', 'log-5xx', 'log-gone'];

    const jsonPrompt = 'observe one json request';
    const json = await postJson(url, chat(jsonPrompt), { 'x-request-id': 'log-json' });
    expect(json.status).toBe(200);
    const jsonBody = (await json.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    // The fake's usage, as the helper predicts it (the other expectations rely on it).
    expect(jsonBody.usage).toMatchObject({ prompt_tokens: fakeUsage(jsonPrompt).prompt, completion_tokens: fakeUsage(jsonPrompt).completion });

    const streamPrompt = 'observe one streamed request';
    const stream = await rawRequest(url, chat(streamPrompt, { stream: true }), { 'x-request-id': 'log-stream' });
    expect(stream.status).toBe(200);
    expect(stream.body.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const usagePrompt = 'observe a streamed request with usage';
    const withUsage = await rawRequest(url, chat(usagePrompt, { stream: true, stream_options: { include_usage: true } }), { 'x-request-id': 'log-stream-usage' });
    expect(withUsage.status).toBe(200);
    const usageChunk = sseEvents(withUsage.body).find((event) => event.usage)?.usage;
    expect(usageChunk).toMatchObject({ prompt_tokens: fakeUsage(usagePrompt).prompt, completion_tokens: fakeUsage(usagePrompt).completion });

    const hit = await postJson(url, chat(jsonPrompt), { 'x-request-id': 'log-hit' });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-llm-hub-cache')).toBe('HIT');

    const bad = await postJson(url, { model: 'fake/m', messages: 'not a list' }, { 'x-request-id': 'log-bad' });
    expect(bad.status).toBe(400);

    const unknown = await postJson(url, { ...chat('observe an unknown model'), model: 'no-such-model' }, { 'x-request-id': 'log-unknown' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('model_not_found');

    const failed = await postJson(url, chat('[[fake status=500]] observe an upstream failure'), { 'x-request-id': 'log-5xx' });
    expect(failed.status).toBe(502);
    expect(failed.headers.has('x-llm-hub-cost-usd')).toBe(false);

    expect(await abandonStream(url, chat('[[fake chunks=20 chunk-delay=100]] observe a client that leaves', { stream: true }), { 'x-request-id': 'log-gone' })).toBe(200);

    const lines = new Map<string, LogLine>();
    for (const id of ids) lines.set(id, await requestLine(main, id));

    const common = { level: 'info', method: 'POST', route: CHAT };
    expect(lines.get('log-json')).toMatchObject({
      ...common,
      status: 200,
      provider: 'fake',
      model: 'm',
      target: 'fake/m',
      attempts: 1,
      cache: 'MISS',
      stream: false,
      promptTokens: fakeUsage(jsonPrompt).prompt,
      completionTokens: fakeUsage(jsonPrompt).completion,
    });
    expect(lines.get('log-json')!.costUsd).toBeCloseTo(costOf(fakeUsage(jsonPrompt)), 12);
    expect(lines.get('log-json')!.savedUsd).toBeUndefined();
    expect(lines.get('log-json')!.latencyMs).toBeGreaterThan(0);
    expect(lines.get('log-json')!.upstreamMs).toBeGreaterThan(0);

    for (const [id, prompt] of [
      ['log-stream', streamPrompt],
      ['log-stream-usage', usagePrompt],
    ]) {
      const line = lines.get(id)!;
      // Without include_usage the client gets no usage chunk, but the gateway still asks for one.
      expect(line).toMatchObject({
        ...common,
        status: 200,
        provider: 'fake',
        model: 'm',
        cache: 'MISS',
        stream: true,
        promptTokens: fakeUsage(prompt).prompt,
        completionTokens: fakeUsage(prompt).completion,
      });
      expect(line.costUsd).toBeCloseTo(costOf(fakeUsage(prompt)), 12);
      expect(line.firstChunkMs).toBeGreaterThan(0);
      expect(line.firstChunkMs).toBeLessThanOrEqual(line.latencyMs);
    }

    expect(lines.get('log-hit')).toMatchObject({ ...common, status: 200, provider: 'fake', model: 'm', cache: 'HIT', stream: false, costUsd: 0 });
    expect(lines.get('log-hit')!.savedUsd).toBeGreaterThan(0);
    expect(lines.get('log-hit')!.savedUsd).toBeCloseTo(costOf(fakeUsage(jsonPrompt)), 12);

    // Failed before routing: no provider, no model, the cache not consulted, nothing billed.
    for (const [id, status] of [
      ['log-bad', 400],
      ['log-unknown', 404],
    ] as const) {
      const line = lines.get(id)!;
      expect(line).toMatchObject({ ...common, status, cache: 'BYPASS', stream: false });
      for (const field of ['provider', 'model', 'promptTokens', 'completionTokens', 'costUsd', 'savedUsd']) expect(line[field]).toBeUndefined();
    }

    expect(lines.get('log-5xx')).toMatchObject({ ...common, status: 502, provider: 'fake', model: 'm', cache: 'MISS', stream: false, attempts: 1 });
    expect(lines.get('log-5xx')!.costUsd).toBeUndefined();

    // nginx's convention for a client that closed the connection before the answer was complete.
    expect(lines.get('log-gone')).toMatchObject({ ...common, status: 499, provider: 'fake', model: 'm', stream: true });

    // Still exactly one line each once everything settled, and none for other ids.
    await new Promise((r) => setTimeout(r, 200));
    const logged = requestLines(main).map((line) => line.requestId as string).filter((id) => id.startsWith('log-'));
    expect(logged.sort()).toEqual([...ids].sort());
  });

  it('never writes prompts or answers by default', async () => {
    const phrase = 'purple giraffes whisper secrets';
    const url = `${main.url}${CHAT}`;
    expect((await postJson(url, chat(phrase), { 'x-request-id': 'private-json' })).status).toBe(200);
    expect((await rawRequest(url, chat(`${phrase} in a stream`, { stream: true }), { 'x-request-id': 'private-stream' })).status).toBe(200);
    expect((await postJson(url, chat(`[[fake status=500]] ${phrase}`), { 'x-request-id': 'private-5xx' })).status).toBe(502);
    expect((await postJson(url, { model: 'fake/m', messages: [{ role: 'robot', content: phrase }] }, { 'x-request-id': 'private-bad' })).status).toBe(400);
    for (const id of ['private-json', 'private-stream', 'private-5xx', 'private-bad']) {
      const line = await requestLine(main, id);
      expect(line.messages).toBeUndefined();
      expect(line.answer).toBeUndefined();
    }
    // The answers ("Fake reply to: <prompt>") carry the phrase too.
    expect(main.output()).not.toContain(phrase);
  });

  it('writes the prompt and the answer with requestLog.content: true', async () => {
    const phrase = 'orange pelicans juggle lanterns';
    const url = `${content.url}${CHAT}`;
    expect((await postJson(url, chat(phrase), { 'x-request-id': 'content-json' })).status).toBe(200);
    const streamed = `${phrase} while streaming`;
    expect((await rawRequest(url, chat(streamed, { stream: true }), { 'x-request-id': 'content-stream' })).status).toBe(200);

    const json = await requestLine(content, 'content-json');
    expect(json.messages).toEqual([{ role: 'user', content: phrase }]);
    expect(JSON.stringify(json.answer)).toContain(`Fake reply to: ${phrase}`);
    const stream = await requestLine(content, 'content-stream');
    expect(stream.messages).toEqual([{ role: 'user', content: streamed }]);
    expect(stream.answer).toBe(`Fake reply to: ${streamed}`);
  });

  it('writes no request lines with requestLog.enabled: false, while still serving', async () => {
    const response = await postJson(`${logOff.url}${CHAT}`, chat('unlogged request'), { 'x-request-id': 'off-json' });
    expect(response.status).toBe(200);
    const streamed = await rawRequest(`${logOff.url}${CHAT}`, chat('unlogged stream', { stream: true }), { 'x-request-id': 'off-stream' });
    expect(streamed.status).toBe(200);
    // The metrics see both requests, so they are finished; the log still has nothing.
    await eventually(
      () => scrape(logOff),
      (text) => sample(text, 'llm_hub_requests_total', { route: CHAT, status_class: '2xx' }) >= 2,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(requestLines(logOff)).toEqual([]);
    expect(logOff.output()).not.toContain('off-json');
    expect(logOff.output()).not.toContain('off-stream');
  });
});

// ---- cost ---------------------------------------------------------------------------------------

describe('cost per request', () => {
  it('sends x-llm-hub-cost-usd on a JSON answer: the expected USD, then 0 for a cache hit', async () => {
    const prompt = 'what does this answer cost';
    const first = await postJson(`${main.url}${CHAT}`, chat(prompt));
    expect(first.status).toBe(200);
    const header = first.headers.get('x-llm-hub-cost-usd');
    expect(header).toMatch(/^\d+(\.\d+)?$/); // plain decimal, no exponent
    expect(Number(header)).toBeCloseTo(costOf(fakeUsage(prompt)), 12);
    const again = await postJson(`${main.url}${CHAT}`, chat(prompt));
    expect(again.headers.get('x-llm-hub-cache')).toBe('HIT');
    expect(again.headers.get('x-llm-hub-cost-usd')).toBe('0');
  });

  it('sends no cost for a model without a price (unknown is not free)', async () => {
    const response = await postJson(`${main.url}${CHAT}`, { ...chat('an unpriced model'), model: 'fake/unpriced-model-q' }, { 'x-request-id': 'cost-unpriced' });
    expect(response.status).toBe(200);
    expect(response.headers.has('x-llm-hub-cost-usd')).toBe(false);
    const line = await requestLine(main, 'cost-unpriced');
    expect(line).toMatchObject({ provider: 'fake', model: 'unpriced-model-q', promptTokens: fakeUsage('an unpriced model').prompt });
    expect(line.costUsd).toBeUndefined();
    const streamed = await rawRequest(`${main.url}${CHAT}`, { ...chat('an unpriced stream', { stream: true }), model: 'fake/unpriced-model-q' });
    expect(streamed.status).toBe(200);
    expect(streamed.trailers['x-llm-hub-cost-usd']).toBeUndefined();
  });

  it('sends the cost of an SSE stream as an HTTP trailer, with and without include_usage, and 0 for a cached stream', async () => {
    const prompt = 'what does this stream cost';
    const streamed = await rawRequest(`${main.url}${CHAT}`, chat(prompt, { stream: true }));
    expect(streamed.status).toBe(200);
    expect(streamed.headers.trailer).toBe('x-llm-hub-cost-usd');
    expect(streamed.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(Number(streamed.trailers['x-llm-hub-cost-usd'])).toBeCloseTo(costOf(fakeUsage(prompt)), 12);

    const withUsage = await rawRequest(`${main.url}${CHAT}`, chat('a stream with usage costs', { stream: true, stream_options: { include_usage: true } }));
    expect(Number(withUsage.trailers['x-llm-hub-cost-usd'])).toBeCloseTo(costOf(fakeUsage('a stream with usage costs')), 12);

    const cached = await rawRequest(`${main.url}${CHAT}`, chat(prompt, { stream: true }));
    expect(cached.headers['x-llm-hub-cache']).toBe('HIT');
    expect(cached.trailers['x-llm-hub-cost-usd']).toBe('0');
  });
});

// ---- metrics ------------------------------------------------------------------------------------

describe('metrics', () => {
  it('counts requests, tokens, cost, first tokens and upstream time, and is idle afterwards', async () => {
    const url = `${main.url}${CHAT}`;
    const before = await scrape(main);
    const prompts = ['metrics json one', 'metrics json two'];
    const streams = ['metrics stream plain', 'metrics stream with usage'];
    for (const prompt of prompts) expect((await postJson(url, chat(prompt))).status).toBe(200);
    expect((await postJson(url, chat(prompts[0]))).headers.get('x-llm-hub-cache')).toBe('HIT');
    expect((await rawRequest(url, chat(streams[0], { stream: true }))).status).toBe(200);
    expect((await rawRequest(url, chat(streams[1], { stream: true, stream_options: { include_usage: true } }))).status).toBe(200);
    expect((await postJson(url, { model: 'fake/m' })).status).toBe(400);
    expect((await postJson(url, { ...chat('metrics unknown'), model: 'no-such-model' })).status).toBe(404);
    expect((await postJson(url, chat('[[fake status=503]] metrics failure'))).status).toBe(502);

    const delta = (text: string, name: string, labels: Record<string, string> = {}) => sample(text, name, labels) - sample(before, name, labels);
    const after = await eventually(
      () => scrape(main),
      (text) => delta(text, 'llm_hub_requests_total', { route: CHAT }) >= 8,
    );
    const served = { route: CHAT, provider: 'fake', model: 'm' };
    expect(delta(after, 'llm_hub_requests_total', { route: CHAT })).toBe(8);
    expect(delta(after, 'llm_hub_requests_total', { ...served, status_class: '2xx', cache: 'miss' })).toBe(4);
    expect(delta(after, 'llm_hub_requests_total', { ...served, status_class: '2xx', cache: 'hit' })).toBe(1);
    expect(delta(after, 'llm_hub_requests_total', { ...served, status_class: '5xx', cache: 'miss' })).toBe(1);
    expect(delta(after, 'llm_hub_requests_total', { route: CHAT, provider: 'none', model: 'none', status_class: '4xx', cache: 'bypass' })).toBe(2);

    const billed = [...prompts, ...streams].map(fakeUsage);
    const fakeM = { provider: 'fake', model: 'm' };
    expect(delta(after, 'llm_hub_tokens_total', { ...fakeM, type: 'prompt' })).toBe(billed.reduce((sum, u) => sum + u.prompt, 0));
    expect(delta(after, 'llm_hub_tokens_total', { ...fakeM, type: 'completion' })).toBe(billed.reduce((sum, u) => sum + u.completion, 0));
    expect(delta(after, 'llm_hub_cost_usd_total', fakeM)).toBeCloseTo(billed.reduce((sum, u) => sum + costOf(u), 0), 12);
    expect(delta(after, 'llm_hub_cache_saved_usd_total', fakeM)).toBeCloseTo(costOf(fakeUsage(prompts[0])), 12);
    expect(delta(after, 'llm_hub_time_to_first_token_seconds_count', fakeM)).toBeGreaterThanOrEqual(streams.length);
    // Two JSON answers, two streams and the failure went upstream (one attempt each, no retries).
    expect(delta(after, 'llm_hub_upstream_duration_seconds_count', fakeM)).toBeGreaterThanOrEqual(5);
    expect(delta(after, 'llm_hub_gateway_overhead_seconds_count', { route: CHAT })).toBeGreaterThanOrEqual(4);
    expect(delta(after, 'llm_hub_request_duration_seconds_count', { ...served, stream: 'true' })).toBe(2);

    const idle = await eventually(
      () => scrape(main),
      (text) => sample(text, 'llm_hub_in_flight_requests') === 0 && sample(text, 'llm_hub_open_streams') === 0,
    );
    expect(idle).toMatch(/^llm_hub_in_flight_requests 0$/m);
    expect(idle).toMatch(/^llm_hub_open_streams 0$/m);
    expect(idle).not.toContain('no-such-model');
  });

  it("labels a made-up model sent to the default provider 'other', never with its name", async () => {
    const response = await postJson(`${logOff.url}${CHAT}`, { ...chat('a made up model'), model: 'made-up-model-xyz' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llm-hub-target')).toBe('fake/made-up-model-xyz');
    const text = await eventually(
      () => scrape(logOff),
      (t) => sample(t, 'llm_hub_requests_total', { route: CHAT, provider: 'fake', model: 'other' }) >= 1,
    );
    expect(sample(text, 'llm_hub_requests_total', { route: CHAT, provider: 'fake', model: 'other', status_class: '2xx' })).toBe(1);
    expect(sample(text, 'llm_hub_tokens_total', { provider: 'fake', model: 'other', type: 'prompt' })).toBe(fakeUsage('a made up model').prompt);
    expect(text).not.toContain('made-up-model-xyz');
  });

  it('has no metrics listener with metrics.enabled: false, while the API and the request log still work', async () => {
    expect(metricsOff.output()).not.toContain('"msg":"metrics listening"');
    expect((await fetch(`${metricsOff.url}/metrics`)).status).toBe(404);
    const response = await postJson(`${metricsOff.url}${CHAT}`, chat('no metrics here'), { 'x-request-id': 'nometrics-json' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-llm-hub-cost-usd'))).toBeCloseTo(costOf(fakeUsage('no metrics here')), 12);
    const streamed = await rawRequest(`${metricsOff.url}${CHAT}`, chat('no metrics stream', { stream: true }), { 'x-request-id': 'nometrics-stream' });
    expect(streamed.status).toBe(200);
    expect(await requestLine(metricsOff, 'nometrics-json')).toMatchObject({ status: 200, provider: 'fake', model: 'm', cache: 'MISS' });
    expect(await requestLine(metricsOff, 'nometrics-stream')).toMatchObject({ status: 200, stream: true });
  });
});

// ---- health -------------------------------------------------------------------------------------

describe('health (terminus)', () => {
  it('answers /health/live and /health/ready with the indicators', async () => {
    const live = await fetch(`${main.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${main.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: {
        shutdown: { status: 'up', inFlight: 0 },
        config: { status: 'up', providers: 2 },
        cache: { status: 'up', type: 'memory', state: 'ok' },
      },
    });
  });

  it('stays ready with a degraded cache when Redis is down (the cache fails open)', async () => {
    const body = await eventually(
      async () => (await (await fetch(`${secrets.url}/health/ready`)).json()) as any,
      (b) => b.details?.cache?.state === 'degraded',
    );
    expect(body).toMatchObject({ status: 'ok', details: { cache: { status: 'up', type: 'redis', state: 'degraded' } } });
  });

  it('turns /health/ready 503 while draining after SIGTERM', async () => {
    // The listener closes right after SIGTERM (graceful-shutdown.ts: draining, then app.close()),
    // so a probe on a new connection is refused and cannot see the 503. A connection that was
    // already open (a load balancer's pooled connection) can still ask, and is told 503.
    const gateway = await startGateway({ server: { drainTimeoutMs: 10_000 }, providers: { fake: fakeProvider() } });
    const slowAgent = new Agent({ keepAlive: true });
    const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${gateway.url}${CHAT}`;
      const slow = rawRequest(url, chat('[[fake latency=2000]] hold the drain open'), {}, slowAgent);
      // Opens the probe's connection; it is busy, so it survives the listener closing.
      const short = rawRequest(url, chat('[[fake latency=800]] keep a connection'), {}, probeAgent);
      await eventually(
        async () => (await (await fetch(`${gateway.url}/health/ready`)).json()) as any,
        (b) => b.details?.shutdown?.inFlight === 2,
      );
      gateway.child.kill('SIGTERM');
      await eventually(async () => gateway.output(), (o) => o.includes('"msg":"draining"'));

      expect((await short).status).toBe(200);
      const ready = await rawRequest(`${gateway.url}/health/ready`, undefined, {}, probeAgent);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ details: { shutdown: { status: 'down', draining: true, inFlight: 1 }, config: { status: 'up' } } });
      const fresh = await eventually(
        () => fetch(`${gateway.url}/health/ready`).then((r) => r.status, () => 'refused'),
        (result) => result === 'refused',
      );
      expect(fresh).toBe('refused');

      expect((await slow).status).toBe(200);
      expect(await gateway.exited).toBe(0);
    } finally {
      slowAgent.destroy();
      probeAgent.destroy();
      await gateway.stop('SIGKILL');
    }
  }, START_TIMEOUT_MS);
});

// ---- secrets ------------------------------------------------------------------------------------

describe('secrets', () => {
  it('never prints an upstream key, a gateway key or the Redis password, nor exposes them in /metrics', async () => {
    const url = `${secrets.url}${CHAT}`;
    const auth = { authorization: `Bearer ${SECRETS.gatewayKeys[0]}` };
    const models = ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest'];
    const bodies: string[] = [];
    for (const model of models) {
      const ok = await postJson(url, { ...chat('secrets json'), model }, auth);
      expect(ok.status).toBe(200);
      const streamed = await rawRequest(url, { ...chat('secrets stream', { stream: true }), model }, { authorization: `Bearer ${SECRETS.gatewayKeys[1]}` });
      expect(streamed.status).toBe(200);
      // The fake echoes the key it got in its 401 message, as OpenAI does.
      const rejectedUpstream = await postJson(url, { ...chat('[[fake status=401]] secrets'), model }, auth);
      expect(rejectedUpstream.status).toBe(401);
      bodies.push(await rejectedUpstream.text());
      const rejectedStream = await rawRequest(url, { ...chat('[[fake status=401]] secrets', { stream: true }), model }, auth);
      expect(rejectedStream.status).toBe(401);
      bodies.push(rejectedStream.body);
      const brokenStream = await rawRequest(url, { ...chat('[[fake error-after=1]] secrets', { stream: true }), model }, auth);
      expect(brokenStream.status).toBe(200);
      bodies.push(brokenStream.body);
    }
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${WRONG_CLIENT_KEY}` }, { authorization: SECRETS.gatewayKeys[0] }]) {
      const unauthorized = await postJson(url, chat('secrets unauthorized'), headers);
      expect(unauthorized.status).toBe(401);
    }
    const metrics = await scrape(secrets);
    const ready = await (await fetch(`${secrets.url}/health/ready`)).text();
    // Give the asynchronous log writes (and the Redis client's failures) time to land.
    await eventually(
      async () => requestLines(secrets).length,
      (n) => n >= models.length * 5 + 3,
    );
    await new Promise((r) => setTimeout(r, 300));

    const output = secrets.output();
    // Debug logging printed the (masked) config, so the test looked where keys would show.
    expect(output).toContain('"msg":"listening"');
    expect(output).toMatch(/"apiKey":"\*\*\*"/);
    expect(output).toContain('"url":"redis://default:***@127.0.0.1');
    for (const secret of [SECRETS.openai, SECRETS.anthropic, ...SECRETS.gatewayKeys, SECRETS.redisPassword, WRONG_CLIENT_KEY]) {
      expect(output).not.toContain(secret);
      expect(metrics).not.toContain(secret);
      expect(ready).not.toContain(secret);
    }
    // Nor does a client see the upstream keys in the errors it gets (the fake's OpenAI 401 echoes the key).
    expect(bodies.filter((body) => body.includes('Incorrect API key provided: [REDACTED]'))).toHaveLength(2);
    for (const body of bodies) for (const secret of [SECRETS.openai, SECRETS.anthropic]) expect(body).not.toContain(secret);
  });
});
