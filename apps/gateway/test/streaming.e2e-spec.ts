import { request as httpRequest } from 'node:http';
import { NO_RETRY_NO_BREAKER, eventually, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { hangUpAfterFirstBytes, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

let fake: RunningProcess;
let gateway: RunningProcess;
const chatUrl = () => `${gateway.url}/v1/chat/completions`;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url), resilience: NO_RETRY_NO_BREAKER });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

const models = ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'google/gemini-2.0-flash'];

describe.each(models)('streaming from %s', (model) => {
  it('forwards chunks as they arrive instead of buffering the answer', async () => {
    // The client holds the first content chunk while the fake provider is still streaming the
    // rest (10 chunks, 100 ms apart): proof the gateway did not wait for the whole answer.
    const response = await fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: '[[fake chunks=10 chunk-delay=100]] go' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"content":"F')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const whileStreaming = await fakeStats(fake.url);
    expect(whileStreaming.inFlight).toBe(1);
    expect(whileStreaming.completed).toBe(0);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const after = await eventually(() => fakeStats(fake.url), (s) => s.completed === 1);
    expect(after.completed).toBe(1);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    // Got the first bytes of a long stream: hang up.
    await hangUpAfterFirstBytes(chatUrl(), { model, stream: true, messages: [{ role: 'user', content: '[[fake chunks=50 chunk-delay=100]] long story' }] });
    const stats = await eventually(() => fakeStats(fake.url), (s) => s.aborted >= 1 && s.inFlight === 0);
    expect(stats.aborted).toBe(1);
    expect(stats.inFlight).toBe(0);
  });

  it('aborts the upstream request when a non-streaming client disconnects while waiting', async () => {
    const req = httpRequest(chatUrl(), { method: 'POST', headers: { 'content-type': 'application/json' } });
    const closed = new Promise<void>((resolve) => req.on('error', () => resolve()));
    req.end(JSON.stringify({ model, messages: [{ role: 'user', content: '[[fake hang]] wait forever' }] }));
    // Disconnect once the request is waiting on the upstream.
    await eventually(() => fakeStats(fake.url), (s) => s.inFlight >= 1);
    req.destroy();
    await closed;
    const stats = await eventually(() => fakeStats(fake.url), (s) => s.aborted >= 1);
    expect(stats.aborted).toBe(1);
  });

  it('ends a stream cut by the upstream with an error event, never [DONE]', async () => {
    const result = await readSse(chatUrl(), { model, stream: true, messages: [{ role: 'user', content: '[[fake chunks=6 cut-after=2]] story' }] });
    expect(result.status).toBe(200);
    expect(result.events).not.toContain('[DONE]');
    const last = result.events[result.events.length - 1] as { error: { code: string; type: string; message: string } };
    expect(last.error.code).toBe('upstream_stream_interrupted');
    expect(last.error.type).toBe('api_error');
    const contentChunks = result.events.filter((e) => typeof e === 'object' && (e as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content);
    expect(contentChunks.length).toBeGreaterThanOrEqual(2);
  });

  it("ends a stream with the upstream's in-stream error as an error event", async () => {
    const result = await readSse(chatUrl(), { model, stream: true, messages: [{ role: 'user', content: '[[fake chunks=6 error-after=2]] story' }] });
    expect(result.events).not.toContain('[DONE]');
    const last = result.events[result.events.length - 1] as { error: { message: string } };
    expect(last.error.message).toEqual(expect.any(String));
  });

  it('answers a stream that fails before its first byte with a JSON error and the real status', async () => {
    const response = await fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: '[[fake status=429 retry-after=7]] hi' }] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    const body = (await response.json()) as { error: { type: string } };
    expect(body.error.type).toBe('rate_limit_error');
  });

  it('drops the usage chunk unless include_usage is asked for', async () => {
    const without = await readSse(chatUrl(), { model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(without.events.some((e) => typeof e === 'object' && (e as { choices: unknown[] }).choices.length === 0)).toBe(false);
    const withUsage = await readSse(chatUrl(), { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const usageChunk = withUsage.events.find((e) => typeof e === 'object' && (e as { choices: unknown[] }).choices.length === 0) as { usage: { total_tokens: number } };
    expect(usageChunk.usage.total_tokens).toBeGreaterThan(0);
    expect(withUsage.events[withUsage.events.length - 1]).toBe('[DONE]');
  });
});

describe('backpressure', () => {
  it('keeps a slow reader\'s stream correct and complete', async () => {
    // 200 chunks read with pauses: every byte arrives in order and the stream ends with [DONE].
    const response = await fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: '[[fake chunks=200]] a long answer please' }] }),
    });
    const reader = response.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    let reads = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (++reads % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const content = text
      .split('\n\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe('Fake reply to: a long answer please');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
