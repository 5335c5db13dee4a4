import type { ChatCompletion } from '@llm-connector-hub/core';
import { responsesRequestSchema } from './request.schema';
import { completionToResponse, newResponseId, outputItemId, responseIdOfItem, type ResponseHead } from './response';

const head = (body: object = {}): ResponseHead => ({
  id: 'resp_0123456789abcdef0123456789abcdef',
  createdAt: 1_700_000_000,
  model: 'openai/gpt-4o-mini',
  store: true,
  request: responsesRequestSchema.parse({ model: 'openai/gpt-4o-mini', input: 'hi', ...body }),
});

const completion = (message: ChatCompletion['choices'][0]['message'], finish: ChatCompletion['choices'][0]['finish_reason'] = 'stop'): ChatCompletion => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message, finish_reason: finish }],
  usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14, completion_tokens_details: { reasoning_tokens: 1 } },
});

describe('completionToResponse', () => {
  it("answers in OpenAI's recorded Response shape", () => {
    const response = completionToResponse(head({ instructions: 'Be terse.', metadata: { a: 'b' } }), completion({ role: 'assistant', content: 'Paris.' }));
    expect(response).toEqual({
      id: 'resp_0123456789abcdef0123456789abcdef',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be terse.',
      max_output_tokens: null,
      model: 'openai/gpt-4o-mini',
      output: [
        {
          type: 'message',
          id: 'msg_0123456789abcdef0123456789abcdef_0',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Paris.', annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: true,
      temperature: null,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      top_p: null,
      truncation: 'disabled',
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 14 },
      user: null,
      metadata: { a: 'b' },
    });
  });

  it('makes one function_call item per tool call, keeping the call id the client answers with', () => {
    const response = completionToResponse(
      head(),
      completion({ role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, 'tool_calls'),
    );
    expect(response.output).toEqual([
      { type: 'function_call', id: 'fc_0123456789abcdef0123456789abcdef_0', call_id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
    ]);
  });

  it('says incomplete for a cut answer', () => {
    expect(completionToResponse(head(), completion({ role: 'assistant', content: 'Once' }, 'length'))).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });
});

describe('response and item ids', () => {
  it("lead from an output item's id back to its response", () => {
    const id = newResponseId();
    expect(id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(responseIdOfItem(outputItemId(id, 'msg', 0))).toBe(id);
    expect(responseIdOfItem(outputItemId(id, 'fc', 3))).toBe(id);
    expect(responseIdOfItem('msg_67ccd2bf17f0819081ff3bb2cf6508e6')).toBeUndefined();
  });
});
