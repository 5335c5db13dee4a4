import type { ChatCompletionChunk, ChunkDelta, FinishReason } from '@llm-connector-hub/core';
import { responsesRequestSchema } from './request.schema';
import type { ResponseHead } from './response';
import { ResponsesStreamTranslator, type ResponseStreamEvent } from './stream';

const ID = 'resp_0123456789abcdef0123456789abcdef';
const HEX = ID.slice('resp_'.length);
const head: ResponseHead = { id: ID, createdAt: 1_700_000_000, model: 'm', store: false, request: responsesRequestSchema.parse({ model: 'm', input: 'hi' }) };

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usage: ChatCompletionChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [],
  usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_tokens_details: { cached_tokens: 2 } },
};

function translate(chunks: ChatCompletionChunk[]): ResponseStreamEvent[] {
  const translator = new ResponsesStreamTranslator(head);
  const events = chunks.flatMap((c) => translator.chunk(c));
  // Serialized as the gateway writes them, event by event.
  return JSON.parse(JSON.stringify([...events, ...translator.end().events])) as ResponseStreamEvent[];
}

const without = ({ sequence_number: _n, ...event }: ResponseStreamEvent) => event;

describe('ResponsesStreamTranslator', () => {
  it("writes a text answer as OpenAI's recorded event sequence", () => {
    const events = translate([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }), chunk({ content: ' there' }), chunk({}, 'stop'), usage]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const message = { type: 'message', id: `msg_${HEX}_0`, role: 'assistant' };
    const at = { item_id: `msg_${HEX}_0`, output_index: 0, content_index: 0 };
    const done = { type: 'output_text', text: 'Hi there', annotations: [], logprobs: [] };
    expect(events.slice(2).map(without)).toEqual([
      { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', ...at, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } },
      { type: 'response.output_text.delta', ...at, delta: 'Hi', logprobs: [] },
      { type: 'response.output_text.delta', ...at, delta: ' there', logprobs: [] },
      { type: 'response.output_text.done', ...at, text: 'Hi there', logprobs: [] },
      { type: 'response.content_part.done', ...at, part: done },
      { type: 'response.output_item.done', output_index: 0, item: { ...message, status: 'completed', content: [done] } },
      {
        type: 'response.completed',
        response: expect.objectContaining({
          id: ID,
          status: 'completed',
          output: [{ ...message, status: 'completed', content: [done] }],
          usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 8 },
        }),
      },
    ]);
    expect(events.slice(0, 2).map((e) => [e.type, (e.response as { status: string; output: unknown[] }).status])).toEqual([
      ['response.created', 'in_progress'],
      ['response.in_progress', 'in_progress'],
    ]);
  });

  it('closes the message before a tool call opens, and each call before the next', () => {
    const events = translate([
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usage,
    ]);
    expect(events.map((e) => [e.type, e.output_index ?? null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    expect(events[8].item).toEqual({ type: 'function_call', id: `fc_${HEX}_1`, call_id: 'call_a', name: 'a', arguments: '', status: 'in_progress' });
    expect(events[11]).toMatchObject({ item_id: `fc_${HEX}_1`, arguments: '{"x":1}' });
    const completed = events.at(-1)!.response as { status: string; output: Array<{ id: string; call_id?: string; arguments?: string }> };
    expect(completed.status).toBe('completed');
    expect(completed.output.map((item) => [item.id, item.call_id, item.arguments])).toEqual([
      [`msg_${HEX}_0`, undefined, undefined],
      [`fc_${HEX}_1`, 'call_a', '{"x":1}'],
      [`fc_${HEX}_2`, 'call_b', '{}'],
    ]);
  });

  it('ends a cut answer with response.incomplete and the reason', () => {
    const last = translate([chunk({ content: 'Once upon' }, 'length'), usage]).at(-1)!;
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ status: 'incomplete' }] });
  });

  it('still answers with an (empty) message when the stream had no content', () => {
    const types = translate([chunk({}, 'stop')]).map((e) => e.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('ends a failed stream with response.failed, numbered after the events already written', () => {
    const translator = new ResponsesStreamTranslator(head);
    const written = translator.chunk(chunk({ content: 'Hi' }));
    const [failed] = translator.fail({ code: 'upstream_stream_interrupted', message: 'cut' });
    expect(failed.sequence_number).toBe(written.length);
    expect(failed).toMatchObject({ type: 'response.failed', response: { id: ID, status: 'failed', error: { code: 'upstream_stream_interrupted', message: 'cut' } } });
  });
});
