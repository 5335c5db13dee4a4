import { NO_RETRY_NO_BREAKER, fakeStats, providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Anthropic's Messages API over raw HTTP, as Claude Code and the Anthropic SDKs speak it, served
 * by translation for providers of every type (the fake provider behind each): the Message, the
 * stream's events byte for byte, tool use, stop reasons, errors in Anthropic's shape, both auth
 * headers and count_tokens.
 */
const KEY = 'gw-messages-key';
let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({
    resilience: NO_RETRY_NO_BREAKER,
    cache: { type: 'none' },
    providers: providersAt(fake.url),
    auth: { apiKeys: [KEY] },
    // Claude Code sends Claude model names: an alias routes one to any provider.
    routing: { aliases: { 'claude-sonnet-4-5': 'google/gemini-2.0-flash' } },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const WEATHER = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'unit'] },
};

/** What Anthropic's clients send besides the key (values a gateway must not judge). */
const CLIENT_HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2026-10-21', 'anthropic-beta': 'token-counting-2024-11-01,fine-grained-tool-streaming-2025-05-14' };

function post(path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': KEY }): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { ...CLIENT_HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

interface Frame {
  event: string;
  data: { type: string; [key: string]: unknown };
}

/** Splits a stream into its frames, checking each is exactly `event: X\ndata: {"type":"X",...}\n\n`. */
function frames(raw: string): Frame[] {
  expect(raw.endsWith('\n\n')).toBe(true);
  return raw
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const match = /^event: ([a-z_]+)\ndata: (\{.*\})$/.exec(frame);
      expect(match).not.toBeNull();
      const data = JSON.parse(match![2]) as Frame['data'];
      expect(data.type).toBe(match![1]);
      return { event: match![1], data };
    });
}

const PROVIDERS = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', reply: 'Fake reply to: ' },
  // Passed through (messages-passthrough.e2e-spec.ts): the Message is Anthropic's own, naming the model it ran.
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', reply: 'Fake reply to: ', answeredBy: 'claude-3-5-haiku-latest' },
  { provider: 'google', model: 'google/gemini-2.0-flash', reply: 'Fake reply to: ' },
  { provider: 'mock', model: 'mock/mock-1', reply: 'Mock reply to: ' },
];

describe.each(PROVIDERS)('POST /v1/messages over $provider', ({ provider, model, reply, answeredBy = model }) => {
  it('answers an Anthropic Message with a msg_ id, end_turn, stop_sequence null and the four usage counters', async () => {
    const question = `Capital of France, asked over ${provider}?`;
    const res = await post('/v1/messages', { model, max_tokens: 100, system: 'You are terse.', messages: [{ role: 'user', content: question }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_[A-Za-z0-9]+$/),
      type: 'message',
      role: 'assistant',
      model: answeredBy,
      content: [{ type: 'text', text: `${reply}${question}` }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      },
    });
    const usage = body.usage as { input_tokens: number; output_tokens: number };
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(res.headers.get('x-llm-hub-provider')).toBe(provider);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('request-id')).toBe(res.headers.get('x-request-id'));
  });

  it('streams the events in Anthropic order, named, with the totals in message_delta and no [DONE]', async () => {
    const question = `Tell me a story over ${provider}`;
    const res = await post('/v1/messages?beta=true', { model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: question }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('request-id')).toBe(res.headers.get('x-request-id'));
    const raw = await res.text();
    expect(raw).not.toContain('[DONE]');
    const events = frames(raw);
    const names = events.map((e) => e.event);
    const deltas = names.filter((n) => n === 'content_block_delta').length;
    expect(deltas).toBeGreaterThan(1);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0].data.message).toMatchObject({ id: expect.stringMatching(/^msg_/), type: 'message', role: 'assistant', model: answeredBy, content: [], stop_reason: null, stop_sequence: null });
    expect(events[1].data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => {
        expect(e.data).toMatchObject({ index: 0, delta: { type: 'text_delta' } });
        return (e.data.delta as { text: string }).text;
      })
      .join('');
    expect(text).toBe(`${reply}${question}`);
    expect(events.at(-3)!.data).toEqual({ type: 'content_block_stop', index: 0 });
    const final = events.at(-2)!.data as unknown as { delta: unknown; usage: { input_tokens: number; output_tokens: number } };
    expect(final.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls a tool: a tool_use block whose input arrives as input_json_delta, stop_reason tool_use', async () => {
    const res = await post('/v1/messages', { model, max_tokens: 100, stream: true, tools: [WEATHER], messages: [{ role: 'user', content: `[[fake tools=1]] Weather in Paris (${provider})?` }] });
    const events = frames(await res.text());
    const start = events.find((e) => e.event === 'content_block_start' && (e.data.content_block as { type: string }).type === 'tool_use')!;
    expect(start.data.content_block).toEqual({ type: 'tool_use', id: expect.stringMatching(/^[a-zA-Z0-9_-]+$/), name: 'get_weather', input: {} });
    const index = start.data.index as number;
    const json = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === index)
      .map((e) => {
        expect((e.data.delta as { type: string }).type).toBe('input_json_delta');
        return (e.data.delta as { partial_json: string }).partial_json;
      })
      .join('');
    const prefix = provider === 'mock' ? 'mock' : 'fake';
    expect(JSON.parse(json)).toEqual({ location: `${prefix}-location`, unit: 'celsius' });
    expect(events.at(-2)!.data.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
    expect(events.at(-1)!.event).toBe('message_stop');
  });

  it('answers a tool result on the next turn (tool_use and tool_result translated both ways)', async () => {
    const first = (await (await post('/v1/messages', { model, max_tokens: 100, tools: [WEATHER], messages: [{ role: 'user', content: '[[fake tools=1]] Weather in Paris?' }] })).json()) as {
      content: Array<{ type: string; id?: string; name?: string; input?: unknown }>;
      stop_reason: string;
    };
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use')!;
    expect(call).toMatchObject({ name: 'get_weather', input: { unit: 'celsius' } });
    const second = (await (
      await post('/v1/messages', {
        model,
        max_tokens: 100,
        tools: [WEATHER],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          // Anthropic (the pass-through) refuses a thinking block it did not sign; every other backend has it left out.
          { role: 'assistant', content: [...(provider === 'anthropic' ? [] : [{ type: 'thinking', thinking: 'I should call the tool.', signature: 'c2ln' }]), ...first.content] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 21 degrees' }] }] },
        ],
      })
    ).json()) as { content: Array<{ type: string; text: string }>; stop_reason: string };
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0].text).toContain('sunny, 21 degrees');
  });
});

describe('POST /v1/messages, the rest of the surface', () => {
  it('writes a text block then a tool_use block, one open at a time, indexed by position', async () => {
    const res = await post('/v1/messages', {
      model: 'anthropic/claude-3-5-haiku-latest',
      max_tokens: 100,
      stream: true,
      tools: [WEATHER],
      messages: [{ role: 'user', content: '[[fake tools=1 preamble]] Weather in Lyon?' }],
    });
    const events = frames(await res.text()).filter((e) => e.event !== 'content_block_delta' && e.event !== 'ping');
    expect(events.map((e) => [e.event, e.data.index ?? null, (e.data.content_block as { type?: string } | undefined)?.type ?? null])).toEqual([
      ['message_start', null, null],
      ['content_block_start', 0, 'text'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, 'tool_use'],
      ['content_block_stop', 1, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ]);
  });

  it('says max_tokens when the answer was cut by the limit, plain and streamed', async () => {
    const request = { model: 'mock/mock-1', max_tokens: 2, messages: [{ role: 'user', content: 'one two three four five six' }] };
    const plain = (await (await post('/v1/messages', request)).json()) as { stop_reason: string; content: Array<{ text: string }> };
    expect(plain.stop_reason).toBe('max_tokens');
    expect(plain.content[0].text).toBe('Mock reply');
    const events = frames(await (await post('/v1/messages', { ...request, stream: true })).text());
    expect(events.at(-2)!.data.delta).toEqual({ stop_reason: 'max_tokens', stop_sequence: null });
  });

  it('routes a Claude model name through an alias to another provider, answering under the name asked for', async () => {
    const res = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hello via alias' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-hub-provider')).toBe('google');
    expect(await res.json()).toMatchObject({ model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Fake reply to: hello via alias' }] });
  });

  it('translates system blocks, stop_sequences, metadata and tool_choice for the upstream, dropping what only Anthropic knows', async () => {
    const res = await post('/v1/messages', {
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi there' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }],
      stop_sequences: ['\n\nHuman:'],
      metadata: { user_id: 'user-42' },
      tools: [WEATHER],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      top_k: 5,
      a_future_field: { anything: true },
    });
    expect(res.status).toBe(200);
    const { lastRequest } = await fakeStats(fake.url);
    expect(lastRequest!.path).toBe('/v1/chat/completions');
    const body = lastRequest!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'hi there' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
      max_tokens: 64,
      stop: ['\n\nHuman:'],
      user: 'user-42',
      tool_choice: 'required',
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER.input_schema } }],
    });
    for (const dropped of ['thinking', 'top_k', 'a_future_field', 'system', 'stop_sequences', 'metadata', 'reasoning_effort']) expect(body).not.toHaveProperty(dropped);
  });

  it('accepts the key as Authorization: Bearer too', async () => {
    const res = await post('/v1/messages', { model: 'mock/mock-1', max_tokens: 10, messages: [{ role: 'user', content: 'bearer' }] }, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
  });
});

describe('errors on /v1/messages, in Anthropic shape', () => {
  const expectError = async (res: Response, status: number, type: string, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('request-id')).toBe(res.headers.get('x-request-id'));
    expect(await res.json()).toEqual({ type: 'error', error: { type, message: expect.stringMatching(message) }, request_id: res.headers.get('x-request-id') });
  };

  it('400 invalid_request_error naming the field (max_tokens is required), or for a body that is not JSON', async () => {
    await expectError(await post('/v1/messages', { model: 'mock/mock-1', messages: [{ role: 'user', content: 'hi' }] }), 400, 'invalid_request_error', /max_tokens/);
    await expectError(await post('/v1/messages', { model: 'mock/mock-1', max_tokens: 5, messages: [{ role: 'system', content: 'hi' }] }), 400, 'invalid_request_error', /messages\[0\]\.role/);
    const badBlock = { model: 'mock/mock-1', max_tokens: 5, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'not an object' }] }] };
    await expectError(await post('/v1/messages', badBlock), 400, 'invalid_request_error', /messages\[0\]\.content\[0\]\.input/);
    await expectError(await post('/v1/messages', '{"model":'), 400, 'invalid_request_error', /JSON/);
  });

  it('400 for what only an Anthropic backend can do (a server tool), naming it', async () => {
    const res = await post('/v1/messages', { model: 'openai/gpt-4o-mini', max_tokens: 5, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'news?' }] });
    await expectError(res, 400, 'invalid_request_error', /tools\[0\]\.type.*web_search_20250305/);
  });

  it('401 authentication_error without a key or with a wrong one', async () => {
    const request = { model: 'mock/mock-1', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    await expectError(await post('/v1/messages', request, {}), 401, 'authentication_error', /API key/);
    await expectError(await post('/v1/messages', request, { 'x-api-key': 'wrong' }), 401, 'authentication_error', /Invalid API key/);
    await expectError(await post('/v1/messages/count_tokens', request, {}), 401, 'authentication_error', /API key/);
  });

  it('404 not_found_error for a model the gateway does not know', async () => {
    await expectError(await post('/v1/messages', { model: 'claude-nonexistent-9', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 404, 'not_found_error', /claude-nonexistent-9/);
  });

  it('429 rate_limit_error when the upstream limits, plain and before a stream begins', async () => {
    for (const stream of [false, true]) {
      const res = await post('/v1/messages', { model: 'openai/gpt-4o-mini', max_tokens: 5, stream, messages: [{ role: 'user', content: `[[fake status=429 retry-after=1]] slow down ${stream}` }] });
      await expectError(res, 429, 'rate_limit_error', /429/);
      expect(res.headers.get('retry-after')).toBe('1');
    }
  });

  it('ends a stream that fails after its head with a named error event and no message_stop', async () => {
    const res = await post('/v1/messages', { model: 'openai/gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'one two three four five [[fake error-after=2]]' }] });
    expect(res.status).toBe(200);
    const events = frames(await res.text());
    expect(events[0].event).toBe('message_start');
    expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: expect.any(String) } } });
    expect(events.map((e) => e.event)).not.toContain('message_stop');
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('estimates the input tokens for any model, growing with the conversation, with ?beta=true', async () => {
    const count = async (messages: unknown[], extra: object = {}) => {
      const res = await post('/v1/messages/count_tokens?beta=true', { model: 'claude-sonnet-4-5', messages, ...extra });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { input_tokens: number };
      expect(Object.keys(body)).toEqual(['input_tokens']);
      return body.input_tokens;
    };
    const short = await count([{ role: 'user', content: 'Hello there' }]);
    expect(short).toBeGreaterThan(0);
    const long = await count([{ role: 'user', content: 'Hello there '.repeat(400) }]);
    expect(long).toBeGreaterThan(short + 900);
    expect(await count([{ role: 'user', content: 'Hello there' }], { system: 'You are a very careful assistant.', tools: [WEATHER] })).toBeGreaterThan(short);
    // Any model name, even one no provider serves: Claude Code asks at start for the models it knows.
    expect(await count([{ role: 'user', content: 'hi' }], { model: 'claude-unknown-1' })).toBeGreaterThan(0);
  });
});
