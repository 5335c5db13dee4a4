import type { FastifyRequest } from 'fastify';
import {
  AnthropicStreamEncoder,
  countTokensParamsSchema,
  estimateInputTokens,
  messageCreateParamsSchema,
  sseEvent,
  toAnthropicErrorBody,
  toAnthropicMessage,
  toChatRequest,
} from '@llm-connector-hub/dialects';
import { NATIVE_DIALECTS, type HubError } from '@llm-connector-hub/core';
import type { ModelRoute } from './model-routes';
import type { ResponseShape } from './response-shapes';
import { anthropicNativeRequest } from './anthropic-native';
import { passingNative } from './native-shape';

/**
 * Anthropic's Messages API (`POST /v1/messages`, `POST /v1/messages/count_tokens`) for every
 * provider: the request is translated to the canonical one, and the hub's answer, chunks and
 * errors are written back in Anthropic's shapes (libs/dialects). The call itself is the
 * responder's, as on every model route. A query string (`?beta=true` from the SDK's beta
 * client) does not change the route, and `anthropic-version`/`anthropic-beta` are not checked.
 */

/** Anthropic's error body, with the request id it also sends in the `request-id` header. */
const errorBody = (error: HubError, request: FastifyRequest) => toAnthropicErrorBody(error, request.id);
/** Anthropic names its request id `request-id`; the gateway's `x-request-id` is sent too. */
const headers = (request: FastifyRequest) => ({ 'request-id': request.id });

/** The Message, or the stream of Anthropic events, under the model name the client asked for. */
function anthropicShape(model: string): ResponseShape {
  return {
    json: (completion) => toAnthropicMessage(completion, model),
    stream(meta) {
      const encoder = new AnthropicStreamEncoder(model, meta.provider ?? 'upstream');
      const frames = (events: ReturnType<AnthropicStreamEncoder['end']>) => events.map(sseEvent).join('');
      return {
        chunk: (chunk) => frames(encoder.push(chunk)),
        end: () => frames(encoder.end()),
        error: (error) => sseEvent(toAnthropicErrorBody(error)),
      };
    },
  };
}

export const ANTHROPIC_MESSAGES_ROUTE = {
  url: '/v1/messages',
  body: messageCreateParamsSchema,
  // A route with an Anthropic target hands over the client's own body (docs/architecture.md,
  // "Native pass-through"): what the canonical request cannot carry is then left out of it, not
  // refused. Other routes stay plain translations (cacheable like any chat call).
  answer: (responder, request, reply, body) => {
    const native = responder.takesNatively(body.model, NATIVE_DIALECTS.anthropicMessages) ? anthropicNativeRequest(request) : undefined;
    const chat = toChatRequest(body, { untranslatable: native ? 'drop' : 'refuse' });
    return responder.chat(request, reply, chat, passingNative(NATIVE_DIALECTS.anthropicMessages, anthropicShape(body.model)), native);
  },
  keepsReceivedBody: true,
  errorBody,
  headers,
} satisfies ModelRoute<typeof messageCreateParamsSchema>;

/** Never a 404 (Claude Code calls it dozens of times at start): an estimate of the input tokens (docs/api.md says how). */
export const ANTHROPIC_COUNT_TOKENS_ROUTE = {
  url: '/v1/messages/count_tokens',
  body: countTokensParamsSchema,
  answer: async (_responder, _request, reply, body) => {
    await reply.send({ input_tokens: estimateInputTokens(body) });
  },
  errorBody,
  headers,
} satisfies ModelRoute<typeof countTokensParamsSchema>;
