import type { ChatCompletionChunk } from '@llm-connector-hub/core';
import { estimateAnswerBytes } from './answer-size';
import { StreamAssembler } from './stream-assembly';

/**
 * A realistic OpenAI stream (as `data:` payloads): a content-null role chunk, a sentence of text,
 * then two parallel tool calls whose arguments arrive in fragments, `usage: null` on every
 * non-usage chunk, and the usage-only chunk last.
 */
const OPENAI_STREAM = [
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"content":"Let me "},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"content":"check."},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_8sHf","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"loc"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Vd3J","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ation\\":\\"Paris\\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\\"tz\\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\\"CET\\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}',
  '{"id":"chatcmpl-A1","object":"chat.completion.chunk","created":1736407895,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[],"usage":{"prompt_tokens":91,"completion_tokens":46,"total_tokens":137,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}',
].map((data) => JSON.parse(data) as ChatCompletionChunk);

function assemble(chunks: ChatCompletionChunk[]) {
  const assembler = new StreamAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
}

function chunk(choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk {
  return { id: 'chatcmpl-B2', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o', choices, ...extra };
}

describe('StreamAssembler', () => {
  it('rebuilds the completion of a realistic OpenAI stream with fragmented tool-call arguments', () => {
    expect(assemble(OPENAI_STREAM)).toEqual({
      id: 'chatcmpl-A1',
      object: 'chat.completion',
      created: 1736407895,
      model: 'gpt-4o-mini-2024-07-18',
      system_fingerprint: 'fp_0aa8d3e20b',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              { id: 'call_8sHf', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'call_Vd3J', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 91,
        completion_tokens: 46,
        total_tokens: 137,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
    });
  });

  it('gives content null when only tool calls came after a content-null role chunk', () => {
    const toolOnly = OPENAI_STREAM.filter((c) => !c.choices[0]?.delta.content);
    const result = assemble(toolOnly);
    expect(result.choices[0]?.message.content).toBeNull();
    expect(result.choices[0]?.message.tool_calls).toHaveLength(2);
  });

  it('keeps an empty text answer as an empty string, not null', () => {
    const result = assemble([chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]), chunk([{ index: 0, delta: {}, finish_reason: 'length' }])]);
    expect(result.choices[0]?.message).toEqual({ role: 'assistant', content: '' });
    expect(result.choices[0]?.finish_reason).toBe('length');
  });

  it('sorts interleaved choices by index and keeps the last non-null finish_reason', () => {
    const result = assemble([
      chunk([{ index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { role: 'assistant', content: 'A' }, finish_reason: null }]),
      chunk([{ index: 1, delta: { content: 'b' }, finish_reason: 'stop' }]),
      chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'length' }]),
      chunk([{ index: 0, delta: {}, finish_reason: null }]),
    ]);
    expect(result.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'Aa', 'length'],
      [1, 'Bb', 'stop'],
    ]);
    expect(result).not.toHaveProperty('usage');
    expect(result).not.toHaveProperty('system_fingerprint');
  });

  it('concatenates refusal pieces and leaves content null', () => {
    const result = assemble([
      chunk([{ index: 0, delta: { role: 'assistant', content: null, refusal: '' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { refusal: "I'm sorry, " }, finish_reason: null }]),
      chunk([{ index: 0, delta: { refusal: 'I cannot help with that.' }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ]);
    expect(result.choices[0]?.message).toEqual({ role: 'assistant', content: null, refusal: "I'm sorry, I cannot help with that." });
  });

  it('takes usage from a content chunk when a server puts it there', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const result = assemble([chunk([{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], { usage })]);
    expect(result.usage).toEqual(usage);
  });

  it('concatenates streamed logprobs into one list', () => {
    const result = assemble([
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]),
      chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null, logprobs: { content: [{ token: 'Hi', logprob: -0.1 }], refusal: null } }]),
      chunk([{ index: 0, delta: { content: '!' }, finish_reason: 'stop', logprobs: { content: [{ token: '!', logprob: -0.2 }], refusal: null } }]),
    ]);
    expect(result.choices[0]?.logprobs).toEqual({
      content: [
        { token: 'Hi', logprob: -0.1 },
        { token: '!', logprob: -0.2 },
      ],
      refusal: null,
    });
  });

  it('counts the estimated size of what it holds, as the completion it adds up to is estimated', () => {
    const assembler = new StreamAssembler();
    const sizes: number[] = [];
    for (const piece of OPENAI_STREAM) {
      assembler.add(piece);
      sizes.push(assembler.bytes);
    }
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(assembler.bytes).toBe(estimateAnswerBytes(assembler.result()));
  });

  it('refuses to invent a completion from no chunks', () => {
    expect(() => new StreamAssembler().result()).toThrow(/before any chunk/);
  });
});
