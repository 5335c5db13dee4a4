import { HubError } from '@llm-connector-hub/core';
import { messageCreateParamsSchema, type MessageCreateParams } from './request.schema';
import { toChatConversation, toChatRequest } from './to-chat-request';

const params = (extra: Record<string, unknown>): MessageCreateParams =>
  messageCreateParamsSchema.parse({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra });

/** Expects a 400 HubError with these facts. */
const refused = (facts: Record<string, unknown>) => expect.objectContaining({ status: 400, ...facts }) as unknown as HubError;

describe('toChatRequest', () => {
  it('maps the sampling fields, stop_sequences, metadata and streaming (with usage asked for)', () => {
    expect(toChatRequest(params({ temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['END'], metadata: { user_id: 'u1' }, stream: true }))).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('turns the system prompt into a system message, keeping cache_control on its blocks', () => {
    expect(toChatRequest(params({ system: 'Be brief.' })).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(toChatRequest(params({ system: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral', ttl: '1h' } }] })).messages[0]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    });
  });

  it('translates a tool loop: tool_use to tool_calls, tool_result to a tool message ahead of the rest of the user turn', () => {
    const request = toChatRequest(
      params({
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
        tool_choice: { type: 'tool', name: 'get_weather' },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Use the tool.', signature: 'EqQB' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'sunny' }, { type: 'image', source: { type: 'url', url: 'https://example.com/sky.png' } }] },
              { type: 'tool_result', tool_use_id: 'toolu_02', content: 'no such city', is_error: true },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_01', content: 'sunny' },
      { role: 'tool', tool_call_id: 'toolu_02', content: 'Error: no such city' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/sky.png' } }, { type: 'text', text: 'And tomorrow?' }] },
    ]);
    expect(request.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]);
    expect(request.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });

  it.each([
    [{ type: 'auto' }, 'auto', undefined],
    [{ type: 'any', disable_parallel_tool_use: true }, 'required', false],
    [{ type: 'none' }, 'none', undefined],
  ])('maps tool_choice %j', (choice, expected, parallel) => {
    const request = toChatRequest(params({ tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: choice }));
    expect(request.tool_choice).toBe(expected);
    expect(request.parallel_tool_calls).toBe(parallel);
  });

  it('drops an assistant turn that held only thinking, and the thinking config', () => {
    const request = toChatRequest(
      params({
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'opaque' }] },
          { role: 'user', content: 'b' },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(request).not.toHaveProperty('reasoning_effort');
  });

  it('carries images as data URLs and plain-text documents as titled text, with their cache_control', () => {
    const request = toChatRequest(
      params({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' }, cache_control: { type: 'ephemeral' } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' }, title: 'Facts' },
            ],
          },
        ],
      }),
    );
    expect(request.messages[0].content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' }, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Facts\n\nThe grass is green.' },
    ]);
  });

  it('refuses what only Anthropic can do, naming it, or drops it when asked to', () => {
    const pdf = params({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } }] }] });
    expect(() => toChatRequest(pdf)).toThrow(refused({ param: 'messages[0].content[0].source' }));
    const server = params({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect(() => toChatRequest(server)).toThrow(refused({ param: 'tools[0].type', message: expect.stringMatching(/web_search_20250305/) }));
    const searchResult = params({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 'x', title: 't', content: [] }] }] });
    expect(() => toChatRequest(searchResult)).toThrow(refused({ param: 'messages[0].content[0].type' }));
    const stops = params({ stop_sequences: ['a', 'b', 'c', 'd', 'e'] });
    expect(() => toChatRequest(stops)).toThrow(refused({ param: 'stop_sequences' }));

    expect(toChatRequest(server, { untranslatable: 'drop' })).not.toHaveProperty('tools');
    expect(toChatRequest(stops, { untranslatable: 'drop' }).stop).toEqual(['a', 'b', 'c', 'd']);
  });

  it('translates the conversation of a count_tokens request (no max_tokens)', () => {
    expect(toChatConversation({ model: 'm', messages: [{ role: 'user', content: 'hi' }], system: 'S' })).toEqual({
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'hi' },
      ],
    });
  });
});
