import {
  HubError,
  type ChatCompletionChunk,
  type ChatRequest,
  type ProviderCallContext,
  type ToolDefinition,
} from '@llm-connector-hub/core';
import { rejectionOf } from '@llm-connector-hub/testing';
import { MockProvider } from './mock.provider';

function ctx(signal: AbortSignal = new AbortController().signal): ProviderCallContext {
  return { signal, requestId: 'req-test' };
}

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'mock-1', messages: [{ role: 'user', content: 'What is the weather in Paris' }], ...overrides };
}

async function collect(provider: MockProvider, req: ChatRequest, context = ctx()): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of provider.stream(req, context)) chunks.push(chunk);
  return chunks;
}

const weatherTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer' },
        lat: { type: 'number' },
        detailed: { type: 'boolean' },
        hours: { type: 'array', items: { type: 'number' } },
        extra: { type: 'object' },
      },
    },
  },
};
const timeTool: ToolDefinition = { type: 'function', function: { name: 'get_time' } };

describe('MockProvider', () => {
  it('advertises its default models or the configured ones', () => {
    expect(new MockProvider().models).toEqual(['mock-1', 'mock-fast']);
    expect(new MockProvider({ models: ['a'] }).models).toEqual(['a']);
    expect(new MockProvider().type).toBe('mock');
  });

  describe('complete', () => {
    it('answers deterministically to the last user message, with usage counted in words', async () => {
      const provider = new MockProvider();
      const req = request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first question' },
          { role: 'assistant', content: 'first answer' },
          { role: 'user', content: [{ type: 'text', text: 'second question' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        ],
      });
      const a = await provider.complete(req, ctx());
      const b = await provider.complete(req, ctx());
      expect(a.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'Mock reply to: second question' }, finish_reason: 'stop' }]);
      expect(b.choices).toEqual(a.choices);
      expect(a.usage).toEqual({ prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 });
      expect(b.usage).toEqual(a.usage);
      expect(a).toMatchObject({ object: 'chat.completion', model: 'mock-1' });
      expect(a.id).toMatch(/^chatcmpl-/);
    });

    it("cuts the reply to max_tokens words with finish_reason 'length'", async () => {
      const provider = new MockProvider();
      const cut = await provider.complete(request({ max_tokens: 3 }), ctx());
      expect(cut.choices[0].message.content).toBe('Mock reply to:');
      expect(cut.choices[0].finish_reason).toBe('length');
      expect(cut.usage?.completion_tokens).toBe(3);

      const newer = await provider.complete(request({ max_completion_tokens: 2 }), ctx());
      expect(newer.choices[0].message.content).toBe('Mock reply');
      expect(newer.choices[0].finish_reason).toBe('length');

      const roomy = await provider.complete(request({ max_tokens: 100 }), ctx());
      expect(roomy.choices[0]).toMatchObject({ message: { content: 'Mock reply to: What is the weather in Paris' }, finish_reason: 'stop' });
    });

    it('calls the first tool with arguments that fit its schema', async () => {
      const completion = await new MockProvider().complete(request({ tools: [weatherTool, timeTool] }), ctx());
      const choice = completion.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls).toHaveLength(1);
      const call = choice.message.tool_calls![0];
      expect(call).toMatchObject({ id: 'call_mock_get_weather', type: 'function', function: { name: 'get_weather' } });
      expect(JSON.parse(call.function.arguments)).toEqual({
        city: 'mock-city',
        unit: 'celsius',
        days: 1,
        lat: 1,
        detailed: true,
        hours: [],
        extra: {},
      });
    });

    it('calls the tool named by tool_choice, with {} for a tool without parameters', async () => {
      const completion = await new MockProvider().complete(
        request({ tools: [weatherTool, timeTool], tool_choice: { type: 'function', function: { name: 'get_time' } } }),
        ctx(),
      );
      expect(completion.choices[0].message.tool_calls?.[0].function).toEqual({ name: 'get_time', arguments: '{}' });
    });

    it("answers in text with tool_choice 'none'", async () => {
      const completion = await new MockProvider().complete(request({ tools: [weatherTool], tool_choice: 'none' }), ctx());
      expect(completion.choices[0]).toEqual({
        index: 0,
        message: { role: 'assistant', content: 'Mock reply to: What is the weather in Paris' },
        finish_reason: 'stop',
      });
    });

    it('answers a tool result turn with text that uses the result', async () => {
      const completion = await new MockProvider().complete(
        request({
          tools: [weatherTool],
          messages: [
            { role: 'user', content: 'Weather in Paris?' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: '18C and sunny' },
          ],
        }),
        ctx(),
      );
      expect(completion.choices[0]).toEqual({
        index: 0,
        message: { role: 'assistant', content: 'Mock reply using tool result: 18C and sunny' },
        finish_reason: 'stop',
      });
    });

    it("answers a value of the json_schema's shape, so an SDK's parse() accepts it", async () => {
      const provider = new MockProvider();
      const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'number' }, capital: { type: 'boolean' } }, required: ['city', 'population', 'capital'] };
      const answer = await provider.complete(request({ response_format: { type: 'json_schema', json_schema: { name: 'city', schema } } }), ctx());
      expect(JSON.parse(answer.choices[0].message.content!)).toEqual({ city: 'mock-city', population: 1, capital: true });
    });

    it('answers JSON when a JSON response_format is asked for, text otherwise', async () => {
      const provider = new MockProvider();
      const json = await provider.complete(request({ response_format: { type: 'json_object' } }), ctx());
      expect(JSON.parse(json.choices[0].message.content!)).toEqual({ reply: 'Mock reply to: What is the weather in Paris' });
      const schema = await provider.complete(
        request({ response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } } }),
        ctx(),
      );
      expect(JSON.parse(schema.choices[0].message.content!)).toHaveProperty('reply');
      const text = await provider.complete(request({ response_format: { type: 'text' } }), ctx());
      expect(text.choices[0].message.content).toBe('Mock reply to: What is the weather in Paris');
    });
  });

  describe('stream', () => {
    it('sends a role chunk, chunkCount content chunks that reassemble the reply, a finish chunk and a usage-only chunk', async () => {
      const provider = new MockProvider({ chunkCount: 4 });
      const whole = await provider.complete(request(), ctx());
      const chunks = await collect(provider, request());
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      const content = chunks.slice(1, -2);
      expect(content).toHaveLength(4);
      expect(content.map((c) => c.choices[0].delta.content).join('')).toBe(whole.choices[0].message.content);
      expect(content.every((c) => c.choices[0].finish_reason === null)).toBe(true);
      expect(chunks.at(-2)!.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
      const usage = chunks.at(-1)!;
      expect(usage.choices).toEqual([]);
      expect(usage.usage).toEqual(whole.usage);
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'mock-1')).toBe(true);
    });

    it("ends a cut reply with finish_reason 'length'", async () => {
      const chunks = await collect(new MockProvider(), request({ max_tokens: 2 }));
      expect(chunks.slice(1, -2).map((c) => c.choices[0].delta.content).join('')).toBe('Mock reply');
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
    });

    it('splits tool call arguments across chunks; the first names the call', async () => {
      const provider = new MockProvider({ chunkCount: 3 });
      const whole = await provider.complete(request({ tools: [weatherTool] }), ctx());
      const chunks = await collect(provider, request({ tools: [weatherTool] }));
      const deltas = chunks.slice(1, -2).map((c) => c.choices[0].delta.tool_calls![0]);
      expect(deltas).toHaveLength(3);
      expect(deltas[0]).toMatchObject({ index: 0, id: 'call_mock_get_weather', type: 'function', function: { name: 'get_weather' } });
      for (const later of deltas.slice(1)) {
        expect(later).toEqual({ index: 0, function: { arguments: expect.any(String) } });
      }
      const args = deltas.map((d) => d.function!.arguments).join('');
      expect(args).toBe(whole.choices[0].message.tool_calls![0].function.arguments);
      expect(JSON.parse(args)).toHaveProperty('city', 'mock-city');
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
      expect(chunks.at(-1)!.usage).toEqual(whole.usage);
    });
  });

  describe('injected failures', () => {
    it('fails every Nth request, complete and stream alike, like an upstream 5xx', async () => {
      const provider = new MockProvider({ name: 'flaky', failEvery: 3 });
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const call = i % 2 === 0 ? provider.complete(request(), ctx()) : collect(provider, request());
        outcomes.push(await call.then(() => 'ok', (error: HubError) => `${error.status} ${error.code}`));
      }
      expect(outcomes).toEqual(['ok', 'ok', '502 upstream_error', 'ok', 'ok', '502 upstream_error']);
      const error = (await rejectionOf(new MockProvider({ name: 'flaky', failEvery: 1 }).complete(request(), ctx()))) as HubError;
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ provider: 'flaky', upstreamStatus: 500, retryable: true });
    });

    it('fails with failStatus', async () => {
      const error = await rejectionOf(new MockProvider({ failEvery: 1, failStatus: 429 }).complete(request(), ctx()));
      expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited', upstreamStatus: 429 });
    });

    it('fails a stream before its first chunk, or after it with failMidStream', async () => {
      const before = new MockProvider({ failEvery: 1 }).stream(request(), ctx());
      expect(await rejectionOf(before.next())).toMatchObject({ code: 'upstream_error' });

      const mid = new MockProvider({ failEvery: 1, failMidStream: true }).stream(request(), ctx());
      expect((await mid.next()).value?.choices[0].delta.role).toBe('assistant');
      expect(await rejectionOf(mid.next())).toMatchObject({ code: 'upstream_stream_interrupted', status: 502 });
    });
  });

  describe('latency', () => {
    it('waits latencyMs before answering', async () => {
      const started = performance.now();
      await new MockProvider({ latencyMs: 40 }).complete(request(), ctx());
      expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    });

    it("stops waiting when the signal aborts and throws the signal's reason", async () => {
      const controller = new AbortController();
      const reason = new DOMException('gone', 'AbortError');
      const pending = new MockProvider({ latencyMs: 10_000 }).complete(request(), ctx(controller.signal));
      setTimeout(() => controller.abort(reason), 10);
      const started = performance.now();
      expect(await rejectionOf(pending)).toBe(reason);
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it('does not answer at all on an already aborted signal', async () => {
      const controller = new AbortController();
      controller.abort();
      const provider = new MockProvider();
      expect(await rejectionOf(provider.complete(request(), ctx(controller.signal)))).toBe(controller.signal.reason);
      expect(await rejectionOf(provider.stream(request(), ctx(controller.signal)).next())).toBe(controller.signal.reason);
      expect(await rejectionOf(provider.embed({ model: 'e', input: 'x' }, ctx(controller.signal)))).toBe(controller.signal.reason);
    });

    it('stops a stream between chunks when the signal aborts', async () => {
      const controller = new AbortController();
      const stream = new MockProvider({ chunkDelayMs: 10_000 }).stream(request(), ctx(controller.signal));
      await stream.next();
      setTimeout(() => controller.abort(), 10);
      expect(await rejectionOf(stream.next())).toBe(controller.signal.reason);
    });
  });

  describe('embed', () => {
    const provider = new MockProvider();

    it('gives the same unit vector for the same text and a different one for other text', async () => {
      const a = await provider.embed({ model: 'e', input: 'hello world' }, ctx());
      const b = await provider.embed({ model: 'e', input: 'hello world' }, ctx());
      const c = await provider.embed({ model: 'e', input: 'goodbye' }, ctx());
      expect(b.data).toEqual(a.data);
      expect(c.data[0].embedding).not.toEqual(a.data[0].embedding);
      const vector = a.data[0].embedding as number[];
      expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
      expect(a).toMatchObject({ object: 'list', model: 'e', usage: { prompt_tokens: 2, total_tokens: 2 } });
    });

    it("answers encoding_format base64 as OpenAI does: the same vector as little-endian float32s", async () => {
      const floats = (await provider.embed({ model: 'e', input: 'hello world' }, ctx())).data[0].embedding as number[];
      const encoded = (await provider.embed({ model: 'e', input: 'hello world', encoding_format: 'base64' }, ctx())).data[0].embedding;
      expect(typeof encoded).toBe('string');
      const bytes = Buffer.from(encoded as string, 'base64');
      const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(decoded).toHaveLength(floats.length);
      decoded.forEach((value, i) => expect(value).toBeCloseTo(floats[i], 6));
    });

    it('has 8 dimensions by default and the asked number otherwise', async () => {
      expect((await provider.embed({ model: 'e', input: 'x' }, ctx())).data[0].embedding).toHaveLength(8);
      expect((await provider.embed({ model: 'e', input: 'x', dimensions: 256 }, ctx())).data[0].embedding).toHaveLength(256);
    });

    it('embeds each string of an array, in order', async () => {
      const result = await provider.embed({ model: 'e', input: ['one', 'two', 'one'] }, ctx());
      expect(result.data.map((d) => [d.object, d.index])).toEqual([
        ['embedding', 0],
        ['embedding', 1],
        ['embedding', 2],
      ]);
      expect(result.data[2].embedding).toEqual(result.data[0].embedding);
      expect(result.usage.prompt_tokens).toBe(3);
    });

    it('embeds a token array as one input and an array of token arrays as one input each', async () => {
      const single = await provider.embed({ model: 'e', input: [101, 2023, 102] }, ctx());
      expect(single.data).toHaveLength(1);
      expect(single.usage.prompt_tokens).toBe(3);
      const many = await provider.embed({ model: 'e', input: [[101, 2023], [7]] }, ctx());
      expect(many.data.map((d) => d.index)).toEqual([0, 1]);
      expect(many.usage.prompt_tokens).toBe(3);
      expect(many.data[0].embedding).not.toEqual(many.data[1].embedding);
    });
  });
});
