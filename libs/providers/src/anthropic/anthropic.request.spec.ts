import type { ChatRequest, TextContentPart } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, toAnthropicRequest } from './anthropic.request';
import { fixtureJson } from './fixtures/load-fixture';

interface RequestFixture {
  canonical: ChatRequest;
  anthropic: Record<string, unknown>;
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], ...overrides };
}

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError');
}

describe('toAnthropicRequest', () => {
  it('translates a multi-turn tool conversation with images to the exact Messages API body', () => {
    const { canonical, anthropic } = fixtureJson<RequestFixture>('request-tool-conversation.json');
    expect(toAnthropicRequest(canonical, false)).toEqual(anthropic);
  });

  it('adds stream: true only when streaming, leaving the rest of the body alone', () => {
    const { canonical, anthropic } = fixtureJson<RequestFixture>('request-tool-conversation.json');
    expect(toAnthropicRequest({ ...canonical, stream: true, stream_options: { include_usage: true } }, true)).toEqual({
      ...anthropic,
      stream: true,
    });
    expect(toAnthropicRequest({ ...canonical, stream: true }, false)).not.toHaveProperty('stream');
  });

  it('maps json_schema response_format to a forced answer tool whose input_schema is the schema', () => {
    const { canonical, anthropic } = fixtureJson<RequestFixture>('request-json-schema.json');
    expect(toAnthropicRequest(canonical, true)).toEqual(anthropic);
  });

  describe('system and messages', () => {
    it('sends a single system message as a plain string, and no system field without one', () => {
      const body = toAnthropicRequest(request({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] }), false);
      expect(body.system).toBe('Be brief.');
      expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
      expect(toAnthropicRequest(request(), false)).not.toHaveProperty('system');
    });

    it('hoists system messages found mid-conversation into the top-level system', () => {
      const body = toAnthropicRequest(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
            { role: 'system', content: 'From now on, answer in French.' },
            { role: 'user', content: 'How are you?' },
          ],
        }),
        false,
      );
      expect(body.system).toBe('From now on, answer in French.');
      expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    });

    it('merges consecutive assistant messages into one turn so roles alternate', () => {
      const body = toAnthropicRequest(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello.' },
            { role: 'assistant', content: 'How can I help?' },
            { role: 'user', content: 'Tell me a joke.' },
          ],
        }),
        false,
      );
      expect(body.messages).toEqual([
        { role: 'user', content: 'Hi' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Hello.' },
            { type: 'text', text: 'How can I help?' },
          ],
        },
        { role: 'user', content: 'Tell me a joke.' },
      ]);
    });

    it('keeps tool_result blocks ahead of text in a merged user turn (Anthropic rejects them after text)', () => {
      const body = toAnthropicRequest(
        request({
          messages: [
            { role: 'user', content: 'Weather?' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Oslo"}' } }],
            },
            { role: 'user', content: 'Hurry up please.' },
            { role: 'tool', tool_call_id: 'toolu_1', content: '-3°C' },
          ],
        }),
        false,
      );
      expect(body.messages[1]).toEqual({
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Oslo' } }],
      });
      expect(body.messages[2]).toEqual({
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '-3°C' },
          { type: 'text', text: 'Hurry up please.' },
        ],
      });
    });

    it('treats empty tool arguments as an empty input object', () => {
      const body = toAnthropicRequest(
        request({
          messages: [
            { role: 'user', content: 'Date?' },
            { role: 'assistant', tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'today', arguments: '' } }] },
            { role: 'tool', tool_call_id: 'toolu_2', content: '2025-06-01' },
          ],
        }),
        false,
      );
      expect(body.messages[1].content).toEqual([{ type: 'tool_use', id: 'toolu_2', name: 'today', input: {} }]);
    });

    it('rejects tool arguments that are not JSON, naming the exact parameter', () => {
      const error = thrown(() =>
        toAnthropicRequest(
          request({
            messages: [
              { role: 'user', content: 'Weather?' },
              { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Par' } }] },
            ],
          }),
          false,
        ),
      );
      expect(error.status).toBe(400);
      expect(error.type).toBe('invalid_request_error');
      expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
    });

    it('rejects tool arguments that are JSON but not an object', () => {
      const error = thrown(() =>
        toAnthropicRequest(
          request({
            messages: [
              { role: 'user', content: 'Weather?' },
              { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'get_weather', arguments: '["Paris"]' } }] },
            ],
          }),
          false,
        ),
      );
      expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
      expect(error.message).toMatch(/JSON object/);
    });

    it('trims trailing whitespace from a final assistant prefill (Anthropic returns 400 otherwise)', () => {
      const body = toAnthropicRequest(
        request({ messages: [{ role: 'user', content: 'Pick A or B.' }, { role: 'assistant', content: 'The answer is ' }] }),
        false,
      );
      expect(body.messages[1]).toEqual({ role: 'assistant', content: 'The answer is' });
    });

    it('opens with a placeholder user turn when the chat starts with the assistant or has only a system prompt', () => {
      const greeting = toAnthropicRequest(
        request({
          messages: [
            { role: 'system', content: 'You are a pirate.' },
            { role: 'assistant', content: 'Arrr! How may I help ye?' },
            { role: 'user', content: 'Where is the treasure?' },
          ],
        }),
        false,
      );
      expect(greeting.messages).toEqual([
        { role: 'user', content: '.' },
        { role: 'assistant', content: 'Arrr! How may I help ye?' },
        { role: 'user', content: 'Where is the treasure?' },
      ]);
      const systemOnly = toAnthropicRequest(request({ messages: [{ role: 'system', content: 'Write a haiku about the sea.' }] }), false);
      expect(systemOnly.system).toBe('Write a haiku about the sea.');
      expect(systemOnly.messages).toEqual([{ role: 'user', content: '.' }]);
    });

    it('passes cache_control on content parts through, so prompt caching can be used', () => {
      const cached: TextContentPart = { type: 'text', text: 'A long reference document...', cache_control: { type: 'ephemeral' } };
      const body = toAnthropicRequest(request({ messages: [{ role: 'system', content: [cached] }, { role: 'user', content: [cached] }] }), false);
      expect(body.system).toEqual([{ type: 'text', text: 'A long reference document...', cache_control: { type: 'ephemeral' } }]);
      expect(body.messages[0].content).toEqual([{ type: 'text', text: 'A long reference document...', cache_control: { type: 'ephemeral' } }]);
    });

    it('puts cache_control on a whole system or user message on its last block', () => {
      const body = toAnthropicRequest(
        request({
          messages: [
            { role: 'system', content: 'A long system prompt', cache_control: { type: 'ephemeral', ttl: '1h' } },
            { role: 'user', content: [{ type: 'text', text: 'A document' }, { type: 'text', text: 'Summarise it.' }], cache_control: { type: 'ephemeral' } },
          ],
        }),
        false,
      );
      expect(body.system).toEqual([{ type: 'text', text: 'A long system prompt', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
      expect(body.messages[0].content).toEqual([
        { type: 'text', text: 'A document' },
        { type: 'text', text: 'Summarise it.', cache_control: { type: 'ephemeral' } },
      ]);
    });
  });

  describe('images', () => {
    const withImage = (url: string) =>
      request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url } }] }] });

    it('normalises image/jpg data URLs to image/jpeg', () => {
      const body = toAnthropicRequest(withImage('data:image/jpg;base64,/9j/4AAQSkZJRg=='), false);
      expect(body.messages[0].content).toContainEqual({
        type: 'image',
        source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' },
      });
    });

    it.each([
      ['a media type Anthropic cannot read', 'data:image/svg+xml;base64,PHN2Zz4='],
      ['a data URL that is not base64', 'data:image/png,rawbytes'],
      ['a non-http scheme', 'ftp://example.com/cat.png'],
    ])('rejects %s, naming the content part', (_label, url) => {
      const error = thrown(() => toAnthropicRequest(withImage(url), false));
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[0].content[1].image_url.url');
    });
  });

  describe('sampling parameters', () => {
    it('prefers max_completion_tokens, then max_tokens, then a default (Anthropic requires one)', () => {
      expect(toAnthropicRequest(request({ max_completion_tokens: 100, max_tokens: 50 }), false).max_tokens).toBe(100);
      expect(toAnthropicRequest(request({ max_tokens: 50 }), false).max_tokens).toBe(50);
      expect(toAnthropicRequest(request(), false).max_tokens).toBe(ANTHROPIC_DEFAULT_MAX_TOKENS);
      expect(ANTHROPIC_DEFAULT_MAX_TOKENS).toBe(4096);
    });

    it('sends a single stop string as stop_sequences', () => {
      expect(toAnthropicRequest(request({ stop: '###' }), false).stop_sequences).toEqual(['###']);
      expect(toAnthropicRequest(request({ stop: [] }), false)).not.toHaveProperty('stop_sequences');
    });

    it('keeps temperature 0 (a falsy value) and maps user to metadata.user_id', () => {
      const body = toAnthropicRequest(request({ temperature: 0, user: 'u-1' }), false);
      expect(body.temperature).toBe(0);
      expect(body.metadata).toEqual({ user_id: 'u-1' });
    });

    it('refuses n > 1 with an error naming n, since Anthropic returns a single choice', () => {
      const error = thrown(() => toAnthropicRequest(request({ n: 2 }), false));
      expect(error.status).toBe(400);
      expect(error.param).toBe('n');
      expect(() => toAnthropicRequest(request({ n: 1 }), false)).not.toThrow();
    });
  });

  describe('tools and tool_choice', () => {
    it.each([
      ['auto', { type: 'auto' }],
      ['required', { type: 'any' }],
      ['none', { type: 'none' }],
      [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
    ] as const)('maps tool_choice %j to %j', (choice, expected) => {
      const body = toAnthropicRequest(request({ tools: [weatherTool], tool_choice: choice }), false);
      expect(body.tool_choice).toEqual(expected);
    });

    it.each([
      [undefined, { type: 'auto', disable_parallel_tool_use: true }],
      ['auto', { type: 'auto', disable_parallel_tool_use: true }],
      ['required', { type: 'any', disable_parallel_tool_use: true }],
      [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true }],
      ['none', { type: 'none' }],
    ] as const)('with parallel_tool_calls: false maps tool_choice %j to %j', (choice, expected) => {
      const body = toAnthropicRequest(request({ tools: [weatherTool], tool_choice: choice, parallel_tool_calls: false }), false);
      expect(body.tool_choice).toEqual(expected);
    });

    it('sends no tool_choice when the client gave none and no tool_choice at all without tools', () => {
      expect(toAnthropicRequest(request({ tools: [weatherTool] }), false)).not.toHaveProperty('tool_choice');
      const body = toAnthropicRequest(request({ tool_choice: 'required' }), false);
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('tools');
    });

    it('gives a tool without parameters the empty object schema Anthropic requires', () => {
      const body = toAnthropicRequest(request({ tools: [{ type: 'function', function: { name: 'today' } }] }), false);
      expect(body.tools).toEqual([{ name: 'today', input_schema: { type: 'object', properties: {} } }]);
    });
  });

  describe('response_format', () => {
    it('maps json_object to a forced answer tool that accepts any object', () => {
      const body = toAnthropicRequest(request({ response_format: { type: 'json_object' } }), false);
      expect(body.tools).toEqual([expect.objectContaining({ name: 'json_response', input_schema: { type: 'object' } })]);
      expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
    });

    it('leaves the request untouched for response_format text', () => {
      const body = toAnthropicRequest(request({ response_format: { type: 'text' } }), false);
      expect(body).not.toHaveProperty('tools');
      expect(body).not.toHaveProperty('tool_choice');
    });

    it('wraps a schema whose root is not an object, since a tool input must be an object', () => {
      const schema = { type: 'array', items: { type: 'string' } };
      const body = toAnthropicRequest(request({ response_format: { type: 'json_schema', json_schema: { name: 'tags', schema } } }), false);
      expect(body.tools?.[0].input_schema).toEqual({ type: 'object', properties: { value: schema }, required: ['value'] });
    });

    it('lets the model choose between the client tools and the answer tool, never free text', () => {
      const body = toAnthropicRequest(request({ tools: [weatherTool], tool_choice: 'auto', response_format: { type: 'json_object' } }), false);
      expect(body.tools?.map((t) => t.name)).toEqual(['get_weather', 'json_response']);
      expect(body.tool_choice).toEqual({ type: 'any' });
    });

    it('honours a specific client tool_choice, and forces the answer tool when tool_choice is none', () => {
      const named = toAnthropicRequest(
        request({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } }, response_format: { type: 'json_object' } }),
        false,
      );
      expect(named.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
      const none = toAnthropicRequest(request({ tools: [weatherTool], tool_choice: 'none', response_format: { type: 'json_object' } }), false);
      expect(none.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
    });

    it('refuses a client tool that uses the reserved answer tool name', () => {
      const error = thrown(() =>
        toAnthropicRequest(
          request({ tools: [{ type: 'function', function: { name: 'json_response' } }], response_format: { type: 'json_object' } }),
          false,
        ),
      );
      expect(error.param).toBe('tools');
    });
  });
});
