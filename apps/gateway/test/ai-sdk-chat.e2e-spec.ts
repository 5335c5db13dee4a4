import { runEsmClient } from './support/esm-client';
import { NO_RETRY_NO_BREAKER, providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The Vercel AI SDK's `createOpenAI({ baseURL, apiKey }).chat(model)` (Chat Completions),
 * unmodified, against the openai, anthropic, google and mock routes over the fake provider. The
 * SDK is ESM-only: clients/ai-sdk-chat.mjs makes every call for one route in one child process,
 * and the tests assert its JSON answer.
 */
let fake: RunningProcess;
let gateway: RunningProcess;

const GATEWAY_KEY = 'gw-ai-sdk-chat-key-0123456789';
/** One client run: nine SDK calls in a fresh Node process that loads the SDK. */
const CLIENT_TIMEOUT_MS = 60_000;

beforeAll(async () => {
  fake = await startFakeProvider();
  // No cache: every call is answered by the provider, not by an earlier identical call. No
  // retries: the SDK sees each scripted upstream error at once, as the provider sent it.
  gateway = await startGateway({ providers: providersAt(fake.url), resilience: NO_RETRY_NO_BREAKER, cache: { type: 'none' } }, { LLM_HUB_API_KEYS: GATEWAY_KEY });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  totalTokens: number | undefined;
}
interface Step {
  finishReason: string;
  toolCalls: string[];
}
interface Failed {
  error: { name: string; message: string; statusCode?: number };
}
interface ApiError {
  name: string;
  statusCode: number;
  isRetryable: boolean;
  retryAfter?: string;
  message: string;
}
interface Results {
  generateText: { text: string; finishReason: string; usage: Usage };
  imageInput: { text: string; finishReason: string };
  streamedOutputObject: { partials: number; output: unknown; finishReason: string };
  rateLimited?: ApiError;
  badRequest?: ApiError;
  streamText: { parts: string[]; text: string; finishReason: string; usage: Usage };
  toolLoop: { calls: unknown[]; steps: Step[]; text: string };
  streamedToolLoop: { calls: unknown[]; inputDeltas: number; steps: Step[]; text: string };
  outputObject: { output: unknown; finishReason: string };
  generateObject: { object: unknown; finishReason: string };
  embed: { one: number[]; many: number[][]; usage: { tokens: number } } | Failed;
}

interface Route {
  provider: string;
  model: string;
  embeddingModel?: string;
  /** The fake's (and the mock's) deterministic answers. */
  reply: (question: string) => string;
  prefix: string;
  /** Gemini sends each functionCall whole: its arguments arrive as one delta. */
  wholeToolCalls?: true;
  /** Served by the fake provider, whose prompt directives script upstream errors. */
  viaFake: boolean;
}

const routes: Route[] = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', embeddingModel: 'openai/text-embedding-3-small', reply: (q) => `Fake reply to: ${q}`, prefix: 'fake', viaFake: true },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', reply: (q) => `Fake reply to: ${q}`, prefix: 'fake', viaFake: true },
  { provider: 'google', model: 'google/gemini-2.0-flash', embeddingModel: 'google/text-embedding-004', reply: (q) => `Fake reply to: ${q}`, prefix: 'fake', wholeToolCalls: true, viaFake: true },
  { provider: 'mock', model: 'mock/mock-1', embeddingModel: 'mock/mock-1', reply: (q) => `Mock reply to: ${q}`, prefix: 'mock', viaFake: false },
];

describe.each(routes)('$provider through the AI SDK .chat() model', (route) => {
  let results: Results;

  beforeAll(async () => {
    const input = { baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, model: route.model, embeddingModel: route.embeddingModel, viaFake: route.viaFake };
    results = await runEsmClient<Results>('ai-sdk-chat', input, CLIENT_TIMEOUT_MS);
  }, CLIENT_TIMEOUT_MS + 10_000);

  it('generateText: the text, finishReason and usage', () => {
    expect(results.generateText).toMatchObject({ text: route.reply('What is the capital of France?'), finishReason: 'stop' });
    const usage = results.generateText.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
  });

  it('streamText: the text in several parts, then finishReason and usage (stream_options.include_usage)', () => {
    const streamed = results.streamText;
    expect(streamed.parts.length).toBeGreaterThan(1);
    expect(streamed.parts.join('')).toBe(route.reply('Tell me a story'));
    expect(streamed.text).toBe(route.reply('Tell me a story'));
    expect(streamed.finishReason).toBe('stop');
    expect(streamed.usage.outputTokens).toBeGreaterThan(0);
    expect(streamed.usage.inputTokens).toBeGreaterThan(0);
  });

  it('a user message with an image part', () => {
    expect(results.imageInput).toEqual({ text: route.reply('Describe this image'), finishReason: 'stop' });
  });

  it.each(['toolLoop', 'streamedToolLoop'] as const)('%s: a two-step tool loop (execute, then the answer using its result)', (name) => {
    const loop = results[name];
    expect(loop.calls).toEqual([{ location: `${route.prefix}-location`, unit: 'celsius' }]);
    expect(loop.steps).toEqual([
      { finishReason: 'tool-calls', toolCalls: ['get_weather'] },
      { finishReason: 'stop', toolCalls: [] },
    ]);
    expect(loop.text).toContain('sunny, 21 degrees');
  });

  it('streams tool-call arguments as deltas the SDK assembles', () => {
    const deltas = results.streamedToolLoop.inputDeltas;
    if (route.wholeToolCalls) expect(deltas).toBeGreaterThanOrEqual(1);
    else expect(deltas).toBeGreaterThan(1);
  });

  it('Output.object and generateObject with a zod schema', () => {
    const expected = { city: `${route.prefix}-city`, population: 1, capital: true };
    expect(results.outputObject).toEqual({ output: expected, finishReason: 'stop' });
    expect(results.generateObject).toEqual({ object: expected, finishReason: 'stop' });
    expect(results.streamedOutputObject).toMatchObject({ output: expected, finishReason: 'stop' });
    expect(results.streamedOutputObject.partials).toBeGreaterThanOrEqual(1);
  });

  if (route.viaFake) {
    it("an upstream 429 is the SDK's retryable APICallError with its Retry-After; an upstream 400 is not retryable", () => {
      expect(results.rateLimited).toMatchObject({ name: 'AI_APICallError', statusCode: 429, isRetryable: true, retryAfter: '3' });
      expect(results.badRequest).toMatchObject({ name: 'AI_APICallError', statusCode: 400, isRetryable: false });
    });
  }

  it(route.embeddingModel ? 'embed and embedMany through .embedding(model)' : 'embed fails with the gateway\'s clear 400', () => {
    const embedded = results.embed;
    if (route.embeddingModel === undefined) {
      expect(embedded).toMatchObject({ error: { name: 'AI_APICallError', statusCode: 400 } });
      expect((embedded as Failed).error.message).toMatch(/embedding/i);
      return;
    }
    if ('error' in embedded) throw new Error(`embedding failed: ${embedded.error.message}`);
    expect(embedded.one.length).toBeGreaterThan(0);
    expect(embedded.many).toHaveLength(2);
    embedded.many[0].forEach((value, i) => expect(value).toBeCloseTo(embedded.one[i], 5));
    expect(embedded.many[1]).not.toEqual(embedded.many[0]);
  });
});
