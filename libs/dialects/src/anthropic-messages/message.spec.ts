import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletion, FinishReason } from '@llm-connector-hub/core';
import { stopReason, toAnthropicMessage } from './message';

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'response-tool-use.json'), 'utf8')) as Record<string, unknown>;

function completion(message: ChatCompletion['choices'][0]['message'], finish: FinishReason, usage?: ChatCompletion['usage']): ChatCompletion {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message, finish_reason: finish }], ...(usage ? { usage } : {}) };
}

describe('toAnthropicMessage', () => {
  it("answers the recorded Anthropic Message's shape for text followed by two tool calls", () => {
    const message = toAnthropicMessage(
      completion(
        {
          role: 'assistant',
          content: "I'll check the weather in both cities.",
          tool_calls: [
            { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' } },
            { id: 'toolu_01B3kq2Zp5xHtRw8mYvC1nDe', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Berlin, Germany","unit":"celsius"}' } },
          ],
        },
        'tool_calls',
        { prompt_tokens: 690, completion_tokens: 132, total_tokens: 822 },
      ),
      'claude-sonnet-4-5-20250929',
    );
    const { id, usage, ...rest } = message;
    const { id: _id, usage: recordedUsage, ...recordedRest } = recorded;
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(rest).toEqual(recordedRest);
    const { service_tier: _tier, ...counters } = recordedUsage as Record<string, unknown>;
    expect(usage).toMatchObject(counters);
  });

  it('never answers a string input: broken or non-object arguments become {}', () => {
    const message = toAnthropicMessage(
      completion({ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":' } }, { id: 'c2', type: 'function', function: { name: 'g', arguments: '[1]' } }] }, 'tool_calls'),
      'm',
    );
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'c1', name: 'f', input: {} },
      { type: 'tool_use', id: 'c2', name: 'g', input: {} },
    ]);
  });

  it('answers an empty content array and zero usage when the answer is empty', () => {
    expect(toAnthropicMessage(completion({ role: 'assistant', content: '' }, 'stop'), 'm')).toMatchObject({ content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } });
  });
});

describe('stopReason', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ] as const)('%s → %s', (finish, reason) => expect(stopReason(finish)).toBe(reason));
});
