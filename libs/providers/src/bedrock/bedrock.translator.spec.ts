import { HubError, SseEventTooLargeError, type ChatCompletionChunk, type ChatRequest } from '@llm-connector-hub/core';
import { BEDROCK_EVENT_STREAM_FORMAT, encodeBedrockEvent } from './bedrock.event-stream';
import { BedrockTranslator } from './bedrock.translator';
import { eventStreamBytes, readJsonFixture } from './fixtures/load-fixture';

const translator = new BedrockTranslator('bedrock');
const plain: ChatRequest = { model: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: [{ role: 'user', content: 'Hi' }] };
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

/** Piece sizes: 1 byte splits every prelude, header and multi-byte character; 4096 delivers whole messages. */
const PIECE_SIZES = [1, 5, 13, 64, 4096];

/** Drives the decoder and the translator like HttpChatProvider.stream does, the bytes arriving in pieces. */
function replay(bytes: Buffer, pieceSize: number, request: ChatRequest = plain): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const decoder = BEDROCK_EVENT_STREAM_FORMAT.createDecoder(1024 * 1024);
  const state = translator.createStreamState(request);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (let at = 0; at < bytes.length; at += pieceSize) {
      for (const event of decoder.push(bytes.subarray(at, at + pieceSize))) {
        if (!translator.isStreamDone(state)) chunks.push(...translator.fromStreamEvent(event, state));
      }
    }
    for (const event of decoder.end()) chunks.push(...translator.fromStreamEvent(event, state));
    chunks.push(...translator.finishStream(state));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('toBedrockRequest', () => {
  it('puts system text apart, merges repeated roles, and maps the inference settings', () => {
    const body = translator.toWireRequest({
      ...plain,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'user', content: [{ type: 'text', text: 'Two' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
    });
    expect(body).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: 'One' }, { text: 'Two' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
  });

  it('sends tool calls and their results as toolUse and toolResult blocks, with the tools declared', () => {
    const body = translator.toWireRequest({
      ...plain,
      tools: [weather],
      tool_choice: 'required',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'tooluse_1', content: 'Sunny' },
      ],
    });
    expect(body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'Sunny' }] } }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: weather.function.parameters } } }], toolChoice: { any: {} } },
    });
  });

  it('encodes the model id into the path (its `:` included)', () => {
    expect(translator.chatPath(plain, false)).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    expect(translator.chatPath(plain, true)).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream');
  });

  it('refuses what Converse cannot do with a 400 naming the field', () => {
    const refused = (request: ChatRequest) => {
      try {
        translator.toWireRequest(request);
      } catch (error) {
        return error as HubError;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ ...plain, n: 2 })).toMatchObject({ status: 400, param: 'n' });
    expect(refused({ ...plain, response_format: { type: 'json_object' } })).toMatchObject({ status: 400, param: 'response_format' });
    expect(refused({ ...plain, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] })).toMatchObject({
      status: 400,
      param: 'messages[0].content[0].image_url.url',
    });
  });
});

describe('fromBedrockResponse', () => {
  it('turns a text answer into a completion with usage', () => {
    const completion = translator.fromWireResponse(readJsonFixture('response-text.json'), plain);
    expect(completion.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 });
  });

  it('turns toolUse blocks into tool calls, and counts cached prompt tokens in the prompt', () => {
    const completion = translator.fromWireResponse(readJsonFixture('response-tool-use.json'), plain);
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls).toEqual([
      { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 480, completion_tokens: 55, prompt_tokens_details: { cached_tokens: 100 } });
  });

  it("reads Bedrock's error message", () => {
    expect(translator.errorMessage(readJsonFixture('error-validation.json'))).toMatch(/^A conversation must alternate/);
  });
});

describe.each(PIECE_SIZES)('ConverseStream in pieces of %i bytes', (pieceSize) => {
  it('streams text: role first, the text, finish_reason, then a usage-only chunk', () => {
    const { chunks, error } = replay(eventStreamBytes('stream-text.events.json'), pieceSize);
    expect(error).toBeUndefined();
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(text(chunks)).toBe('Hello! Grüße 👋');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 7 } });
  });

  it('streams tool calls with stable indexes, and `{}` for a tool without input', () => {
    const { chunks, error } = replay(eventStreamBytes('stream-tool-use.events.json'), pieceSize);
    expect(error).toBeUndefined();
    const calls: Record<number, { id?: string; name?: string; arguments: string }> = {};
    for (const chunk of chunks) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { arguments: '' });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name = call.function.name;
        slot.arguments += call.function?.arguments ?? '';
      }
    }
    expect(calls).toEqual({ 0: { id: 'tooluse_a1', name: 'get_weather', arguments: '{"city":"Paris"}' }, 1: { id: 'tooluse_b2', name: 'get_time', arguments: '{}' } });
    expect(text(chunks)).toBe('Checking.');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('ends with the status of an exception message (throttling: 429)', () => {
    const { chunks, error } = replay(eventStreamBytes('stream-exception.events.json'), pieceSize);
    expect(text(chunks)).toBe('Once');
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ upstreamStatus: 429 });
    expect((error as HubError).message).toContain('Too many requests');
  });

  it('reports a stream cut before messageStop as interrupted', () => {
    const bytes = eventStreamBytes('stream-truncated.events.json');
    const { error } = replay(bytes.subarray(0, bytes.length - 3), pieceSize);
    expect(error).toMatchObject({ code: 'upstream_stream_interrupted' });
  });
});

describe('the event stream decoder', () => {
  it('refuses a message larger than maxEventBytes from its prelude, before reading it', () => {
    const decoder = BEDROCK_EVENT_STREAM_FORMAT.createDecoder(64);
    const big = encodeBedrockEvent('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x'.repeat(500) } });
    expect(() => decoder.push(big.subarray(0, 4))).toThrow(SseEventTooLargeError);
  });

  it('counts each whole message as progress (the idle clock), not each byte', () => {
    const decoder = BEDROCK_EVENT_STREAM_FORMAT.createDecoder(1024);
    const message = encodeBedrockEvent('event', 'messageStart', { role: 'assistant' });
    decoder.push(message.subarray(0, 10));
    expect(decoder.progress).toBe(0);
    decoder.push(message.subarray(10));
    expect(decoder.progress).toBe(1);
  });
});
