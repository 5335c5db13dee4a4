import OpenAI from 'openai';
import { fakeStats, providersAt, startFakeProvider, startGateway, UPSTREAM_KEYS, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The official `openai` npm client pointed at the gateway, for every provider type: plain,
 * streamed and tool-calling requests, translated to each wire format at the fake provider.
 */
let fake: RunningProcess;
let gateway: RunningProcess;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url) });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
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
}

const fakeReply = (q: string) => `Fake reply to: ${q}`;
const cases: Case[] = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', path: /^\/v1\/chat\/completions$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', path: /^\/v1\/messages$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'google', model: 'google/gemini-2.0-flash', path: /^\/v1beta\/models\/gemini-2\.0-flash:(stream)?[gG]enerateContent/, reply: fakeReply, toolPrefix: 'fake', viaFake: true, splitsArguments: false },
  { provider: 'azure', model: 'azure/gpt-4o-mini', path: /^\/openai\/deployments\/my-gpt4o-mini-deployment\/chat\/completions\?api-version=2024-10-21$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'vllm', model: 'vllm/meta-llama/Llama-3.1-8B-Instruct', path: /^\/v1\/chat\/completions$/, reply: fakeReply, toolPrefix: 'fake', viaFake: true },
  { provider: 'mock', model: 'mock/mock-1', path: /.*/, reply: (q) => `Mock reply to: ${q}`, toolPrefix: 'mock', viaFake: false },
];

describe.each(cases)('$provider through the official openai client', (c) => {
  it('answers a plain request with content, usage and the serving provider', async () => {
    const question = `What is the capital of France, ${c.provider}?`;
    const { data, response } = await client.chat.completions
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

  it('embeds through OpenAI and Gemini in OpenAI shape', async () => {
    for (const model of ['openai/text-embedding-3-small', 'google/text-embedding-004', 'mock/mock-1']) {
      const result = await client.embeddings.create({ model, input: ['alpha', 'beta'] });
      expect(result.data).toHaveLength(2);
      expect(result.data[1].index).toBe(1);
      expect(result.data[0].embedding.length).toBeGreaterThan(0);
      expect(result.data[0].embedding).not.toEqual(result.data[1].embedding);
    }
  });

  it('answers base64 embeddings from the mock as OpenAI does (little-endian float32s of the same vector)', async () => {
    for (const model of ['mock/mock-1', 'google/text-embedding-004']) {
      const floats = (await client.embeddings.create({ model, input: 'alpha', encoding_format: 'float' })).data[0].embedding;
      const encoded = (await client.embeddings.create({ model, input: 'alpha', encoding_format: 'base64' })).data[0].embedding as unknown;
      expect(typeof encoded).toBe('string');
      const bytes = Buffer.from(encoded as string, 'base64');
      const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(decoded).toHaveLength(floats.length);
      decoded.forEach((value, i) => expect(value).toBeCloseTo(floats[i], 5));
    }
  });

  it('lists configured models and aliases in OpenAI shape', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'mock/mock-1', 'vllm/meta-llama/Llama-3.1-8B-Instruct']));
  });

  it('never lets an upstream key reach the gateway output', () => {
    for (const key of Object.values(UPSTREAM_KEYS)) expect(gateway.output()).not.toContain(key);
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
