import { UPSTREAM_KEYS, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { rawPost, rawRequest } from './support/raw-http';
import { postJson, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Input an adversarial (or just unusual) client sends: model names that cannot go into a header
 * as they are, HTTP/1.0 and `Connection: close` streams, odd URLs, huge echoes. Each answer is a
 * clean HTTP response in OpenAI's shape with x-request-id; nothing hangs, nothing is a 500.
 */
let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({
    providers: providersAt(fake.url),
    routing: { defaultProvider: 'vllm' },
    resilience: { defaults: { retry: { maxAttempts: 1 } } },
    cache: { type: 'none' },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gateway?.stop(), fake?.stop()]);
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

const user = [{ role: 'user', content: 'hi' }];
const chat = (body: object) => postJson(`${gateway.url}/v1/chat/completions`, body);
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

describe('model names that cannot go into a response header as they are', () => {
  it.each([
    ['an emoji', 'vllm/model-😀'],
    ['CJK characters', 'vllm/模型-七'],
    ['Latin-1 letters', 'vllm/modèle'],
    ['a percent sign', 'vllm/model-%41'],
  ])('answers JSON for a model with %s, with the target percent-encoded', async (_what, model) => {
    const response = await chat({ model, messages: user });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const target = response.headers.get('x-llm-hub-target')!;
    expect(target).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(target)).toBe(model);
  });

  it('streams for a model with an emoji, with the target percent-encoded', async () => {
    const result = await readSse(`${gateway.url}/v1/chat/completions`, { model: 'vllm/model-😀', stream: true, messages: user });
    expect(result.status).toBe(200);
    expect(result.events.at(-1)).toBe('[DONE]');
    expect(decodeURIComponent(result.headers.get('x-llm-hub-target')!)).toBe('vllm/model-😀');
  });

  it.each([
    ['CR/LF', 'vllm/model\r\nx-injected: 1'],
    ['a NUL byte', 'vllm/model\u0000'],
    ['a tab', 'vllm/model\tx'],
    ['a lone surrogate', 'vllm/model-\ud800'],
  ])('refuses a model with %s with a 400 before any upstream call', async (_what, model) => {
    for (const stream of [false, true]) {
      const response = await chat({ model, stream, messages: user });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('x-injected')).toBeNull();
      const body = (await response.json()) as ErrorBody;
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'model' });
    }
    const embedding = await postJson(`${gateway.url}/v1/embeddings`, { model, input: 'a' });
    expect(embedding.status).toBe(400);
    expect((await fakeStats(fake.url)).requests).toBe(0);
  });

  it('refuses a 1 MiB model name with a short error, before any upstream call', async () => {
    const response = await chat({ model: `vllm/${'m'.repeat(1024 * 1024)}`, messages: user });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text.length).toBeLessThan(2_000);
    expect((JSON.parse(text) as ErrorBody).error.param).toBe('model');
    expect((await fakeStats(fake.url)).requests).toBe(0);
  });
});

describe('streams over HTTP/1.0 and with Connection: close', () => {
  const streamBody = JSON.stringify({ model: 'vllm/model-1', stream: true, messages: user });

  it('streams over HTTP/1.0: no chunked framing, no Trailer, the body ends with the connection', async () => {
    const exchange = await rawRequest(gateway.port, rawPost('/v1/chat/completions', streamBody, { version: '1.0' }));
    expect(exchange.ended).toBe('closed');
    expect(exchange.status).toBe(200);
    expect(exchange.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(exchange.headers.trailer).toBeUndefined();
    expect(exchange.headers['transfer-encoding']).toBeUndefined();
    expect(exchange.headers.connection).not.toBe('keep-alive');
    expect(exchange.body).toContain('"finish_reason":"stop"');
    expect(exchange.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('answers a JSON request over HTTP/1.0', async () => {
    const exchange = await rawRequest(gateway.port, rawPost('/v1/chat/completions', JSON.stringify({ model: 'vllm/model-1', messages: user }), { version: '1.0' }));
    expect(exchange.status).toBe(200);
    expect(exchange.body).toContain('Fake reply to: hi');
  });

  it('honours Connection: close on a stream: says so, and closes the socket after [DONE]', async () => {
    const exchange = await rawRequest(gateway.port, rawPost('/v1/chat/completions', streamBody, { headers: { connection: 'close' } }));
    expect(exchange.ended).toBe('closed');
    expect(exchange.status).toBe(200);
    expect(exchange.headers.connection).toBe('close');
    expect(exchange.body).toContain('data: [DONE]');
  });

  it('keeps a chunked HTTP/1.1 stream alive and still sends the cost trailer', async () => {
    const exchange = await rawRequest(gateway.port, rawPost('/v1/chat/completions', streamBody), { until: '\r\n0\r\n', boundMs: 10_000 });
    expect(exchange.status).toBe(200);
    expect(exchange.headers['transfer-encoding']).toBe('chunked');
    expect(exchange.headers.trailer).toBe('x-llm-hub-cost-usd');
    expect(exchange.headers.connection).not.toBe('close');
  });
});

describe('odd URLs', () => {
  it.each(['/v1/models/%25', '/v1/models/a%25b', '/v1/models/%2525'])('GET %s is a 404 model_not_found, not a 500', async (path) => {
    const response = await fetch(`${gateway.url}${path}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(((await response.json()) as ErrorBody).error.code).toBe('model_not_found');
  });

  it.each(['/v1/models/%E0%A4%A', '/v1/chat%zz', '/v1/models/%'])('malformed percent-encoding in %s is a 400 in OpenAI shape with x-request-id', async (path) => {
    const response = await fetch(`${gateway.url}${path}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_url' });
  });

  it('echoes at most a short excerpt of an unknown model or route', async () => {
    const longModel = await fetch(`${gateway.url}/v1/models/${'x'.repeat(8_000)}`);
    expect(longModel.status).toBe(404);
    expect((await longModel.text()).length).toBeLessThan(1_000);
    const longRoute = await fetch(`${gateway.url}/v1/${'y'.repeat(8_000)}`);
    expect(longRoute.status).toBe(404);
    expect((await longRoute.text()).length).toBeLessThan(1_000);
    const unknownProvider = await chat({ model: 'gpt-4o', provider: 'p'.repeat(60_000), messages: user });
    expect(unknownProvider.status).toBe(404);
    expect((await unknownProvider.text()).length).toBeLessThan(1_000);
  });
});

describe('costly bodies', () => {
  const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` })).concat([{ role: 'user', content: 'hi' }]);
  /** JSON text with DEEP where the deep value goes: JSON.stringify itself cannot write 100,000 levels. */
  const DEEP = '"__deep__"';
  const withDeep = (body: object, depth: number) => JSON.stringify(body).replace(DEEP, `${'['.repeat(depth)}${']'.repeat(depth)}`);
  const deep = JSON.parse(DEEP) as string;

  it.each([
    ['100,000 messages', { model: 'vllm/model-1', messages: messages(100_000) }, 'messages'],
    ['1,000 content parts', { model: 'vllm/model-1', messages: [{ role: 'user', content: Array.from({ length: 1_000 }, () => ({ type: 'text', text: 'a' })) }] }, 'messages[0].content'],
    ['10,000 logit_bias entries', { model: 'vllm/model-1', messages: user, logit_bias: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [String(i), 1])) }, 'logit_bias'],
  ])('refuses %s with a 400 naming the field, before any upstream call', async (_what, body, param) => {
    const response = await chat(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(((await response.json()) as ErrorBody).error.param).toBe(param);
    expect((await fakeStats(fake.url)).requests).toBe(0);
  });

  it('accepts a long conversation within the limit', async () => {
    const response = await chat({ model: 'vllm/model-1', messages: messages(4_000) });
    expect(response.status).toBe(200);
  });

  it.each([
    ['an unknown field', { model: 'vllm/model-1', messages: user, metadata_x: deep }],
    ['a tool schema', { model: 'vllm/model-1', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: { x: deep } } }] }],
    ['an embeddings input', { model: 'vllm/model-1', input: deep }],
  ])('refuses a body nested 100,000 deep in %s with a 400, not a 500', async (_where, body) => {
    const path = 'input' in body ? '/v1/embeddings' : '/v1/chat/completions';
    const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: withDeep(body, 100_000) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_body', message: expect.stringMatching(/nested more than 64 levels/) });
    expect((await fakeStats(fake.url)).requests).toBe(0);
  });

  it('accepts a tool schema nested 20 deep', async () => {
    let schema: object = { type: 'string' };
    for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { inner: schema } };
    const response = await chat({ model: 'vllm/model-1', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] });
    expect(response.status).toBe(200);
  });
});

describe('an upstream that echoes part of the key', () => {
  /** Every 8-character piece of a key: none may reach a client or a log line. */
  const pieces = (key: string) => Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8));

  it.each([
    ['openai/gpt-4o-mini', UPSTREAM_KEYS.openai],
    ['anthropic/claude-3-5-haiku-latest', UPSTREAM_KEYS.anthropic],
    ['google/gemini-2.0-flash', UPSTREAM_KEYS.google],
    ['azure/gpt-4o-mini', UPSTREAM_KEYS.azure],
    ['vllm/model-1', UPSTREAM_KEYS.compatible],
  ])('%s: the echo without the key prefix is redacted from the error', async (model, key) => {
    for (const stream of [false, true]) {
      const response = await chat({ model, stream, messages: [{ role: 'user', content: 'hi [[fake echo-key]]' }] });
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(text).toContain('[REDACTED]');
      for (const piece of pieces(key)) expect(text).not.toContain(piece);
    }
    for (const piece of pieces(key)) expect(gateway.output()).not.toContain(piece);
  });
});

describe('after all of it', () => {
  it('still answers, and never logged a 500', async () => {
    const response = await chat({ model: 'vllm/model-1', messages: user });
    expect(response.status).toBe(200);
    expect(gateway.output()).not.toMatch(/"status":5\d\d|internal_error|ERR_INVALID_CHAR/);
  });
});
