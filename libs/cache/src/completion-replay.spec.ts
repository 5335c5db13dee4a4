import type { ChatCompletion, ChatCompletionChunk, Usage } from '@llm-connector-hub/core';
import { completionToChunks } from './completion-replay';
import { StreamAssembler } from './stream-assembly';

const usage: Usage = {
  prompt_tokens: 12,
  completion_tokens: 9,
  total_tokens: 21,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

function completion(choices: ChatCompletion['choices'], extra: Partial<ChatCompletion> = {}): ChatCompletion {
  return { id: 'chatcmpl-R1', object: 'chat.completion', created: 1736407895, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0aa8', choices, ...extra };
}

const text = completion([{ index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.' }, finish_reason: 'stop' }], { usage });

const toolCalls = completion(
  [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Shanghai"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Tokyo"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  { usage },
);

const twoChoices = completion([
  { index: 0, message: { role: 'assistant', content: 'Heads.' }, finish_reason: 'stop' },
  { index: 1, message: { role: 'assistant', content: 'Tails, after a long and careful toss.' }, finish_reason: 'length' },
]);

const refusal = completion([{ index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." }, finish_reason: 'stop' }], {
  usage,
});

function assemble(chunks: ChatCompletionChunk[]): ChatCompletion {
  const assembler = new StreamAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
}

describe('completion -> chunks -> StreamAssembler round trip', () => {
  it.each<[string, ChatCompletion]>([
    ['a text answer with usage', text],
    ['a text answer without usage', { ...text, usage: undefined }],
    ['an answer with two tool calls', toolCalls],
    ['n=2 choices without usage', twoChoices],
    ['n=2 choices with usage', { ...twoChoices, usage }],
    ['a refusal', refusal],
    ['an empty answer', completion([{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'length' }])],
    ['an answer without system_fingerprint', completion([{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], { system_fingerprint: undefined })],
  ])('restores %s', (_what, original) => {
    expect(assemble(completionToChunks(original))).toEqual(original);
    expect(assemble(completionToChunks(original, { maxContentChunk: 4 }))).toEqual(original);
  });

  it('restores logprobs', () => {
    const original = completion([
      { index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop', logprobs: { content: [{ token: 'Hi', logprob: -0.1 }, { token: '!', logprob: -0.2 }], refusal: null } },
    ]);
    expect(assemble(completionToChunks(original, { maxContentChunk: 1 }))).toEqual(original);
  });
});

describe('completionToChunks', () => {
  it('streams a text answer the way OpenAI does', () => {
    const base = { id: 'chatcmpl-R1', object: 'chat.completion.chunk', created: 1736407895, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0aa8' };
    expect(completionToChunks(text)).toEqual([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'Paris is the capital of France.' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { ...base, choices: [], usage },
    ]);
  });

  it('leaves the usage key off every chunk but the usage-only one', () => {
    const chunks = completionToChunks({ ...twoChoices, usage });
    const usageChunks = chunks.filter((c) => 'usage' in c);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0]).toBe(chunks[chunks.length - 1]);
    expect(usageChunks[0]?.choices).toEqual([]);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
  });

  it('sends no usage-only chunk when the completion has no usage', () => {
    expect(completionToChunks(twoChoices).every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
  });

  it('omits system_fingerprint when the completion has none', () => {
    const chunks = completionToChunks({ ...text, system_fingerprint: undefined });
    expect(chunks.some((c) => 'system_fingerprint' in c)).toBe(false);
  });

  it('sends each tool call whole in its own chunk, with its index', () => {
    const deltas = completionToChunks(toolCalls).map((c) => c.choices[0]?.delta);
    expect(deltas).toEqual([
      { role: 'assistant', content: null },
      { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Shanghai"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Tokyo"}' } }] },
      {},
      undefined,
    ]);
  });

  it('splits content into pieces of at most maxContentChunk characters', () => {
    const contents = completionToChunks(text, { maxContentChunk: 8 })
      .map((c) => c.choices[0]?.delta.content)
      .filter((c): c is string => typeof c === 'string' && c !== '');
    expect(contents.join('')).toBe('Paris is the capital of France.');
    expect(contents.every((c) => c.length <= 8)).toBe(true);
    expect(contents).toHaveLength(4);
  });

  it('never splits a surrogate pair', () => {
    const emoji = completion([{ index: 0, message: { role: 'assistant', content: 'a😀b😀' }, finish_reason: 'stop' }]);
    const contents = completionToChunks(emoji, { maxContentChunk: 2 })
      .map((c) => c.choices[0]?.delta.content)
      .filter((c): c is string => typeof c === 'string' && c !== '');
    expect(contents).toEqual(['a', '😀', 'b', '😀']);
  });

  it('rejects a maxContentChunk that is not a positive integer', () => {
    expect(() => completionToChunks(text, { maxContentChunk: 0 })).toThrow(RangeError);
    expect(() => completionToChunks(text, { maxContentChunk: 2.5 })).toThrow(RangeError);
  });
});
