import type { HubCallMeta, HubCompletion } from '@llm-connector-hub/hub';
import type { StreamEncoding } from '../chat/sse-writer';

/**
 * How a route presents a finished non-stream chat answer. A route with a dialect of its own
 * (Anthropic's /v1/messages, the Responses API) adds its shape here; the call itself, its
 * headers, cost and lifecycle stay the responder's.
 */
export interface ResponseShape {
  /** The JSON body; may wait (e.g. to store the answer before the client can refer to it). */
  json(completion: HubCompletion, meta: HubCallMeta): unknown;
  /** How its stream is framed, made once the first chunk is in (meta names the provider); OpenAI's chunks when absent. */
  stream?(meta: HubCallMeta): StreamEncoding;
}

/** OpenAI's Chat Completions shape (/v1): the completion as the hub returns it. */
export const OPENAI_SHAPE: ResponseShape = {
  json: (completion) => completion,
};

/** The hub's own REST shape (/api): the completion plus `provider`, `content`, `tool_calls` and `finish_reason` at the top level. */
export const HUB_SHAPE: ResponseShape = {
  json(completion, meta) {
    const choice = completion.choices[0];
    return {
      ...completion,
      provider: meta.provider,
      content: completion.content,
      tool_calls: choice?.message.tool_calls,
      finish_reason: choice?.finish_reason ?? null,
    };
  },
};
