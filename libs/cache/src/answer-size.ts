import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';

/**
 * The rough in-memory size of an answer, estimated from its text (two bytes per UTF-16 unit) plus a
 * fixed overhead per answer and per tool call. Not JSON.stringify(body).length: with a Redis tier
 * Keyv serializes the answer anyway, and a second stringify per answer only to size it is not
 * worth it. Logprobs, rare and bulky, are the exception: they are measured as JSON.
 */
export const ANSWER_OVERHEAD_BYTES = 512;
export const TOOL_CALL_OVERHEAD_BYTES = 128;
/** An embedding number held in a JS array, or written as JSON. */
const EMBEDDING_NUMBER_BYTES = 20;

export function textBytes(text: string | null | undefined): number {
  return (text?.length ?? 0) * 2;
}

export function logprobsBytes(logprobs: unknown): number {
  return logprobs == null ? 0 : textBytes(JSON.stringify(logprobs));
}

export function estimateAnswerBytes(body: ChatCompletion | EmbeddingResponse): number {
  if (body.object === 'list') {
    return body.data.reduce(
      (sum, item) => sum + (Array.isArray(item.embedding) ? item.embedding.length * EMBEDDING_NUMBER_BYTES : item.embedding.length),
      256,
    );
  }
  let bytes = ANSWER_OVERHEAD_BYTES;
  for (const choice of body.choices) {
    bytes += textBytes(choice.message.content) + textBytes(choice.message.refusal) + logprobsBytes(choice.logprobs);
    for (const call of choice.message.tool_calls ?? []) bytes += textBytes(call.function.arguments) + TOOL_CALL_OVERHEAD_BYTES;
  }
  return bytes;
}
