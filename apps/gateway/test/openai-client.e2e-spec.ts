import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { eventually, fakeStats, NO_RETRY_NO_BREAKER, providersAt, startFakeProvider, startGateway, UPSTREAM_KEYS, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The official `openai` npm client pointed at the gateway, unmodified (only baseURL and apiKey),
 * for every provider type: plain, streamed and tool-calling requests, translated to each wire
 * format at the fake provider; and, for the openai, anthropic, google and mock routes, every
 * client call the drop-in checks of docs/api.md list (stream helper, parse, runTools, embeddings,
 * error classes, the routes the gateway does not serve).
 */
let fake: RunningProcess;
let gateway: RunningProcess;
let client: OpenAI;

const GATEWAY_KEY = 'gw-dropin-key-0123456789';

beforeAll(async () => {
  fake = await startFakeProvider();
  // No retries or breakers: the error checks need each upstream answer as it came, and no cache,
  // so that every call reaches the fake (what the fake saw is asserted).
  gateway = await startGateway(
    {
      providers: { ...providersAt(fake.url), 'mock-limited': { type: 'mock', failEvery: 1, failStatus: 429 } },
      resilience: NO_RETRY_NO_BREAKER,
      cache: { type: 'none' },
    },
    { LLM_HUB_API_KEYS: GATEWAY_KEY },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location', 'unit'],
    },
  },
};

interface Case {
  provider: string;
  model: string;
  /** The upstream path the fake must have seen. */
  path: RegExp;
  /** What the reply text starts with (the fake's and the mock's answers are deterministic). */
  reply: (question: string) => string;
  toolPrefix: string;
  viaFake: boolean;
  /** Gemini sends each functionCall whole, so its arguments arrive in one piece. */
  splitsArguments?: false;
  /** One of the four routes the drop-in checks cover (docs/api.md "Drop-in compatibility"). */
  dropIn?: true;
  /** The embedding model of the route; none where the provider has no embeddings API. */
  embeddingModel?: string;
  /** The mock calls only the first declared tool; the fake calls each with `[[fake tools]]`. */
  callsOneTool?: true;
}

const fakeReply = (q: string) => `Fake reply to: ${q}`;
const cases: Case[] = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', path: /^\/v1\/chat\/completions$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true, dropIn: true, embeddingModel: 'openai/text-embedding-3-small' },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', path: /^\/v1\/messages$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true, dropIn: true },
  { provider: 'google', model: 'google/gemini-2.0-flash', path: /^\/v1beta\/models\/gemini-2\.0-flash:(stream)?[gG]enerateContent/, reply: fakeReply, toolPrefix: 'fake', viaFake: true, splitsArguments: false, dropIn: true, embeddingModel: 'google/text-embedding-004' },
  { provider: 'azure', model: 'azure/gpt-4o-mini', path: /^\/openai\/deployments\/my-gpt4o-mini-deployment\/chat\/completions\?api-version=2024-10-21$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'vllm', model: 'vllm/meta-llama/Llama-3.1-8B-Instruct', path: /^\/v1\/chat\/completions$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'mock', model: 'mock/mock-1', path: /.*/, reply: (q) => `Mock reply to: ${q}`, toolPrefix: 'mock', viaFake: false, dropIn: true, embeddingModel: 'mock/mock-1', callsOneTool: true },
];

describe.each(cases)('$provider through the official openai client', (c) => {
  it('answers a plain request with content, usage and the serving provider', async () => {
    const question = `What is the capital of France, ${c.provider}?`;
    const { data, response, request_id } = await client.chat.completions
      .create({
        model: c.model,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: question },
        ],
        max_tokens: 100,
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.role).toBe('assistant');
    expect(data.choices[0].message.content).toBe(c.reply(question));
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(response.headers.get('x-llm-hub-provider')).toBe(c.provider);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // The SDK surfaces the gateway's request id, as it does OpenAI's.
    expect(request_id).toBe(response.headers.get('x-request-id'));
    if (c.viaFake) {
      const stats = await fakeStats(fake.url);
      expect(stats.lastRequest!.path).toMatch(c.path);
    }
  });

  it('streams the same answer chunk by chunk, with usage when asked', async () => {
    const question = `Tell me a story, ${c.provider}`;
    const stream = await client.chat.completions.create({
      model: c.model,
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.content) {
        text += choice.delta.content;
        contentChunks += 1;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(text).toBe(c.reply(question));
    expect(contentChunks).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('calls a tool and uses its result on the next turn', async () => {
    const question = '[[fake tools=1]] What is the weather in Paris?';
    const first = await client.chat.completions.create({
      model: c.model,
      messages: [{ role: 'user', content: question }],
      tools: [weatherTool],
    });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type).toBe('function');
    expect(call.id).toBeTruthy();
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });

    const second = await client.chat.completions.create({
      model: c.model,
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 degrees' },
      ],
      tools: [weatherTool],
    });
    expect(second.choices[0].finish_reason).toBe('stop');
    expect(second.choices[0].message.content).toContain('sunny, 21 degrees');
  });

  it('streams a tool call whose arguments arrive in pieces', async () => {
    const stream = await client.chat.completions.create({
      model: c.model,
      messages: [{ role: 'user', content: '[[fake tools=1]] Weather in Paris, please' }],
      tools: [weatherTool],
      stream: true,
    });
    let name = '';
    let args = '';
    let argumentPieces = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      for (const delta of choice.delta.tool_calls ?? []) {
        expect(delta.index).toBe(0);
        if (delta.function?.name) name += delta.function.name;
        if (delta.function?.arguments) {
          args += delta.function.arguments;
          argumentPieces += 1;
        }
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });
    if (c.splitsArguments === false) expect(argumentPieces).toBe(1);
    else expect(argumentPieces).toBeGreaterThan(1);
    expect(finish).toBe('tool_calls');
  });
});

describe('wire details at the fake provider', () => {
  it('sends Anthropic its system prompt, version header and key; never the gateway client key', async () => {
    await client.chat.completions.create({
      model: 'anthropic/claude-3-5-haiku-latest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    const { lastRequest } = await fakeStats(fake.url);
    expect(lastRequest!.headers['x-api-key']).toBe(UPSTREAM_KEYS.anthropic);
    expect(lastRequest!.headers['anthropic-version']).toBeTruthy();
    const body = lastRequest!.body as { system: unknown; messages: Array<{ role: string }>; max_tokens: number };
    expect(JSON.stringify(body.system)).toContain('Be brief.');
    expect(body.messages.map((m) => m.role)).toEqual(['user']);
    expect(body.max_tokens).toBeGreaterThan(0);
  });

  it('sends Gemini a systemInstruction and its key header', async () => {
    await client.chat.completions.create({
      model: 'google/gemini-2.0-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 42,
    });
    const { lastRequest } = await fakeStats(fake.url);
    expect(lastRequest!.headers['x-goog-api-key']).toBe(UPSTREAM_KEYS.google);
    const body = lastRequest!.body as { systemInstruction: { parts: Array<{ text: string }> }; generationConfig: { maxOutputTokens: number } };
    expect(body.systemInstruction.parts[0].text).toBe('Be brief.');
    expect(body.generationConfig.maxOutputTokens).toBe(42);
  });

  it('sends Azure its api-key header', async () => {
    await client.chat.completions.create({ model: 'azure/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const { lastRequest } = await fakeStats(fake.url);
    expect(lastRequest!.headers['api-key']).toBe(UPSTREAM_KEYS.azure);
    expect(lastRequest!.headers.authorization).toBeUndefined();
  });

  it('lists configured models and aliases in OpenAI shape', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'mock/mock-1', 'vllm/meta-llama/Llama-3.1-8B-Instruct']));
  });

  it('retrieves one model by its id, slashes and all (the SDK sends them percent-encoded)', async () => {
    for (const id of ['openai/gpt-4o-mini', 'vllm/meta-llama/Llama-3.1-8B-Instruct', 'mock/mock-1']) {
      const model = await client.models.retrieve(id);
      expect(model).toMatchObject({ id, object: 'model' });
    }
    const error = await caught(client.models.retrieve('no-such-provider/model'));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('never lets an upstream key reach the gateway output', () => {
    for (const key of Object.values(UPSTREAM_KEYS)) expect(gateway.output()).not.toContain(key);
  });
});

describe('anthropic: text before the tool calls, through runTools()', () => {
  it.each([false, true])('keeps the text and the tool call in one assistant turn and completes the loop (stream: %s)', async (stream) => {
    const received: Array<[string, unknown]> = [];
    const body = {
      model: 'anthropic/claude-3-5-haiku-latest',
      messages: [{ role: 'user' as const, content: '[[fake tools=1 preamble]] What is the weather in Paris?' }],
      tools: [runnableTool('get_weather', weatherTool.function.parameters!, 'sunny, 21 degrees', received)],
    };
    const runner = stream ? client.chat.completions.runTools({ ...body, stream: true }) : client.chat.completions.runTools(body);
    const content = await runner.finalContent();
    const assistant = runner.messages[1] as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam;
    expect(assistant.content).toBe("I'll answer with the tool.");
    expect(assistant.tool_calls).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(content).toContain('sunny, 21 degrees');
  });
});

/**
 * Anthropic has no JSON mode: the gateway forces an answer tool. Claude often writes a text block
 * before that tool (`preamble`); the SDK's parse() must still get the tool's JSON alone.
 */
describe('structured output over Anthropic through the official openai client', () => {
  const cityFormat = {
    type: 'json_schema' as const,
    json_schema: { name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  };
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: '[[fake tools preamble]] Which city?' }];

  it('parses the answer of a response_format request whose upstream also wrote text', async () => {
    const completion = await client.chat.completions.parse({ model: 'anthropic/claude-3-5-haiku-latest', messages, response_format: cityFormat });
    expect(completion.choices[0].message.parsed).toEqual({ city: 'fake-city' });
    expect(completion.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('streams only the JSON answer, for json_object too', async () => {
    for (const response_format of [cityFormat, { type: 'json_object' as const }]) {
      const stream = client.chat.completions.stream({ model: 'anthropic/claude-3-5-haiku-latest', messages, response_format });
      const final = await stream.finalChatCompletion();
      expect(JSON.parse(final.choices[0].message.content ?? '')).toMatchObject(response_format.type === 'json_schema' ? { city: 'fake-city' } : {});
      expect(final.choices[0].finish_reason).toBe('stop');
    }
  });
});

const dropInRoutes = cases.filter((c) => c.dropIn);
const weatherArgs = (c: Case) => ({ location: `${c.toolPrefix}-location`, unit: 'celsius' });
const cityAnswer = z.object({ city: z.string(), population: z.number(), capital: z.boolean() });

/** A tool runTools() runs: it records the arguments it got and answers `result`. */
function runnableTool(name: string, parameters: Record<string, unknown>, result: string, received: Array<[string, unknown]>) {
  const run = (args: unknown) => {
    received.push([name, args]);
    return result;
  };
  return { type: 'function' as const, function: { name, description: `The ${name} tool`, parameters, parse: JSON.parse, function: run } };
}

describe.each(dropInRoutes)('$provider: the openai-node helpers', (c) => {
  it('streams through chat.completions.stream(): content.delta events and finalChatCompletion()', async () => {
    const question = `Stream with the helper, ${c.provider}`;
    const stream = client.chat.completions.stream({ model: c.model, messages: [{ role: 'user', content: question }], stream_options: { include_usage: true } });
    let deltas = '';
    stream.on('content.delta', ({ delta }) => (deltas += delta));
    const final = await stream.finalChatCompletion();
    expect(deltas).toBe(c.reply(question));
    expect(final.choices[0].message).toMatchObject({ role: 'assistant', content: c.reply(question) });
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('assembles streamed tool-call deltas in stream(), with the arguments parsed by a zod tool', async () => {
    const getWeather = zodFunction({ name: 'get_weather', parameters: z.object({ location: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }) });
    const stream = client.chat.completions.stream({ model: c.model, messages: [{ role: 'user', content: '[[fake tools=1]] Weather in Paris?' }], tools: [getWeather] });
    const done: unknown[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => done.push(event.parsed_arguments));
    const final = await stream.finalChatCompletion();
    const call = final.choices[0].message.tool_calls![0] as OpenAI.Chat.Completions.ParsedFunctionToolCall;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    expect(call.function.parsed_arguments).toEqual(weatherArgs(c));
    expect(done).toEqual([weatherArgs(c)]);
  });

  it('parses a zod response_format with chat.completions.parse(), and a plain JSON schema too', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Which city is the capital?' }];
    const expected = { city: `${c.toolPrefix}-city`, population: 1, capital: true };
    const zodParsed = await client.chat.completions.parse({ model: c.model, messages, response_format: zodResponseFormat(cityAnswer, 'city') });
    expect(zodParsed.choices[0].message.parsed).toEqual(expected);
    expect(zodParsed.choices[0].finish_reason).toBe('stop');
    const schema = z.toJSONSchema(cityAnswer) as Record<string, unknown>;
    const jsonParsed = await client.chat.completions.parse({ model: c.model, messages, response_format: { type: 'json_schema', json_schema: { name: 'city', schema } } });
    expect(jsonParsed.choices[0].message.parsed).toEqual(expected);
  });

  it.each([false, true])('runs a two-step tool loop with chat.completions.runTools() (stream: %s)', async (stream) => {
    const received: Array<[string, unknown]> = [];
    const tool = runnableTool('get_weather', weatherTool.function.parameters!, 'sunny, 21 degrees', received);
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: '[[fake tools=1]] What is the weather in Paris?' }];
    const runner = stream ? client.chat.completions.runTools({ model: c.model, messages, tools: [tool], stream: true }) : client.chat.completions.runTools({ model: c.model, messages, tools: [tool] });
    const content = await runner.finalContent();
    expect(received).toEqual([['get_weather', weatherArgs(c)]]);
    expect(content).toContain('sunny, 21 degrees');
    expect(runner.allChatCompletions()).toHaveLength(2);
    expect(runner.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it.each([false, true])('runs parallel tool calls through runTools() (stream: %s): every result goes back in one turn', async (stream) => {
    const received: Array<[string, unknown]> = [];
    const cityParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = {
      model: c.model,
      messages: [{ role: 'user' as const, content: '[[fake tools]] Weather and time in Paris?' }],
      tools: [runnableTool('get_weather', cityParameters, 'sunny', received), runnableTool('get_time', cityParameters, 'noon', received)],
    };
    const runner = stream ? client.chat.completions.runTools({ ...body, stream: true }) : client.chat.completions.runTools(body);
    const content = await runner.finalContent();
    const expected = c.callsOneTool ? ['get_weather'] : ['get_weather', 'get_time'];
    expect(received.map(([name]) => name)).toEqual(expected);
    expect(runner.messages.filter((m) => m.role === 'tool')).toHaveLength(expected.length);
    expect(content).toContain('sunny');
    if (!c.callsOneTool) expect(content).toContain('noon');
  });

  it('streams a zod response_format and parses the final message', async () => {
    const stream = client.chat.completions.stream({ model: c.model, messages: [{ role: 'user', content: 'Which city is the capital?' }], response_format: zodResponseFormat(cityAnswer, 'city') });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.parsed).toEqual({ city: `${c.toolPrefix}-city`, population: 1, capital: true });
  });

  it('embeds as floats and as base64 (little-endian float32s of the same vector), or says clearly it cannot', async () => {
    if (c.embeddingModel === undefined) {
      const error = await client.embeddings.create({ model: c.model, input: 'alpha' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('unsupported_capability');
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/embedding/i);
      return;
    }
    const floats = await client.embeddings.create({ model: c.embeddingModel, input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.data[0].embedding.length).toBeGreaterThan(0);
    expect(floats.data[0].embedding).not.toEqual(floats.data[1].embedding);
    // The SDK decodes base64 itself when it asked for it; ask explicitly to see the wire answer.
    const encoded = (await client.embeddings.create({ model: c.embeddingModel, input: ['alpha', 'beta'], encoding_format: 'base64' })).data[0].embedding as unknown;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded as string, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toHaveLength(floats.data[0].embedding.length);
    decoded.forEach((value, i) => expect(value).toBeCloseTo(floats.data[0].embedding[i], 5));
    const shortened = await client.embeddings.create({ model: c.embeddingModel, input: 'alpha', dimensions: 4, encoding_format: 'float' });
    expect(shortened.data[0].embedding).toHaveLength(4);
    // Without encoding_format the SDK asks for base64 and hands back floats.
    const defaulted = await client.embeddings.create({ model: c.embeddingModel, input: 'alpha' });
    defaulted.data[0].embedding.forEach((value, i) => expect(value).toBeCloseTo(floats.data[0].embedding[i], 5));
  });
});

/** What a caller catches: the SDK's error class is chosen by status, and `param`/`code` come from OpenAI's error shape. */
async function caught(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe.each(dropInRoutes.filter((c) => c.viaFake))('$provider: upstream errors raise the SDK error class', (c) => {
  const ask = (directive: string) => client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: `[[fake ${directive}]] hi` }] });

  it.each([
    [401, OpenAI.AuthenticationError, 'upstream_authentication_failed'],
    [400, OpenAI.BadRequestError, 'upstream_invalid_request'],
    [404, OpenAI.NotFoundError, 'upstream_not_found'],
  ])('an upstream %i', async (status, errorClass, code) => {
    const error = await caught(ask(`status=${status}`));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.requestID).toBeTruthy();
  });

  it('an upstream 429 raises RateLimitError with its Retry-After, and the SDK (maxRetries 0) does not retry', async () => {
    const before = (await fakeStats(fake.url)).requests;
    const error = await caught(ask('status=429 retry-after=7'));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.headers?.get('retry-after')).toBe('7');
    expect((await fakeStats(fake.url)).requests - before).toBe(1);
  });

  it("a stream the upstream breaks after two chunks raises an APIError carrying the gateway's error event, after the chunks", async () => {
    let text = '';
    const error = await caught((async () => {
      const stream = await client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: '[[fake error-after=2]] Tell me a story' }], stream: true });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })());
    expect(text.length).toBeGreaterThan(0);
    expect(error.error).toMatchObject({ type: 'api_error', code: 'upstream_error', message: expect.stringContaining(`${c.provider} returned HTTP`) });
  });

  it('an upstream 429 in a stream raises RateLimitError before the first chunk', async () => {
    const error = await caught((async () => {
      for await (const _chunk of await client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: '[[fake status=429]] hi' }], stream: true })) void _chunk;
    })());
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('errors the gateway itself raises, through the SDK', () => {
  it('a wrong gateway key raises AuthenticationError', async () => {
    const stranger = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'not-a-key', maxRetries: 0 });
    const error = await caught(stranger.chat.completions.create({ model: 'mock/mock-1', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('invalid_api_key');
  });

  it.each(dropInRoutes)('bad input for $provider raises BadRequestError naming the param', async (c) => {
    const error = await caught(client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'hi' }], temperature: 7 }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('temperature');
  });

  it('an unknown model raises NotFoundError', async () => {
    for (const model of ['no-such-model', 'no-such-provider/gpt-4o-mini']) {
      const error = await caught(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }));
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.code).toBe('model_not_found');
    }
  });

  it('a mock whose upstream answers 429 raises RateLimitError', async () => {
    const error = await caught(client.chat.completions.create({ model: 'mock-limited/mock-1', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('the SDK gives up on a hung upstream after its timeout, and the gateway then drops the upstream call; nothing listening is an APIConnectionError', async () => {
    const before = (await fakeStats(fake.url)).aborted;
    const timeout = await caught(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: '[[fake hang]] hi' }] }, { timeout: 300 }));
    // APIConnectionTimeoutError in plain Node; under jest the abort's DOMException comes from another
    // realm, which the SDK's error mapping does not recognise, so only the base class is asserted here.
    expect(timeout).toBeInstanceOf(OpenAI.APIConnectionError);
    expect((await eventually(() => fakeStats(fake.url), (stats) => stats.aborted > before)).aborted).toBeGreaterThan(before);
    const nowhere = new OpenAI({ baseURL: 'http://127.0.0.1:1/v1', apiKey: GATEWAY_KEY, maxRetries: 0 });
    const refused = await caught(nowhere.models.list());
    expect(refused).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

/** docs/api.md "Not supported": the SDK's calls for these get a clean 404 in OpenAI's shape. */
describe('endpoints the gateway does not serve', () => {
  it.each([
    ['legacy completions', () => client.completions.create({ model: 'openai/gpt-4o-mini', prompt: 'hi' })],
    ['images', () => client.images.generate({ model: 'openai/dall-e-3', prompt: 'a cat' })],
    ['audio speech', () => client.audio.speech.create({ model: 'openai/tts-1', voice: 'alloy', input: 'hi' })],
    ['audio transcriptions', async () => client.audio.transcriptions.create({ model: 'openai/whisper-1', file: await OpenAI.toFile(Buffer.from('RIFF'), 'a.wav') })],
    ['moderations', () => client.moderations.create({ model: 'openai/omni-moderation-latest', input: 'hi' })],
    ['files', () => client.files.list()],
    ['batches', () => client.batches.list()],
  ])('%s: NotFoundError, 404 in OpenAI shape with x-request-id', async (_name, call) => {
    const error = await caught(call());
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'route_not_found' });
    expect((error.error as { message?: unknown }).message).toMatch(/^No route for (POST|GET) \/v1\/(completions|images|audio|moderations|files|batches)/);
    expect(error.requestID).toBeTruthy();
  });
});
