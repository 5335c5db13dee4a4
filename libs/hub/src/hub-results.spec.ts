import type { ChatCompletionChunk } from '@llm-connector-hub/core';
import { asHubChunk, asHubCompletion } from './hub-results';
import { chunkOf, completionOf } from '@llm-connector-hub/testing';

describe('asHubCompletion', () => {
  it('adds a content getter with the first choice text', () => {
    expect(asHubCompletion(completionOf('Hello there')).content).toBe('Hello there');
  });

  it('gives null content for a tool call answer and for no choices', () => {
    const toolCall = completionOf(null);
    toolCall.choices[0].message.tool_calls = [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }];
    expect(asHubCompletion(toolCall).content).toBeNull();
    expect(asHubCompletion({ ...completionOf('x'), choices: [] }).content).toBeNull();
  });

  it("serializes to exactly OpenAI's shape: no content key at the top level", () => {
    const plain = completionOf('Hello');
    const expected = JSON.stringify(plain);
    const hub = asHubCompletion(completionOf('Hello'));
    expect(JSON.stringify(hub)).toBe(expected);
    expect(Object.keys(hub)).toEqual(Object.keys(plain));
    expect(Object.hasOwn({ ...hub }, 'content')).toBe(false);
  });
});

describe('asHubChunk', () => {
  it('adds a content getter with the delta text', () => {
    expect(asHubChunk(chunkOf({ content: 'Hel' })).content).toBe('Hel');
  });

  it('gives undefined content for a role-only, a null-content and a usage-only chunk', () => {
    expect(asHubChunk(chunkOf({ role: 'assistant' })).content).toBeUndefined();
    expect(asHubChunk(chunkOf({ content: null })).content).toBeUndefined();
    const usageOnly: ChatCompletionChunk = { ...chunkOf({}), choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    expect(asHubChunk(usageOnly).content).toBeUndefined();
  });

  it("serializes to exactly OpenAI's chunk shape", () => {
    const expected = JSON.stringify(chunkOf({ content: 'lo' }));
    const hub = asHubChunk(chunkOf({ content: 'lo' }));
    expect(JSON.stringify(hub)).toBe(expected);
    expect(Object.hasOwn(hub, 'content')).toBe(false);
  });
});
