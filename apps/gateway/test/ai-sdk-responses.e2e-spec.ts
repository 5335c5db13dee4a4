import { runEsmClient } from './support/esm-client';
import { fakeStats, providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The Vercel AI SDK, unmodified, with its default OpenAI provider (`createOpenAI({ baseURL })(model)`
 * calls POST /v1/responses), for each provider type over the fake provider and for the mock:
 * generateText, streamText, a two-step tool loop, a two-turn conversation (the SDK names turn
 * one's answer by `item_reference`), and generateObject. The script: clients/ai-sdk-responses.mjs.
 */
let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url) });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const CLIENT_TIMEOUT_MS = 60_000;

type Outcome<Result> = { ok: true; result: Result } | { ok: false; error: { name: string; message: string; statusCode?: number } };

const outcomeOf = <Result>(task: string, model: string, extra: object) =>
  runEsmClient<Outcome<Result>>('ai-sdk-responses', { baseURL: `${gateway.url}/v1`, apiKey: 'unused', model, task, ...extra }, CLIENT_TIMEOUT_MS);

async function sdk<Result>(task: string, model: string, extra: object): Promise<Result> {
  const outcome = await outcomeOf<Result>(task, model, extra);
  if (!outcome.ok) throw new Error(`the AI SDK failed: ${JSON.stringify(outcome.error)}`);
  return outcome.result;
}

interface Case {
  provider: string;
  model: string;
  reply: (question: string) => string;
  toolReply: string;
  toolPrefix: string;
  /** What the backend answers under a JSON schema, and the schema that describes it. */
  object: { schema: object; value: object; directive: string };
  viaFake: boolean;
}

const fakeObject = { schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false }, value: { ok: true }, directive: '[[fake json]] ' };
const fakeCase = (provider: string, model: string): Case => ({
  provider,
  model,
  reply: (q) => `Fake reply to: ${q}`,
  toolReply: 'Fake reply using tool results: ',
  toolPrefix: 'fake',
  object: fakeObject,
  viaFake: true,
});
const cases: Case[] = [
  fakeCase('openai', 'openai/gpt-4o-mini'),
  fakeCase('anthropic', 'anthropic/claude-3-5-haiku-latest'),
  fakeCase('google', 'google/gemini-2.0-flash'),
  {
    provider: 'mock',
    model: 'mock/mock-1',
    reply: (q) => `Mock reply to: ${q}`,
    toolReply: 'Mock reply using tool result: ',
    toolPrefix: 'mock',
    object: {
      schema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'], additionalProperties: false },
      // The mock answers a value of the schema's shape: each string property is `mock-<name>`.
      value: { reply: 'mock-reply' },
      directive: '',
    },
    viaFake: false,
  },
];

describe.each(cases)('the AI SDK default provider (Responses API) on $provider', (c) => {
  it('generateText: the answer, its finish reason and usage', async () => {
    const prompt = `What is the capital of France, ${c.provider} via ai-sdk?`;
    const result = await sdk<{ text: string; finishReason: string; usage: { inputTokens: number; outputTokens: number }; responseId: string }>('generateText', c.model, { prompt });
    expect(result.text).toBe(c.reply(prompt));
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.responseId).toMatch(/^resp_/);
  });

  it('streamText: the same answer in several pieces', async () => {
    const prompt = `Tell me a story, ${c.provider} via ai-sdk`;
    const result = await sdk<{ pieces: number; text: string; finishReason: string; usage: { outputTokens: number } }>('streamText', c.model, { prompt });
    expect(result.text).toBe(c.reply(prompt));
    if (c.viaFake) expect(result.pieces).toBeGreaterThan(1);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('runs a tool and answers with its result in a second step', async () => {
    const result = await sdk<{ steps: number; toolCalls: Array<{ name: string; input: unknown }>; toolResults: unknown[]; text: string; finishReason: string }>('tools', c.model, {
      prompt: '[[fake tools=1]] What is the weather in Paris?',
    });
    expect(result.steps).toBe(2);
    expect(result.toolCalls).toEqual([{ name: 'get_weather', input: { location: `${c.toolPrefix}-location`, unit: 'celsius' } }]);
    expect(result.toolResults).toEqual([{ forecast: `sunny, 21 degrees in ${c.toolPrefix}-location` }]);
    expect(result.text).toContain(c.toolReply);
    expect(result.text).toContain('sunny, 21 degrees');
    expect(result.finishReason).toBe('stop');
  });

  it('continues a conversation whose earlier answer it names by item_reference', async () => {
    const prompt = `First question, ${c.provider}`;
    const followUp = `Second question, ${c.provider}`;
    const result = await sdk<{ first: string; second: string }>('conversation', c.model, { prompt, followUp });
    expect(result.first).toBe(c.reply(prompt));
    expect(result.second).toBe(c.reply(followUp));
    if (c.viaFake) {
      // The reference was expanded: the backend saw turn one's answer as the assistant's turn.
      const sent = JSON.stringify((await fakeStats(fake.url)).lastRequest!.body);
      expect(sent).toContain(c.reply(prompt));
    }
    // It was a reference, not the text: once turn one's stored response is deleted, turn two cannot resolve it.
    const gone = await outcomeOf('conversation', c.model, { prompt: `${prompt} again`, followUp, deleteFirst: true });
    expect(gone).toMatchObject({ ok: false, error: { statusCode: 404, message: expect.stringMatching(/^Item with id 'msg_[0-9a-f]{32}_0' not found\.$/) } });
  });

  it('generateObject: JSON that matches the schema', async () => {
    const result = await sdk<{ object: object; finishReason: string }>('object', c.model, { prompt: `${c.object.directive}Name a colour as JSON`, schema: c.object.schema });
    expect(result.object).toEqual(c.object.value);
    expect(result.finishReason).toBe('stop');
  });
});
