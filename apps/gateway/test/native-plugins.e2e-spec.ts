/**
 * The provider plugins added as proof of the plugin design, through the gateway against the fake
 * provider: AWS Bedrock (Converse and ConverseStream: SigV4-signed requests, answers in the AWS
 * event stream framing, not SSE), and Mistral's native API. Each must answer, stream, call tools
 * and map an upstream error as every other provider does.
 */
import { NO_RETRY_NO_BREAKER, fakeStats, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson, readSse, streamedText } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/** The fake's test credentials (apps/fake-provider/src/bedrock.signature.ts): it checks every signature with them. */
const AWS = { accessKeyId: 'AKIAFAKEGATEWAYTEST01', secretAccessKey: 'fake/Secret+Key/For/The/Gateway/Tests/000' };

const MISTRAL_KEY = 'mistral-test-key-0123456789abcdef';

let fake: RunningProcess;
let gateway: RunningProcess;
const chatUrl = () => `${gateway.url}/v1/chat/completions`;

beforeAll(async () => {
  fake = await startFakeProvider({ H2C_PORT: '0' });
  gateway = await startGateway(
    {
      providers: {
        bedrock: { type: 'bedrock', region: 'us-east-1', ...AWS, baseUrl: fake.url },
        mistral: { type: 'mistral', apiKey: MISTRAL_KEY, baseUrl: `${fake.url}/mistral/v1` },
        'bedrock-h2': { type: 'bedrock', region: 'us-east-1', ...AWS, baseUrl: fake.h2cUrl, http2: 'on' },
        'bedrock-wrong-secret': { type: 'bedrock', region: 'us-east-1', accessKeyId: AWS.accessKeyId, secretAccessKey: 'not-the-secret-0000', baseUrl: fake.url },
      },
      resilience: NO_RETRY_NO_BREAKER,
    },
    // Debug prints the whole config at start-up: its secrets must be masked there.
    { LLM_HUB_LOG_LEVEL: 'debug' },
  );
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

// A model id with the `:` and `.` Bedrock's ids have: it travels in the signed path.
const models = ['bedrock/anthropic.claude-3-5-haiku-20241022-v1:0', 'mistral/mistral-small-latest'];

describe.each(models)('%s', (model) => {
  it('answers a chat completion in OpenAI shape, with usage', async () => {
    const response = await postJson(chatUrl(), { model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('streams the answer as OpenAI chunks ending in [DONE], the same text as the whole answer', async () => {
    const messages = [{ role: 'user', content: '[[fake chunks=4]] Tell me a story' }];
    const whole = (await (await postJson(chatUrl(), { model, messages })).json()) as { choices: Array<{ message: { content: string } }> };
    const result = await readSse(chatUrl(), { model, messages, stream: true, stream_options: { include_usage: true } });
    expect(result.status).toBe(200);
    expect(result.events[result.events.length - 1]).toBe('[DONE]');
    expect(streamedText(result.events)).toBe(whole.choices[0].message.content);
    const chunks = result.events.filter((e): e is { choices: Array<{ finish_reason: string | null }>; usage?: object } => typeof e === 'object');
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks[chunks.length - 1].usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('calls tools, streamed or not, and takes a tool result back, also under an id another provider issued', async () => {
    const ask = [{ role: 'user', content: '[[fake tools=1]] Weather in Paris?' }];
    const response = await postJson(chatUrl(), { model, messages: ask, tools: [weather] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> }; finish_reason: string }> };
    const call = body.choices[0].message.tool_calls[0];
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toHaveProperty('city');

    const stream = await readSse(chatUrl(), { model, messages: ask, tools: [weather], stream: true });
    const deltas = stream.events.flatMap((e) => (typeof e === 'object' ? ((e as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments?: string } }> } }> }).choices[0]?.delta.tool_calls ?? []) : []));
    expect(JSON.parse(deltas.map((d) => d.function.arguments ?? '').join(''))).toEqual(JSON.parse(call.function.arguments));

    // OpenAI's id shape, as after a fallback: Mistral takes only ids of 9 letters or digits.
    for (const id of [call.id, 'call_Xy12AbCd34Ef56Gh']) {
      const followUp = await postJson(chatUrl(), {
        model,
        messages: [...ask, { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: call.function }] }, { role: 'tool', tool_call_id: id, content: 'Sunny, 21 C' }],
        tools: [weather],
      });
      expect(followUp.status).toBe(200);
    }
  });

  it("maps an upstream error to OpenAI's shape with the matching status", async () => {
    const response = await postJson(chatUrl(), { model, messages: [{ role: 'user', content: '[[fake status=429]] hi' }] });
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.message).toContain('429');
  });

  it('ends a stream whose upstream fails mid-way with an error event, never [DONE]', async () => {
    const result = await readSse(chatUrl(), { model, stream: true, messages: [{ role: 'user', content: '[[fake chunks=6 error-after=2]] story' }] });
    expect(result.status).toBe(200);
    expect(result.events).not.toContain('[DONE]');
    expect(result.events[result.events.length - 1]).toMatchObject({ error: { message: expect.any(String) } });
  });
});

describe('Mistral embeddings', () => {
  it('answers in OpenAI shape', async () => {
    const response = await postJson(`${gateway.url}/v1/embeddings`, { model: 'mistral/mistral-embed', input: ['one', 'two'] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Array<{ index: number; embedding: number[] }> };
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[0].embedding.length).toBeGreaterThan(0);
  });
});

describe('secrets', () => {
  it("are masked in the config the gateway prints, and appear nowhere in its output", () => {
    const output = gateway.output();
    expect(output).toContain('"secretAccessKey":"***"');
    expect(output).not.toContain(AWS.secretAccessKey);
    expect(output).not.toContain('not-the-secret-0000');
    expect(output).not.toContain(MISTRAL_KEY);
  });
});

describe('Bedrock signing', () => {
  it('holds over HTTP/2, where the host is the :authority', async () => {
    const response = await postJson(chatUrl(), { model: 'bedrock-h2/amazon.nova-micro-v1:0', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect((await fakeStats(fake.url)).byProtocol.h2).toBe(1);
  });

  it("is refused by the upstream when signed with the wrong secret, and the secret is never shown", async () => {
    const response = await postJson(chatUrl(), { model: 'bedrock-wrong-secret/amazon.nova-micro-v1:0', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain('signature');
    expect(text).not.toContain('not-the-secret-0000');
  });
});
