import type { ChatCompletionChunk, ChatRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { AnthropicTranslator } from './anthropic.translator';
import type { AnthropicStreamState } from './anthropic.stream';
import { fixtureText, sseEventsOf } from './fixtures/load-fixture';

const plain: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], stream: true };
const jsonSchemaRequest: ChatRequest = {
  ...plain,
  response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object', properties: { city: { type: 'string' } } } } },
};

/** Piece sizes: 1 byte splits every multi-byte character; 4096 delivers whole events. */
const PIECE_SIZES = [1, 3, 7, 64, 4096];

interface Replay {
  chunks: ChatCompletionChunk[];
  state: AnthropicStreamState;
  /** Thrown by an event (error event) or by finishStream (cut stream). */
  error?: unknown;
}

/** Drives the translator exactly like HttpChatProvider.stream does. */
function replay(text: string, request: ChatRequest = plain, pieceSize = 7): Replay {
  const translator = new AnthropicTranslator('anthropic');
  const state = translator.createStreamState(request);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (const event of sseEventsOf(text, pieceSize)) {
      if (translator.isStreamDone(state)) continue;
      chunks.push(...translator.fromStreamEvent(event, state));
    }
    chunks.push(...translator.finishStream(state));
  } catch (error) {
    return { chunks, state, error };
  }
  return { chunks, state };
}

/** What an OpenAI client rebuilds from the chunks. */
function assemble(chunks: ChatCompletionChunk[]) {
  let content = '';
  const toolCalls: Array<{ id?: string; type?: string; name?: string; arguments: string }> = [];
  const finishReasons: string[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      if (typeof choice.delta.content === 'string') content += choice.delta.content;
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (toolCalls[call.index] ??= { arguments: '' });
        if (call.id) slot.id = call.id;
        if (call.type) slot.type = call.type;
        if (call.function?.name) slot.name = call.function.name;
        slot.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) finishReasons.push(choice.finish_reason);
    }
  }
  const usageChunks = chunks.filter((chunk) => chunk.choices.length === 0);
  return { content, toolCalls, finishReasons, usageChunks };
}

function hubError(error: unknown): HubError {
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('anthropic stream translation', () => {
  describe.each(PIECE_SIZES)('fed in %i-byte pieces', (pieceSize) => {
    it('streams plain text: role chunk first, text in order, finish_reason, then usage', () => {
      const { chunks, error } = replay(fixtureText('stream-text.sse'), plain, pieceSize);
      expect(error).toBeUndefined();
      expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      const { content, toolCalls, finishReasons, usageChunks } = assemble(chunks);
      expect(content).toBe('Hello! It is 18°C in Paris today ☀️, a good day for a walk.');
      expect(toolCalls).toEqual([]);
      expect(finishReasons).toEqual(['stop']);
      // The finish_reason is on the last content chunk; usage comes alone, last.
      expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
      expect(usageChunks).toEqual([chunks[chunks.length - 1]]);
      expect(usageChunks[0].usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } });
    });

    it('reassembles tool arguments split across many input_json_delta events', () => {
      const { chunks, error } = replay(fixtureText('stream-tool-use.sse'), plain, pieceSize);
      expect(error).toBeUndefined();
      const { content, toolCalls, finishReasons, usageChunks } = assemble(chunks);
      expect(content).toBe("Okay, let's check the weather for San Francisco, CA:");
      // Content block 1 is the first tool call, so its OpenAI index is 0.
      expect(toolCalls).toHaveLength(1);
      expect(toolCalls[0]).toMatchObject({ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', name: 'get_weather' });
      expect(JSON.parse(toolCalls[0].arguments)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
      expect(finishReasons).toEqual(['tool_calls']);
      expect(usageChunks[0].usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 });
    });

    it('numbers parallel tool calls 0 and 1 whatever their content block index', () => {
      const { chunks, error } = replay(fixtureText('stream-parallel-tools.sse'), plain, pieceSize);
      expect(error).toBeUndefined();
      const { toolCalls, finishReasons, usageChunks } = assemble(chunks);
      expect(toolCalls.map(({ id, name }) => ({ id, name }))).toEqual([
        { id: 'toolu_01VHs8yMUnGfnFUxyDBVi3jQ', name: 'get_weather' },
        { id: 'toolu_01CGmLk9o2AqCs5EzkHbMNFm', name: 'get_time' },
      ]);
      expect(JSON.parse(toolCalls[0].arguments)).toEqual({ location: 'Tokyo, Japan', unit: 'celsius' });
      expect(JSON.parse(toolCalls[1].arguments)).toEqual({ timezone: 'Asia/Tokyo' });
      expect(finishReasons).toEqual(['tool_calls']);
      expect(usageChunks[0].usage).toEqual({
        prompt_tokens: 631 + 1024,
        completion_tokens: 112,
        total_tokens: 631 + 1024 + 112,
        prompt_tokens_details: { cached_tokens: 1024 },
      });
    });
  });

  it('forwards argument fragments in order, sending id and name only on the first delta of a call', () => {
    const { chunks } = replay(fixtureText('stream-parallel-tools.sse'));
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(deltas).toEqual([
      { index: 0, id: 'toolu_01VHs8yMUnGfnFUxyDBVi3jQ', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"locatio' } },
      { index: 0, function: { arguments: 'n": "Tokyo, ' } },
      { index: 0, function: { arguments: 'Japan"' } },
      { index: 0, function: { arguments: ', "unit": "celsius"}' } },
      { index: 1, id: 'toolu_01CGmLk9o2AqCs5EzkHbMNFm', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 1, function: { arguments: '{"timezone": ' } },
      { index: 1, function: { arguments: '"Asia/Tok' } },
      { index: 1, function: { arguments: 'yo"}' } },
    ]);
  });

  it('gives every chunk the message id, model, created and object of the stream', () => {
    const { chunks } = replay(fixtureText('stream-tool-use.sse'));
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        object: 'chat.completion.chunk',
        model: 'claude-sonnet-4-5-20250929',
        created: chunks[0].created,
      });
    }
  });

  it('emits nothing for pings and empty deltas, and closes a parameterless tool call with {}', () => {
    const { chunks, error } = replay(fixtureText('stream-empty-deltas-pings.sse'), plain, 5);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? 'usage')).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking the date.' },
      { tool_calls: [{ index: 0, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', type: 'function', function: { name: 'get_current_date', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{}' } }] },
      {},
      'usage',
    ]);
    const { toolCalls, finishReasons } = assemble(chunks);
    expect(JSON.parse(toolCalls[0].arguments)).toEqual({});
    expect(finishReasons).toEqual(['tool_calls']);
  });

  it('ignores thinking blocks, thinking_delta and signature_delta', () => {
    const { chunks, error } = replay(fixtureText('stream-thinking.sse'), plain, 3);
    expect(error).toBeUndefined();
    const { content, finishReasons, usageChunks } = assemble(chunks);
    expect(content).toBe('27 * 453 = 12,231');
    expect(JSON.stringify(chunks)).not.toContain('step by step');
    expect(JSON.stringify(chunks)).not.toContain('EqQBCgIYAhIM');
    expect(finishReasons).toEqual(['stop']);
    // This message_start carries no usage: output tokens still come from message_delta.
    expect(usageChunks[0].usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 263 });
  });

  it('delivers the text before an error event, then fails with the mapped upstream error', () => {
    const { chunks, error } = replay(fixtureText('stream-error.sse'), plain, 4);
    expect(assemble(chunks).content).toBe('Once upon a time, in a quiet village');
    expect(assemble(chunks).finishReasons).toEqual([]);
    const failure = hubError(error);
    expect(failure.upstreamStatus).toBe(529);
    expect(failure.status).toBe(502);
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe('anthropic returned HTTP 529: Overloaded');
  });

  it('fails with upstream_stream_interrupted when the connection drops mid-event before message_stop', () => {
    const { chunks, state, error } = replay(fixtureText('stream-truncated.sse'), plain, 6);
    expect(assemble(chunks).content).toBe('The three primary colours are red, yellow');
    expect(assemble(chunks).finishReasons).toEqual([]);
    expect(state.done).toBe(false);
    const failure = hubError(error);
    expect(failure.code).toBe('upstream_stream_interrupted');
    expect(failure.status).toBe(502);
  });

  it('fails with upstream_stream_interrupted when the stream ends cleanly between events but before message_stop', () => {
    const text = fixtureText('stream-text.sse');
    const { chunks, error } = replay(text.slice(0, text.indexOf('event: message_stop')));
    expect(assemble(chunks).finishReasons).toEqual(['stop']);
    expect(hubError(error).code).toBe('upstream_stream_interrupted');
  });

  it('reports an unreadable event followed by more events as a bad upstream response', () => {
    const text = fixtureText('stream-text.sse').replace('"text":"Hello"}}', '"text":"Hello"');
    expect(hubError(replay(text).error).code).toBe('upstream_bad_response');
  });

  it('skips event, block and delta types it does not know (forward compatibility)', () => {
    const unknown = [
      'event: message_annotation\ndata: {"type":"message_annotation","note":"new"}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":7,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":7,"delta":{"type":"input_json_delta","partial_json":"{\\"query\\": \\"x\\"}"}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{"type":"char_location"}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"sparkle_delta","sparkle":"*"}}\n\n',
    ].join('');
    const text = fixtureText('stream-text.sse').replace('event: ping', `${unknown}event: ping`);
    const { chunks, error } = replay(text);
    expect(error).toBeUndefined();
    const { content, toolCalls } = assemble(chunks);
    expect(content).toBe('Hello! It is 18°C in Paris today ☀️, a good day for a walk.');
    expect(toolCalls).toEqual([]);
  });

  it('marks the stream done at message_stop so later bytes are not translated', () => {
    const translator = new AnthropicTranslator('anthropic');
    const state = translator.createStreamState(plain);
    for (const event of sseEventsOf(fixtureText('stream-text.sse'), 4096)) {
      expect(translator.isStreamDone(state)).toBe(false);
      translator.fromStreamEvent(event, state);
    }
    expect(translator.isStreamDone(state)).toBe(true);
    expect(translator.finishStream(state)).toEqual([]);
  });

  describe('response_format', () => {
    it('streams the answer tool input as content, with finish_reason stop and no tool calls', () => {
      const { chunks, error } = replay(fixtureText('stream-json-response.sse'), jsonSchemaRequest, 3);
      expect(error).toBeUndefined();
      const { content, toolCalls, finishReasons } = assemble(chunks);
      expect(JSON.parse(content)).toEqual({ city: 'Paris', temperature_c: 18, conditions: ['light rain'] });
      expect(toolCalls).toEqual([]);
      expect(finishReasons).toEqual(['stop']);
    });

    it.each(PIECE_SIZES)('streams only the answer tool input when a text block comes first (%i-byte pieces)', (pieceSize) => {
      const { chunks, error } = replay(fixtureText('stream-json-response-preamble.sse'), jsonSchemaRequest, pieceSize);
      expect(error).toBeUndefined();
      const { content, toolCalls, finishReasons } = assemble(chunks);
      expect(JSON.parse(content)).toEqual({ city: 'Paris', temperature_c: 18, conditions: ['light rain'] });
      expect(toolCalls).toEqual([]);
      expect(finishReasons).toEqual(['stop']);
    });

    it('still streams the text, before finish_reason, when the answer tool never comes', () => {
      const { content, finishReasons } = assemble(replay(fixtureText('stream-text.sse'), jsonSchemaRequest).chunks);
      expect(content).toBe(assemble(replay(fixtureText('stream-text.sse')).chunks).content);
      expect(content).not.toBe('');
      expect(finishReasons).toEqual(['stop']);
    });

    it('shows the same stream as a tool call when the request had no response_format', () => {
      const { toolCalls, finishReasons } = assemble(replay(fixtureText('stream-json-response.sse')).chunks);
      expect(toolCalls[0].name).toBe('json_response');
      expect(finishReasons).toEqual(['tool_calls']);
    });

    it('unwraps a wrapped (non-object) schema answer once the block is complete', () => {
      const request: ChatRequest = {
        ...plain,
        response_format: { type: 'json_schema', json_schema: { name: 'tags', schema: { type: 'array', items: { type: 'string' } } } },
      };
      const text = fixtureText('stream-json-response.sse')
        .replace('{\\"city\\": \\"Pa', '{\\"value\\": [\\"ra')
        .replace('ris\\", \\"temperature_c\\": 18', 'in\\", \\"wi')
        .replace(', \\"conditions\\": [\\"light rain\\"]}', 'nd\\"]}');
      const { content, finishReasons } = assemble(replay(text, request).chunks);
      expect(JSON.parse(content)).toEqual(['rain', 'wind']);
      expect(finishReasons).toEqual(['stop']);
    });
  });
});
