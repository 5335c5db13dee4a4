import { unixSeconds, type ChatCompletionChunk, type NativeEvent, type NativeRequest } from '@llm-connector-hub/core';

/**
 * How a provider sends a request that came in its own API dialect (NativeRequest) as it came:
 * which dialect, where, and which of the client's headers go along. The answer is read by the
 * provider's translator, as any answer in its wire format, for the canonical view the hub needs
 * (usage, cost, logs); the upstream's own answer travels beside it untouched. A dialect whose
 * answers are not the translator's wire format (OpenAI Responses before an OpenAI Chat
 * translator, say) would add its own reader here.
 */
export interface NativeWire {
  readonly dialect: string;
  /** Path and query of the dialect's endpoint, relative to the provider's base URL path. */
  path(stream: boolean): string;
  /**
   * The client's headers sent upstream with the native body: only names the dialect defines
   * (never credentials, which are the provider's own), merged with the provider's configured ones.
   */
  headers(native: NativeRequest): Record<string, string>;
}

/** The client's body with the target's model and the call's stream flag; every other byte of meaning as the client wrote it. */
export function nativeBody(native: NativeRequest, model: string, stream: boolean): Record<string, unknown> {
  // Spreading keeps the client's key order; `model` stays where the client put it.
  const body: Record<string, unknown> = { ...native.body, model };
  if (stream || body.stream !== undefined) body.stream = stream;
  return body;
}

/**
 * Attaches each upstream event to the chunks it became: the first of them, or a chunk with no
 * choices when it became none (a ping, a thinking delta), so every event reaches the caller once,
 * in order, and the canonical chunks (usage above all) still flow as they would.
 */
export function withNativeEvent(chunks: ChatCompletionChunk[], event: NativeEvent, last: ChatCompletionChunk | undefined, model: string): ChatCompletionChunk[] {
  if (chunks.length > 0) {
    chunks[0].native = event;
    return chunks;
  }
  return [
    {
      id: last?.id ?? '',
      object: 'chat.completion.chunk',
      created: last?.created ?? unixSeconds(),
      model: last?.model ?? model,
      choices: [],
      native: event,
    },
  ];
}
