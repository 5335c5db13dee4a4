import type { ChatRequest } from '@llm-connector-hub/core';

/**
 * The canonical request is OpenAI's own, so the wire body is the request itself. Streams always
 * ask for usage (the gateway accounts tokens); the gateway drops the usage chunk again when the
 * client did not ask for it.
 */
export function toOpenAIRequest(request: ChatRequest, stream: boolean): ChatRequest {
  if (stream) return { ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } };
  if (request.stream === undefined && request.stream_options === undefined) return request;
  const { stream: _stream, stream_options: _options, ...rest } = request;
  return rest;
}
