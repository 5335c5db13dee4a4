import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubError, SseParser, type ChatCompletionChunk, type ChunkDelta, type FinishReason, type Usage } from '@llm-connector-hub/core';
import { AnthropicStreamEncoder, sseEvent, type AnthropicStreamEvent } from './stream-encoder';

const recorded = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

function parse(raw: string): Array<{ event: string | undefined; data: Record<string, unknown> }> {
  const parser = new SseParser();
  return [...parser.push(raw), ...parser.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }));
}

function chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] };
}
function usageChunk(usage: Usage): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage };
}

function encode(chunks: ChatCompletionChunk[], model = 'claude-sonnet-4-5-20250929'): AnthropicStreamEvent[] {
  const encoder = new AnthropicStreamEncoder(model, 'openai', 'msg_test');
  return [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
}

/**
 * The chunks a Chat backend sends for the answer Anthropic streamed in the recorded fixture: its
 * text deltas as content, its tool block as one tool call whose arguments come in the same pieces.
 */
function chunksOf(events: ReturnType<typeof parse>): ChatCompletionChunk[] {
  const chunks: ChatCompletionChunk[] = [chunk({ role: 'assistant', content: '' })];
  for (const { data } of events) {
    if (data.type === 'content_block_start' && (data.content_block as { type: string }).type === 'tool_use') {
      const { id, name } = data.content_block as { id: string; name: string };
      chunks.push(chunk({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }));
    }
    if (data.type !== 'content_block_delta') continue;
    const delta = data.delta as { type: string; text?: string; partial_json?: string };
    if (delta.type === 'text_delta') chunks.push(chunk({ content: delta.text }));
    else chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: delta.partial_json } }] }));
  }
  chunks.push(chunk({}, 'tool_calls'));
  chunks.push(usageChunk({ prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 }));
  return chunks;
}

describe('AnthropicStreamEncoder', () => {
  it("re-creates Anthropic's recorded tool-use stream from Chat chunks: the same events, blocks and deltas, in the same order", () => {
    const original = parse(recorded('stream-tool-use.sse'));
    const ours = parse(encode(chunksOf(original)).map(sseEvent).join(''));
    // Anthropic opens a tool's input with an empty fragment, which says nothing: the encoder skips empty fragments.
    const meaningful = original.filter(({ data }) => (data.delta as { partial_json?: string } | undefined)?.partial_json !== '');
    expect(ours.map((e) => e.event)).toEqual(meaningful.map((e) => e.event));
    const withoutIdsAndUsage = (events: ReturnType<typeof parse>) =>
      events
        .filter(({ data }) => data.type !== 'message_start')
        .map(({ data }) => (data.type === 'message_delta' ? { ...data, usage: undefined } : data));
    expect(withoutIdsAndUsage(ours)).toEqual(withoutIdsAndUsage(meaningful));
    expect(ours[0].data.message).toEqual({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } },
    });
    expect(ours.at(-2)!.data.usage).toMatchObject({ input_tokens: 472, output_tokens: 89 });
  });

  it('frames each event as Anthropic does: a named event whose data has the same type', () => {
    expect(sseEvent({ type: 'content_block_stop', index: 2 })).toBe('event: content_block_stop\ndata: {"type":"content_block_stop","index":2}\n\n');
    expect(sseEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  it('holds message_delta for the usage chunk that follows the finish, with cache reads taken out of input_tokens', () => {
    const events = encode([
      chunk({ content: 'Hi' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 } }),
    ]);
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 40, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 60, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } },
    });
  });

  it('keeps content that arrives in the same chunk as the finish reason (a fake-streamed upstream)', () => {
    const events = encode([chunk({ role: 'assistant', content: 'All at once' }, 'length')]);
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events[3]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'All at once' } });
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
  });

  it("sends a tool's first argument fragment after its block start when one chunk carries both", () => {
    const events = encode([chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'tool_calls')]);
    expect(events.slice(1, 5)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } },
      { type: 'content_block_stop', index: 0 },
    ]);
  });

  it('gives parallel tool calls one block each, in order, and an answer with no content none at all', () => {
    const events = encode([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '}' } }] }, 'tool_calls'),
    ]);
    const starts = events.filter((e) => e.type === 'content_block_start');
    expect(starts.map((e) => [e.index, (e.content_block as { id: string }).id])).toEqual([[0, 'call_a'], [1, 'call_b']]);
    expect(encode([chunk({}, 'stop')]).map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });

  it('refuses arguments that resume for a tool whose block is already closed (Anthropic blocks cannot interleave)', () => {
    const encoder = new AnthropicStreamEncoder('m', 'openai');
    encoder.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{' } }] }));
    encoder.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{}' } }] }));
    expect(() => encoder.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }))).toThrow(HubError);
  });
});
