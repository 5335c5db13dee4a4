import { createServer } from 'node:net';
import { NO_RETRY_NO_BREAKER, UPSTREAM_KEYS, eventually, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

let fake: RunningProcess;
let gateway: RunningProcess;
let deadPort: number;

beforeAll(async () => {
  fake = await startFakeProvider();
  // A port with nothing listening: connections are refused.
  deadPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  gateway = await startGateway({
    providers: { ...providersAt(fake.url), down: { type: 'openai-compatible', baseUrl: `http://127.0.0.1:${deadPort}/v1`, models: ['m'] } },
    resilience: NO_RETRY_NO_BREAKER,
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

const ask = (model: string, content: string, extra: object = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }], ...extra });

const models = ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'google/gemini-2.0-flash', 'azure/gpt-4o-mini'];

describe.each(models)('upstream errors from %s keep their meaning', (model) => {
  it.each([
    [401, 401, 'authentication_error'],
    [403, 403, 'permission_error'],
    [404, 404, 'not_found_error'],
    [429, 429, 'rate_limit_error'],
    [400, 400, 'invalid_request_error'],
    [500, 502, 'api_error'],
    [503, 502, 'api_error'],
  ])('upstream %i -> %i %s', async (upstream, status, type) => {
    const response = await ask(model, `[[fake status=${upstream}${upstream === 429 ? ' retry-after=12' : ''}]] hi`);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { type: string; message: string; code: string } };
    expect(body.error.type).toBe(type);
    expect(body.error.message).toContain(String(upstream));
    if (upstream === 429) expect(response.headers.get('retry-after')).toBe('12');
  });
});

describe('transport failures', () => {
  it('turns a refused connection into 502', async () => {
    const response = await ask('down/m', 'hi');
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('upstream_connection_error');
  });

  it('turns a connection reset into 502', async () => {
    const response = await ask('openai/gpt-4o-mini', '[[fake reset]] hi');
    expect(response.status).toBe(502);
  });

  it('turns a timeout into 504 and aborts the upstream request', async () => {
    // The fake never answers: only the gateway's 400 ms timeout can end this request.
    const response = await ask('anthropic/claude-3-5-haiku-latest', '[[fake hang]] hi', { timeout: 400 });
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'upstream_timeout', type: 'timeout_error' });
    const stats = await eventually(() => fakeStats(fake.url), (s) => s.aborted >= 1);
    expect(stats.aborted).toBe(1);
  });

  it('reports a timeout in the middle of a stream as an error event', async () => {
    const response = await ask('openai/gpt-4o-mini', '[[fake chunks=20 chunk-delay=100]] hi', { stream: true, timeout: 500 });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"code":"upstream_timeout"');
    expect(text).not.toContain('[DONE]');
  });

  // OpenAI (and servers copying it) echo the rejected key in the 401 message.
  it.each(['openai/gpt-4o-mini', 'vllm/meta-llama/Llama-3.1-8B-Instruct'])('does not pass on the upstream key that %s echoes in its 401 message', async (model) => {
    const response = await ask(model, '[[fake status=401]] hi');
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(401);
    expect(body.error.message).toContain('[REDACTED]');
    for (const key of Object.values(UPSTREAM_KEYS)) expect(body.error.message).not.toContain(key);
  });
});
