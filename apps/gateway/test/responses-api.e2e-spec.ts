import { SseParser } from '@llm-connector-hub/core';
import { NO_RETRY_NO_BREAKER, eventually, fakeStats, providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * POST /v1/responses (OpenAI's Responses API) over raw HTTP, for each provider type over the fake
 * provider and for the mock: the Response object, the typed event stream in OpenAI's order with
 * its sequence numbers, function calls, structured output, errors, and the stored state that
 * previous_response_id and item_reference continue from, also across two replicas sharing one
 * Redis Cluster.
 */
let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url), resilience: NO_RETRY_NO_BREAKER });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

/** The wire shapes under test, asserted field by field. */
type Json = any;

async function create(body: object, at: RunningProcess = gateway, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Json }> {
  const response = await postJson(`${at.url}/v1/responses`, body, headers);
  return { status: response.status, headers: response.headers, json: await response.json() };
}

interface NamedEvent {
  event: string | undefined;
  data: Json;
}

async function stream(body: object): Promise<{ status: number; headers: Headers; events: NamedEvent[]; raw: string }> {
  const response = await postJson(`${gateway.url}/v1/responses`, { ...body, stream: true });
  const raw = await response.text();
  const parser = new SseParser();
  const events = [...parser.push(raw), ...parser.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
  return { status: response.status, headers: response.headers, events, raw };
}

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'unit'] },
};

const cases = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', viaFake: true },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', viaFake: true },
  { provider: 'google', model: 'google/gemini-2.0-flash', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', viaFake: true },
  { provider: 'mock', model: 'mock/mock-1', reply: (q: string) => `Mock reply to: ${q}`, toolPrefix: 'mock', viaFake: false },
];

describe.each(cases)('POST /v1/responses on $provider', (c) => {
  it('answers with a Response object: one message item, annotations, usage, the served-by headers', async () => {
    const question = `Capital of France, ${c.provider}?`;
    const { status, headers, json } = await create({ model: c.model, input: question, instructions: 'Be terse.', metadata: { team: 'a' } });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      object: 'response',
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be terse.',
      model: c.model,
      store: true,
      metadata: { team: 'a' },
      previous_response_id: null,
      tool_choice: 'auto',
      tools: [],
      text: { format: { type: 'text' } },
    });
    expect(json.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(typeof json.created_at).toBe('number');
    expect(json.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: c.reply(question), annotations: [], logprobs: [] }] },
    ]);
    expect(json.usage).toEqual({
      input_tokens: expect.any(Number),
      input_tokens_details: { cached_tokens: expect.any(Number) },
      output_tokens: expect.any(Number),
      output_tokens_details: { reasoning_tokens: expect.any(Number) },
      total_tokens: json.usage.input_tokens + json.usage.output_tokens,
    });
    expect(json.usage.output_tokens).toBeGreaterThan(0);
    expect(headers.get('x-llm-hub-provider')).toBe(c.provider);
    expect(headers.get('x-request-id')).toBeTruthy();
  });

  it("streams OpenAI's typed events in order, numbered from 0, with no [DONE]", async () => {
    const question = `Tell me a story, ${c.provider}`;
    const { status, headers, events, raw } = await stream({ model: c.model, input: question });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(raw).not.toContain('[DONE]');
    const types = events.map((e) => e.data.type);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(0);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array.from({ length: deltas }, () => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.event)).toEqual(types);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const text = events.filter((e) => e.data.type === 'response.output_text.delta').map((e) => e.data.delta as string).join('');
    expect(text).toBe(c.reply(question));
    const [created, , added, partAdded] = events.map((e) => e.data);
    const completed = events.at(-1)!.data;
    expect(created.response).toMatchObject({ status: 'in_progress', output: [] });
    expect(completed.response.id).toBe(created.response.id);
    expect(partAdded).toMatchObject({ item_id: added.item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    expect(completed.response).toMatchObject({ status: 'completed', output: [{ id: added.item.id, type: 'message', content: [{ type: 'output_text', text: c.reply(question), annotations: [] }] }] });
    expect(completed.response.usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls a function, then answers from its output on the next request', async () => {
    const first = await create({ model: c.model, input: '[[fake tools=1]] What is the weather in Paris?', tools: [weatherTool], store: false });
    expect(first.status).toBe(200);
    expect(first.json.status).toBe('completed');
    const call = first.json.output.find((item: Json) => item.type === 'function_call');
    expect(call).toEqual({ type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: expect.any(String), name: 'get_weather', arguments: expect.any(String), status: 'completed' });
    expect(JSON.parse(call.arguments)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });

    const second = await create({
      model: c.model,
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 degrees' },
      ],
      tools: [weatherTool],
      store: false,
    });
    expect(second.status).toBe(200);
    expect(second.json.output[0].content[0].text).toContain('sunny, 21 degrees');
  });

  it('streams a function call: added, argument deltas, done with the whole arguments', async () => {
    const { events } = await stream({ model: c.model, input: '[[fake tools=1]] Weather in Paris, please', tools: [weatherTool] });
    const types = events.map((e) => e.data.type);
    const deltas = types.filter((t) => t === 'response.function_call_arguments.delta').length;
    expect(deltas).toBeGreaterThan(0);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      ...Array.from({ length: deltas }, () => 'response.function_call_arguments.delta'),
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const added = events[2].data.item;
    expect(added).toMatchObject({ type: 'function_call', id: expect.stringMatching(/^fc_/), name: 'get_weather', arguments: '', status: 'in_progress' });
    const pieces = events.filter((e) => e.data.type === 'response.function_call_arguments.delta').map((e) => e.data.delta as string).join('');
    const done = events.find((e) => e.data.type === 'response.output_item.done')!.data.item;
    expect(done).toEqual({ ...added, arguments: pieces, status: 'completed' });
    expect(JSON.parse(pieces)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });
    expect(events.at(-1)!.data.response.output).toEqual([done]);
  });

  it('answers in JSON under text.format json_schema', async () => {
    const { status, json } = await create({
      model: c.model,
      input: c.viaFake ? '[[fake json]] Status?' : 'Status?',
      text: { format: { type: 'json_schema', name: 'status', schema: { type: 'object', properties: {}, additionalProperties: true }, strict: false } },
    });
    expect(status).toBe(200);
    expect(json.text.format).toMatchObject({ type: 'json_schema', name: 'status' });
    expect(() => JSON.parse(json.output[0].content[0].text)).not.toThrow();
  });
});

describe('POST /v1/responses: translation at the upstream', () => {
  it('sends OpenAI a chat request: instructions first, the JSON schema as response_format, max_output_tokens as max_tokens', async () => {
    await create({
      model: 'openai/gpt-4o-mini',
      instructions: 'Answer in JSON.',
      input: [{ role: 'user', content: [{ type: 'input_text', text: '[[fake json]] hi' }] }],
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } }, strict: true } },
      max_output_tokens: 50,
    });
    const body = (await fakeStats(fake.url)).lastRequest!.body as Json;
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Answer in JSON.' });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } }, strict: true } });
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(50);
  });

  it('says incomplete, with the reason, when the answer hit max_output_tokens', async () => {
    const { json } = await create({ model: 'mock/mock-1', input: 'one two three four five six', max_output_tokens: 2 });
    expect(json).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    const { events } = await stream({ model: 'mock/mock-1', input: 'one two three four five six', max_output_tokens: 2 });
    expect(events.at(-1)!.data).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });
});

describe('POST /v1/responses: errors in OpenAI shape', () => {
  const refused: Array<[string, object, string, RegExp]> = [
    ['a hosted tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type', /'web_search' is a built-in tool type/],
    ['a background run', { background: true }, 'background', /background responses are not supported/],
    ['a conversation', { conversation: 'conv_1' }, 'conversation', /conversations are not supported/],
    ['an input_file part', { input: [{ role: 'user', content: [{ type: 'input_file', file_data: 'x' }] }] }, 'input[0].content', /input_file is not supported/],
    ['a tool_choice naming no tool', { tool_choice: { type: 'function', name: 'nope' } }, 'tool_choice', /not in tools/],
  ];

  it.each(refused)('refuses %s with a 400 naming the field', async (_what, fields, param, message) => {
    const { status, headers, json } = await create({ model: 'mock/mock-1', input: 'hi', ...fields });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param, message: expect.stringMatching(message) });
    expect(headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a request without input (and without previous_response_id)', async () => {
    const { status, json } = await create({ model: 'mock/mock-1' });
    expect(status).toBe(400);
    expect(json.error.param).toBe('input');
  });

  it("answers an unknown previous_response_id with OpenAI's 404", async () => {
    const { status, json } = await create({ model: 'mock/mock-1', input: 'hi', previous_response_id: 'resp_unknown' });
    expect(status).toBe(404);
    expect(json.error).toEqual({
      message: "Previous response with id 'resp_unknown' not found.",
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  });

  it('answers an item_reference to an unknown item with a 404', async () => {
    const { status, json } = await create({ model: 'mock/mock-1', input: [{ type: 'item_reference', id: 'msg_0123456789abcdef0123456789abcdef_0' }] });
    expect(status).toBe(404);
    expect(json.error.code).toBe('item_not_found');
  });

  it('passes on an upstream 429 as JSON when it fails before the stream starts', async () => {
    const response = await postJson(`${gateway.url}/v1/responses`, { model: 'openai/gpt-4o-mini', input: '[[fake status=429 retry-after=1]] hi', stream: true });
    expect(response.status).toBe(429);
    expect(((await response.json()) as Json).error.code).toBe('upstream_rate_limited');
  });

  it('ends a stream that fails after its head with response.failed', async () => {
    const { status, events, raw } = await stream({ model: 'openai/gpt-4o-mini', input: '[[fake error-after=2]] hello there my friend' });
    expect(status).toBe(200);
    expect(raw).not.toContain('[DONE]');
    const last = events.at(-1)!.data;
    expect(last).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: expect.any(String), message: expect.any(String) } } });
    expect(events.map((e) => e.data.type)).not.toContain('response.completed');
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
  });
});

describe('POST /v1/responses: stored state', () => {
  it('continues from previous_response_id: the earlier input and output go upstream, its instructions do not', async () => {
    const first = await create({ model: 'openai/gpt-4o-mini', input: 'My name is Ada.', instructions: 'Old instructions.' });
    expect(first.json.store).toBe(true);
    const second = await create({ model: 'openai/gpt-4o-mini', input: 'What is my name?', previous_response_id: first.json.id, instructions: 'New instructions.' });
    expect(second.status).toBe(200);
    expect(second.json.previous_response_id).toBe(first.json.id);
    const body = (await fakeStats(fake.url)).lastRequest!.body as Json;
    expect(body.messages).toEqual([
      { role: 'system', content: 'New instructions.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Fake reply to: My name is Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
  });

  it('chains: a third turn sees both earlier turns', async () => {
    const one = await create({ model: 'mock/mock-1', input: 'one' });
    const two = await create({ model: 'mock/mock-1', input: 'two', previous_response_id: one.json.id, stream: false });
    const three = await create({ model: 'openai/gpt-4o-mini', input: 'three', previous_response_id: two.json.id });
    expect(three.status).toBe(200);
    const body = (await fakeStats(fake.url)).lastRequest!.body as Json;
    expect(body.messages.map((m: Json) => m.content)).toEqual(['one', 'Mock reply to: one', 'two', 'Mock reply to: two', 'three']);
  });

  it('stores a streamed response too, before its response.completed', async () => {
    const { events } = await stream({ model: 'mock/mock-1', input: 'streamed first' });
    const id = events.at(-1)!.data.response.id as string;
    const next = await create({ model: 'mock/mock-1', input: 'after the stream', previous_response_id: id });
    expect(next.status).toBe(200);
    const stored = await fetch(`${gateway.url}/v1/responses/${id}`);
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as Json).output[0].content[0].text).toBe('Mock reply to: streamed first');
  });

  it('resolves an item_reference to an output item of a stored response', async () => {
    const first = await create({ model: 'mock/mock-1', input: 'remember me' });
    await create({
      model: 'openai/gpt-4o-mini',
      input: [{ role: 'user', content: 'remember me' }, { type: 'item_reference', id: first.json.output[0].id }, { role: 'user', content: 'and now?' }],
    });
    const body = (await fakeStats(fake.url)).lastRequest!.body as Json;
    expect(body.messages).toEqual([
      { role: 'user', content: 'remember me' },
      { role: 'assistant', content: 'Mock reply to: remember me' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('keeps nothing under store: false, and says so', async () => {
    const { json } = await create({ model: 'mock/mock-1', input: 'forget me', store: false });
    expect(json.store).toBe(false);
    expect((await fetch(`${gateway.url}/v1/responses/${json.id}`)).status).toBe(404);
    expect((await create({ model: 'mock/mock-1', input: 'x', previous_response_id: json.id })).status).toBe(404);
  });

  it('GET returns a stored response; DELETE removes it', async () => {
    const { json } = await create({ model: 'mock/mock-1', input: 'keep me' });
    const got = await fetch(`${gateway.url}/v1/responses/${json.id}`);
    expect(await got.json()).toEqual(json);
    const deleted = await fetch(`${gateway.url}/v1/responses/${json.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ id: json.id, object: 'response', deleted: true });
    const again = await fetch(`${gateway.url}/v1/responses/${json.id}`);
    expect(again.status).toBe(404);
    expect(((await again.json()) as Json).error.code).toBe('previous_response_not_found');
  });
});

describe('stored responses with the cache off, and per gateway key', () => {
  let noCache: RunningProcess;
  let keyed: RunningProcess;

  beforeAll(async () => {
    [noCache, keyed] = await Promise.all([
      startGateway({ providers: { mock: { type: 'mock' } }, cache: { type: 'none' } }),
      startGateway({ providers: { mock: { type: 'mock' } }, auth: { apiKeys: ['key-one-0123456789', 'key-two-0123456789'] } }),
    ]);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([noCache?.stop(), keyed?.stop()]);
  }, STOP_TIMEOUT_MS);

  it('with the cache off, answers store: false and finds no earlier response', async () => {
    const { status, json } = await create({ model: 'mock/mock-1', input: 'hi' }, noCache);
    expect(status).toBe(200);
    expect(json.store).toBe(false);
    expect((await create({ model: 'mock/mock-1', input: 'x', previous_response_id: json.id }, noCache)).status).toBe(404);
  });

  it("never lets one gateway key continue from another key's response", async () => {
    const one = { authorization: 'Bearer key-one-0123456789' };
    const two = { authorization: 'Bearer key-two-0123456789' };
    const { json } = await create({ model: 'mock/mock-1', input: 'mine' }, keyed, one);
    expect((await create({ model: 'mock/mock-1', input: 'x', previous_response_id: json.id }, keyed, two)).status).toBe(404);
    expect((await fetch(`${keyed.url}/v1/responses/${json.id}`, { headers: two })).status).toBe(404);
    expect((await create({ model: 'mock/mock-1', input: 'x', previous_response_id: json.id }, keyed, one)).status).toBe(200);
  });
});

async function cacheState(replica: RunningProcess): Promise<string> {
  const ready = (await (await fetch(`${replica.url}/health/ready`)).json()) as { details: { cache: { state: string } } };
  return ready.details.cache.state;
}

describe('stored responses across two replicas sharing one Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let replicaA: RunningProcess;
  let replicaB: RunningProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // Redis calls get 2 s: on a loaded test machine the cache's default 50 ms would lose writes (fail open, by design).
    const config = { providers: { mock: { type: 'mock' } }, cache: { type: 'redis-cluster', redis: { nodes: cluster.nodes, commandTimeoutMs: 2000 } }, responses: { store: { timeoutMs: 2000 } } };
    [replicaA, replicaB] = await Promise.all([startGateway(config), startGateway(config)]);
    // A replica connects to Redis after it listens; until then nothing could be stored.
    await Promise.all([replicaA, replicaB].map((replica) => eventually(() => cacheState(replica), (state) => state === 'ok', 30_000)));
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([replicaA?.stop(), replicaB?.stop()]);
    await cluster?.stop();
  }, STOP_TIMEOUT_MS);

  it('continues on replica B a conversation started on replica A, and a delete on A holds on B', async () => {
    const first = await create({ model: 'mock/mock-1', input: 'started on A' }, replicaA);
    expect(first.json.store).toBe(true);
    const second = await create({ model: 'mock/mock-1', input: [{ type: 'item_reference', id: first.json.output[0].id }, { role: 'user', content: 'continued on B' }], previous_response_id: first.json.id }, replicaB);
    expect(second.status).toBe(200);
    expect(second.json.output[0].content[0].text).toBe('Mock reply to: continued on B');
    expect((await fetch(`${replicaB.url}/v1/responses/${first.json.id}`)).status).toBe(200);
    expect((await fetch(`${replicaA.url}/v1/responses/${first.json.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${replicaB.url}/v1/responses/${first.json.id}`)).status).toBe(404);
  });
});
