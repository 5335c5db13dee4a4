import { sseFrame } from '@llm-connector-hub/core';
import type { StreamEncoding } from '../chat/sse-writer';
import type { ResponseShape } from './response-shapes';

/**
 * A dialect's response shape that writes the upstream's own answer when a provider served the
 * call's native request (ChatCompletion.native, ChatCompletionChunk.native): the Message, or every
 * upstream event, exactly as the upstream sent them. An answer served from the canonical request
 * (a fallback to a provider of another type) goes through `translated`, as before.
 */
export function passingNative(dialect: string, translated: ResponseShape): ResponseShape {
  return {
    json: (completion, meta) => (completion.native?.dialect === dialect ? completion.native.body : translated.json(completion, meta)),
    stream: translated.stream && ((meta) => nativeOrTranslated(translated.stream!(meta))),
  };
}

function nativeOrTranslated(encoding: StreamEncoding): StreamEncoding {
  // Decided by the first chunk: a natively served stream carries its event on it, and a stream
  // is served by one provider from its first chunk on (nothing is retried after it).
  let native: boolean | undefined;
  return {
    chunk: (chunk) => {
      native ??= chunk.native !== undefined;
      if (!native) return encoding.chunk(chunk);
      // The other chunks of an event carry its canonical view only (usage, for the cost).
      return chunk.native ? sseFrame(chunk.native) : '';
    },
    // The upstream's own end (message_stop) has passed already.
    end: () => (native ? '' : encoding.end()),
    error: (error) => encoding.error(error),
  };
}
