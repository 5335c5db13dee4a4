import type { ChatRequest } from '@llm-connector-hub/core';
import { HubError, unixSeconds } from '@llm-connector-hub/core';
import { anthropicFinishReason, fromAnthropicResponse } from './anthropic.response';
import { AnthropicTranslator } from './anthropic.translator';
import type { AnthropicMessage } from './anthropic.wire';
import { fixtureJson } from './fixtures/load-fixture';

const plain: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] };
const translate = (name: string, request: ChatRequest = plain) => new AnthropicTranslator('anthropic').fromWireResponse(fixtureJson(name), request);

describe('fromAnthropicResponse', () => {
  it('joins text blocks into content and keeps the message id and model', () => {
    const before = unixSeconds();
    const completion = translate('response-text.json');
    expect(completion).toMatchObject({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: "Hello! I'm Claude. How can I help you today?" }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 14, total_tokens: 26, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(completion.created).toBeGreaterThanOrEqual(before);
    expect(completion.created).toBeLessThanOrEqual(unixSeconds());
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
  });

  it('turns tool_use blocks into tool_calls whose arguments are the input as a JSON string', () => {
    const { choices } = translate('response-tool-use.json');
    const [choice] = choices;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe("I'll check the weather in both cities.");
    const calls = choice.message.tool_calls ?? [];
    expect(calls.map((c) => [c.id, c.type, c.function.name])).toEqual([
      ['toolu_01A09q90qw90lq917835lq9', 'function', 'get_weather'],
      ['toolu_01B3kq2Zp5xHtRw8mYvC1nDe', 'function', 'get_weather'],
    ]);
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([
      { location: 'Paris, France', unit: 'celsius' },
      { location: 'Berlin, Germany', unit: 'celsius' },
    ]);
  });

  it('sends null content beside tool calls when the model wrote no text', () => {
    const body = fixtureJson<AnthropicMessage>('response-tool-use.json');
    body.content = body.content.filter((block) => block.type === 'tool_use');
    const completion = fromAnthropicResponse('anthropic', body, plain);
    expect(completion.choices[0].message.content).toBeNull();
    expect(completion.choices[0].message.tool_calls).toHaveLength(2);
  });

  it('counts cache reads and writes into prompt_tokens and reports cache hits as cached_tokens', () => {
    const completion = translate('response-cache-usage.json');
    expect(completion.usage).toEqual({
      prompt_tokens: 21 + 188 + 1842,
      completion_tokens: 393,
      total_tokens: 21 + 188 + 1842 + 393,
      prompt_tokens_details: { cached_tokens: 1842 },
    });
    expect(completion.choices[0].finish_reason).toBe('length');
  });

  it('reports reasoning tokens when Anthropic breaks output tokens down', () => {
    const body = fixtureJson<AnthropicMessage>('response-text.json');
    body.usage = { input_tokens: 10, output_tokens: 300, output_tokens_details: { thinking_tokens: 250 } };
    expect(fromAnthropicResponse('anthropic', body, plain).usage).toMatchObject({
      prompt_tokens: 10,
      completion_tokens: 300,
      completion_tokens_details: { reasoning_tokens: 250 },
    });
  });

  it('leaves thinking and redacted_thinking blocks out of the content', () => {
    const completion = translate('response-thinking.json');
    expect(completion.choices[0].message.content).toBe('27 * 453 = 12,231');
  });

  it('returns the response_format answer tool as JSON content with finish_reason stop', () => {
    const request: ChatRequest = { ...plain, response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object' } } } };
    const { choices } = translate('response-json-tool.json', request);
    expect(choices[0].finish_reason).toBe('stop');
    expect(choices[0].message.tool_calls).toBeUndefined();
    expect(JSON.parse(choices[0].message.content ?? '')).toEqual({ city: 'Paris', temperature_c: 18, conditions: ['light rain'] });
  });

  it('returns only the answer tool JSON as content when the model also wrote a text block', () => {
    const request: ChatRequest = { ...plain, response_format: { type: 'json_object' } };
    const { choices } = translate('response-json-tool-preamble.json', request);
    expect(JSON.parse(choices[0].message.content ?? '')).toEqual({ city: 'Paris', temperature_c: 18, conditions: ['light rain'] });
    expect(choices[0].finish_reason).toBe('stop');
    expect(choices[0].message.tool_calls).toBeUndefined();
  });

  it('keeps the text of a response_format message in which the model never called the answer tool', () => {
    const request: ChatRequest = { ...plain, response_format: { type: 'json_object' } };
    expect(translate('response-text.json', request).choices[0].message.content).toBe("Hello! I'm Claude. How can I help you today?");
  });

  it('unwraps the answer of a schema whose root is not an object', () => {
    const request: ChatRequest = {
      ...plain,
      response_format: { type: 'json_schema', json_schema: { name: 'tags', schema: { type: 'array', items: { type: 'string' } } } },
    };
    const body = fixtureJson<AnthropicMessage>('response-json-tool.json');
    body.content = [{ type: 'tool_use', id: 'toolu_x', name: 'json_response', input: { value: ['rain', 'wind'] } }];
    expect(fromAnthropicResponse('anthropic', body, request).choices[0].message.content).toBe('["rain","wind"]');
  });

  it('reports a json_response tool as an ordinary tool call when the request had no response_format', () => {
    const { choices } = translate('response-json-tool.json');
    expect(choices[0].finish_reason).toBe('tool_calls');
    expect(choices[0].message.tool_calls?.[0].function.name).toBe('json_response');
  });

  it('fails with a 502 upstream_bad_response when the body is not a message', () => {
    for (const body of [null, 'oops', { id: 'msg_1', type: 'message' }]) {
      let error: unknown;
      try {
        fromAnthropicResponse('anthropic', body, plain);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).status).toBe(502);
      expect((error as HubError).code).toBe('upstream_bad_response');
    }
  });

  it('maps an error body (if one ever arrives with a 2xx) to the upstream error it describes', () => {
    expect(() => translate('error-overloaded.json')).toThrow(expect.objectContaining({ upstreamStatus: 529, message: expect.stringContaining('Overloaded') }));
  });
});

describe('anthropicFinishReason', () => {
  it.each([
    ['end_turn', false, 'stop'],
    ['stop_sequence', false, 'stop'],
    ['pause_turn', false, 'stop'],
    ['max_tokens', false, 'length'],
    ['model_context_window_exceeded', false, 'length'],
    ['tool_use', true, 'tool_calls'],
    ['refusal', false, 'content_filter'],
    ['a_reason_added_later', false, 'stop'],
  ] as const)('maps %s (tool calls: %s) to %s', (stopReason, hasToolCalls, expected) => {
    expect(anthropicFinishReason(stopReason, hasToolCalls)).toBe(expected);
  });
});
