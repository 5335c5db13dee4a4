import Anthropic from '@anthropic-ai/sdk';
import { providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The official `@anthropic-ai/sdk`, unmodified, pointed at the gateway as Claude Code users point
 * it (base URL without /v1, the gateway key as its API key), for the openai, anthropic, google and
 * mock routes over the fake provider: create, stream with tools, countTokens and errors.
 */
const KEY = 'gw-anthropic-sdk-key';
let fake: RunningProcess;
let gateway: RunningProcess;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url), auth: { apiKeys: [KEY] }, cache: { type: 'none' } });
  client = new Anthropic({ baseURL: gateway.url, apiKey: KEY, maxRetries: 0 });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'unit'] },
};

const cases = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', prefix: 'fake', reply: 'Fake reply to: ' },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', prefix: 'fake', reply: 'Fake reply to: ' },
  { provider: 'google', model: 'google/gemini-2.0-flash', prefix: 'fake', reply: 'Fake reply to: ' },
  { provider: 'mock', model: 'mock/mock-1', prefix: 'mock', reply: 'Mock reply to: ' },
];

describe.each(cases)('$provider through the official Anthropic SDK', ({ provider, model, prefix, reply }) => {
  it('messages.create answers text, with usage and the serving provider', async () => {
    const question = `What is the capital of France, ${provider}?`;
    const { data, response } = await client.messages
      .create({ model, max_tokens: 100, system: 'You are terse.', messages: [{ role: 'user', content: question }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.content).toEqual([{ type: 'text', text: `${reply}${question}` }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.stop_sequence).toBeNull();
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-llm-hub-provider')).toBe(provider);
  });

  it('messages.create calls a tool: a tool_use block whose input is an object', async () => {
    const message = await client.messages.create({ model, max_tokens: 100, tools: [weatherTool], messages: [{ role: 'user', content: '[[fake tools=1]] Weather in Paris?' }] });
    expect(message.stop_reason).toBe('tool_use');
    const call = message.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: { location: `${prefix}-location`, unit: 'celsius' } });
  });

  it('messages.stream streams text events and the final message', async () => {
    const question = `Tell me a story, ${provider}`;
    const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: question }] });
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const final = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(`${reply}${question}`);
    expect(await stream.finalText()).toBe(`${reply}${question}`);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
  });

  it('messages.stream with tools: the tool input is parsed from input_json_delta, and the loop goes on with its result', async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, tools: [weatherTool], messages: [{ role: 'user', content: '[[fake tools=1]] Weather in Paris, please' }] });
    const snapshots: unknown[] = [];
    stream.on('inputJson', (_partial, snapshot) => snapshots.push(snapshot));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const call = final.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
    expect(call.name).toBe('get_weather');
    expect(call.input).toEqual({ location: `${prefix}-location`, unit: 'celsius' });
    expect(snapshots.length).toBeGreaterThan(0);

    const next = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris, please' },
        { role: 'assistant', content: final.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 21 degrees' }] },
      ],
    });
    expect(next.stop_reason).toBe('end_turn');
    expect(next.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('sunny, 21 degrees') });
  });

  it('messages.countTokens answers an estimate', async () => {
    const count = await client.messages.countTokens({ model, system: 'Be brief.', tools: [weatherTool], messages: [{ role: 'user', content: 'How warm is it in Paris today?' }] });
    expect(count.input_tokens).toBeGreaterThan(0);
  });
});

describe('errors through the official Anthropic SDK', () => {
  it('a model the gateway does not know is a NotFoundError of type not_found_error, with the request id', async () => {
    const error = (await client.messages.create({ model: 'claude-nonexistent-9', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.type).toBe('not_found_error');
    expect(error.requestID).toBeTruthy();
  });

  it('a wrong key is an AuthenticationError, for create and countTokens', async () => {
    const wrong = new Anthropic({ baseURL: gateway.url, apiKey: 'not-the-key', maxRetries: 0 });
    const params = { model: 'mock/mock-1', messages: [{ role: 'user' as const, content: 'hi' }] };
    for (const call of [wrong.messages.create({ ...params, max_tokens: 10 }), wrong.messages.countTokens(params)]) {
      const error = (await call.catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error.type).toBe('authentication_error');
    }
  });

  it('a stream that fails after it began rejects with the error event as an APIError', async () => {
    const stream = client.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'one two three four five [[fake error-after=2]]' }] });
    const error = (await stream.finalMessage().catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.type).toBe('api_error');
  });

  it("takes the key in Anthropic's x-api-key header too", async () => {
    const viaHeader = new Anthropic({ baseURL: gateway.url, apiKey: null, authToken: null, defaultHeaders: { 'x-api-key': KEY }, maxRetries: 0 });
    const message = await viaHeader.messages.create({ model: 'mock/mock-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Mock reply to: hi' });
  });
});
