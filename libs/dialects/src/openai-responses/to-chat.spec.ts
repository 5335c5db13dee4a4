import { isHubError } from '@llm-connector-hub/core';
import { responsesRequestSchema } from './request.schema';
import { responsesToChatRequest, type ConversationItem, type EarlierState } from './to-chat';

const request = (body: object) => responsesRequestSchema.parse({ model: 'm', ...body });
const none: EarlierState = { history: [], referenced: new Map() };

describe('responsesToChatRequest', () => {
  it('maps the request fields to their Chat Completions names', () => {
    const chat = responsesToChatRequest(
      request({
        input: 'hi',
        instructions: 'Be terse.',
        max_output_tokens: 64,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u1',
        parallel_tool_calls: false,
        reasoning: { effort: 'low' },
        tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'get_weather' },
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
        stream: true,
      }),
      none,
    );
    expect(chat).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u1',
      parallel_tool_calls: false,
      reasoning_effort: 'low',
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('puts function calls on the assistant turn before them, their outputs as tool messages, and drops reasoning', () => {
    const chat = responsesToChatRequest(
      request({
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'weather?' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.', annotations: [] }] },
          { type: 'function_call', call_id: 'call_1', name: 'a', arguments: '{"x":1}' },
          { type: 'function_call', call_id: 'call_2', name: 'b', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'one' },
          { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'two' }] },
        ],
      }),
      none,
    );
    expect(chat.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
          { id: 'call_2', type: 'function', function: { name: 'b', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'one' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'two' }] },
    ]);
  });

  it('starts from the stored conversation and expands item references', () => {
    const stored: ConversationItem = { type: 'message', id: 'msg_a_0', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Earlier answer', annotations: [], logprobs: [] }] };
    const chat = responsesToChatRequest(request({ input: [{ type: 'item_reference', id: 'msg_a_0' }, { role: 'user', content: 'next' }], previous_response_id: 'resp_a' }), {
      history: [{ type: 'message', role: 'user', content: 'first' }],
      referenced: new Map([['msg_a_0', stored]]),
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'Earlier answer' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('refuses a reference the store did not find with item_not_found', () => {
    let thrown: unknown;
    try {
      responsesToChatRequest(request({ input: [{ type: 'item_reference', id: 'msg_gone' }] }), none);
    } catch (error) {
      thrown = error;
    }
    expect(isHubError(thrown) && [thrown.status, thrown.code, thrown.message]).toEqual([404, 'item_not_found', "Item with id 'msg_gone' not found."]);
  });

  it('maps json_object, and leaves text as the default format', () => {
    expect(responsesToChatRequest(request({ input: 'x', text: { format: { type: 'json_object' } } }), none).response_format).toEqual({ type: 'json_object' });
    expect(responsesToChatRequest(request({ input: 'x', text: { format: { type: 'text' } } }), none).response_format).toBeUndefined();
  });
});
