import type { ChatCompletion, ChatCompletionChunk, Usage } from '@llm-connector-hub/core';

/** Canonical answers for specs that build them by hand. */

const USAGE: Usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };

export function completionOf(content: string | null, model = 'm', id = 'chatcmpl-test'): ChatCompletion {
  return {
    id,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { ...USAGE },
  };
}

export function chunkOf(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  model = 'm',
  id = 'chatcmpl-test',
  finishReason: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk {
  const chunk: ChatCompletionChunk = {
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  // The last chunk carries the usage, as some servers send it (OpenAI sends a chunk of its own).
  if (finishReason !== null) chunk.usage = { ...USAGE };
  return chunk;
}

export const user = (content: string) => [{ role: 'user' as const, content }];
