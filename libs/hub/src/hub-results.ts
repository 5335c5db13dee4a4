import type { ChatCompletion, ChatCompletionChunk } from '@llm-connector-hub/core';

/**
 * The hub's results keep OpenAI's exact shape when serialized (JSON.stringify sees only own
 * fields) and add a `content` getter on the prototype for callers who just want the text.
 */
export type HubCompletion = ChatCompletion & { readonly content: string | null };
export type HubChunk = ChatCompletionChunk & { readonly content: string | undefined };

const completionProto = {
  get content(): string | null {
    return (this as unknown as ChatCompletion).choices[0]?.message.content ?? null;
  },
};

const chunkProto = {
  get content(): string | undefined {
    return (this as unknown as ChatCompletionChunk).choices[0]?.delta.content ?? undefined;
  },
};

export function asHubCompletion(completion: ChatCompletion): HubCompletion {
  return Object.setPrototypeOf(completion, completionProto) as HubCompletion;
}

export function asHubChunk(chunk: ChatCompletionChunk): HubChunk {
  return Object.setPrototypeOf(chunk, chunkProto) as HubChunk;
}
