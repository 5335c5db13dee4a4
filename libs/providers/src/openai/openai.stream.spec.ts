import { HubError, SseParser, type ChatCompletionChunk, type SseEvent } from '@llm-connector-hub/core';
import { assemble, readFixture } from './fixtures';
import { OpenAITranslator } from './openai.translator';

/**
 * Drives the translator the way HttpChatProvider does: bytes through the SSE parser (in chunks of
 * `chunkSize` bytes), every event translated until the upstream says it is done, then finishStream.
 */
function runStream(text: string, chunkSize = Infinity): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const translator = new OpenAITranslator('openai');
  const state = translator.createStreamState();
  const parser = new SseParser();
  const bytes = new TextEncoder().encode(text);
  const events: SseEvent[] = [];
  const step = Math.min(chunkSize, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += step) events.push(...parser.push(bytes.subarray(i, i + step)));
  events.push(...parser.end());
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (const event of events) {
      if (translator.isStreamDone(state)) continue;
      chunks.push(...translator.fromStreamEvent(event, state));
    }
    chunks.push(...translator.finishStream(state));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

function runFixture(name: string, chunkSize?: number): ChatCompletionChunk[] {
  const { chunks, error } = runStream(readFixture(name), chunkSize);
  if (error) throw error;
  return chunks;
}

function dataEvents(name: string): number {
  return readFixture(name).split('\n').filter((line) => line.startsWith('data: {')).length;
}

describe('OpenAI stream translation', () => {
  describe('plain text (stream-text.sse)', () => {
    const chunks = runFixture('stream-text.sse');

    it('passes every chunk through, in order', () => {
      expect(chunks).toHaveLength(dataEvents('stream-text.sse'));
      expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    });

    it('reassembles the text, the finish reason and the usage', () => {
      const stream = assemble(chunks);
      expect(stream.choices).toEqual([{ content: 'Hello! How can I help you today?', toolCalls: [], finishReason: 'stop' }]);
      expect(stream.ids).toEqual(new Set(['chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc']));
      expect(stream.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 });
    });

    it('puts the finish_reason on the last content chunk and usage on a final usage-only chunk', () => {
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ total_tokens: 29 });
      expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    });

    it('gives the same chunks however the bytes arrive', () => {
      for (const size of [1, 2, 3, 7, 64, 333]) expect(runFixture('stream-text.sse', size)).toEqual(chunks);
    });
  });

  describe('one tool call with its arguments split over many chunks (stream-tool-call.sse)', () => {
    it('reassembles the call: id, name and arguments that parse as JSON', () => {
      const stream = assemble(runFixture('stream-tool-call.sse'));
      expect(stream.choices).toHaveLength(1);
      expect(stream.choices[0].finishReason).toBe('tool_calls');
      expect(stream.choices[0].content).toBe('');
      expect(stream.choices[0].toolCalls).toEqual([
        {
          id: 'call_qOfTGgDrItLORNfC6VwUbyLL',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' },
        },
      ]);
      expect(JSON.parse(stream.choices[0].toolCalls[0].function.arguments)).toEqual({ location: 'Paris, France', unit: 'celsius' });
      expect(stream.usage?.total_tokens).toBe(113);
    });

    it('keeps every argument fragment as its own delta (no buffering)', () => {
      const fragments = runFixture('stream-tool-call.sse').flatMap((chunk) =>
        chunk.choices.flatMap((choice) => choice.delta.tool_calls?.map((call) => call.function?.arguments) ?? []),
      );
      expect(fragments).toEqual(['', '{"', 'location', '":"', 'Paris', ',', ' France', '","', 'unit', '":"', 'c', 'elsius', '"}']);
    });
  });

  describe('parallel tool calls with two indexes interleaved (stream-parallel-tool-calls.sse)', () => {
    it('reassembles each call by its index', () => {
      const stream = assemble(runFixture('stream-parallel-tool-calls.sse', 5));
      const calls = stream.choices[0].toolCalls;
      expect(calls.map((call) => call.id)).toEqual(['call_8sHfK2mZr0yPqLwX1nB4cT6d', 'call_Vd3Jq9LkT5wEeR7uYa2Mn0Bx']);
      expect(calls.map((call) => call.function.name)).toEqual(['get_weather', 'get_weather']);
      expect(calls.map((call) => JSON.parse(call.function.arguments))).toEqual([{ location: 'Paris' }, { location: 'Tokyo' }]);
      expect(stream.choices[0].finishReason).toBe('tool_calls');
      expect(stream.usage?.total_tokens).toBe(133);
    });
  });

  describe('empty deltas and keep-alive comments (stream-empty-deltas.sse)', () => {
    it('keeps the empty chunks, ignores the comments and loses no text', () => {
      const chunks = runFixture('stream-empty-deltas.sse');
      expect(chunks).toHaveLength(dataEvents('stream-empty-deltas.sse'));
      const stream = assemble(chunks);
      expect(stream.choices).toEqual([{ content: 'Hi there', toolCalls: [], finishReason: 'length' }]);
      expect(stream.usage?.total_tokens).toBe(14);
    });
  });

  describe('an error inside the stream (stream-error.sse)', () => {
    it('delivers the chunks before it, then throws a 502 HubError with the upstream message', () => {
      const { chunks, error } = runStream(readFixture('stream-error.sse'));
      expect(assemble(chunks).choices[0].content).toBe('The answer');
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'upstream_error', upstreamStatus: 500, provider: 'openai' });
      expect((error as HubError).message).toContain('The server had an error while processing your request.');
      expect((error as HubError).retryable).toBe(true);
    });

    it('keeps the status an error event states', () => {
      const event = { data: JSON.stringify({ error: { message: 'Rate limit exceeded', type: 'rate_limit', status: 429 } }) };
      expect(() => new OpenAITranslator('groq').fromStreamEvent(event, new OpenAITranslator('groq').createStreamState())).toThrow(
        expect.objectContaining({ status: 429, code: 'upstream_rate_limited', message: 'groq returned HTTP 429: Rate limit exceeded' }),
      );
    });

    it.each([
      ['a string error', { error: 'CUDA out of memory' }, 'CUDA out of memory'],
      ['an error with a non-error status', { error: { message: 'odd', status: 200 } }, 'odd'],
    ])('reads %s as a 502', (_name, body, message) => {
      const translator = new OpenAITranslator('vllm');
      expect(() => translator.fromStreamEvent({ data: JSON.stringify(body) }, translator.createStreamState())).toThrow(
        expect.objectContaining({ status: 502, upstreamStatus: 500, message: `vllm returned HTTP 500: ${message}` }),
      );
    });

    it('reads an `event: error` frame as an error, not as a malformed chunk', () => {
      const translator = new OpenAITranslator('litellm');
      const event = { event: 'error', data: JSON.stringify({ message: 'Upstream model overloaded', status: 503 }) };
      expect(() => translator.fromStreamEvent(event, translator.createStreamState())).toThrow(
        expect.objectContaining({ status: 502, upstreamStatus: 503, message: 'litellm returned HTTP 503: Upstream model overloaded' }),
      );
    });

    it('does not mistake `"error": null` on a normal chunk for an error', () => {
      const translator = new OpenAITranslator('compat');
      const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: null }], error: null };
      expect(translator.fromStreamEvent({ data: JSON.stringify(chunk) }, translator.createStreamState())).toEqual([chunk]);
    });
  });

  describe('the end of the stream', () => {
    it('throws upstream_stream_interrupted when the stream stops before a finish_reason or [DONE] (stream-cut.sse)', () => {
      const { chunks, error } = runStream(readFixture('stream-cut.sse'));
      expect(assemble(chunks).choices[0].content).toBe('Once upon a time');
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_stream_interrupted', provider: 'openai' });
    });

    it('throws upstream_stream_interrupted for a stream without a single event', () => {
      expect(runStream('').error).toMatchObject({ code: 'upstream_stream_interrupted' });
      expect(runStream(': keep-alive\n\n').error).toMatchObject({ code: 'upstream_stream_interrupted' });
    });

    it('accepts a stream that ends after a finish_reason without [DONE] (stream-finish-no-done.sse)', () => {
      const stream = assemble(runFixture('stream-finish-no-done.sse'));
      expect(stream.choices).toEqual([{ content: 'Done.', toolCalls: [], finishReason: 'stop' }]);
      expect(stream.usage).toBeUndefined();
    });

    it('accepts [DONE] as the end and ignores anything after it', () => {
      const text = readFixture('stream-text.sse') + readFixture('stream-error.sse');
      const { chunks, error } = runStream(text);
      expect(error).toBeUndefined();
      expect(assemble(chunks).choices[0].content).toBe('Hello! How can I help you today?');
    });

    it('reports [DONE] through isStreamDone', () => {
      const translator = new OpenAITranslator('openai');
      const state = translator.createStreamState();
      expect(translator.isStreamDone(state)).toBe(false);
      expect(translator.fromStreamEvent({ data: '[DONE]' }, state)).toEqual([]);
      expect(translator.isStreamDone(state)).toBe(true);
      expect(translator.finishStream(state)).toEqual([]);
    });
  });

  describe('malformed events', () => {
    it.each([
      ['JSON cut in half', '{"id":"chatcmpl-1","choices":[{"ind'],
      ['plain text', 'Internal Server Error'],
      ['JSON null', 'null'],
      ['a JSON number', '42'],
      ['a chunk without choices', '{"id":"chatcmpl-1","object":"chat.completion.chunk"}'],
    ])('rejects %s as a bad upstream answer (502)', (_name, data) => {
      const translator = new OpenAITranslator('openai');
      let caught: unknown;
      try {
        translator.fromStreamEvent({ data }, translator.createStreamState());
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HubError);
      expect(caught).toMatchObject({ status: 502, code: 'upstream_bad_response' });
    });
  });

  describe("Azure's content-filter annotation (azure-stream-content-filter.sse)", () => {
    const chunks = runFixture('azure-stream-content-filter.sse');

    it('drops the prompt-filter chunk that has no choices and no usage', () => {
      expect(chunks.every((chunk) => chunk.id !== '' && chunk.object === 'chat.completion.chunk')).toBe(true);
      expect(chunks).toHaveLength(dataEvents('azure-stream-content-filter.sse') - 1);
    });

    it('keeps the content and the usage-only chunk as the only chunk without choices', () => {
      const stream = assemble(chunks);
      expect(stream.choices).toEqual([{ content: 'Hello!', toolCalls: [], finishReason: 'stop' }]);
      expect(chunks.filter((chunk) => chunk.choices.length === 0)).toEqual([
        expect.objectContaining({ usage: expect.objectContaining({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }) }),
      ]);
    });
  });
});
