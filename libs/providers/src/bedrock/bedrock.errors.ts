import type { HubError } from '@llm-connector-hub/core';
import { upstreamHttpError } from '@llm-connector-hub/core';
import type { BedrockStreamEvent } from './bedrock.wire';

/** Bedrock's error body: `{ "message": "..." }` (some services capitalise it: `Message`). */
export function bedrockErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { message, Message } = body as { message?: unknown; Message?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (typeof Message === 'string' && Message !== '') return Message;
  return undefined;
}

/**
 * The HTTP status each ConverseStream exception stands for (the API reference gives them), so that
 * retry and fallback treat an exception mid-stream like the same error as an HTTP answer.
 */
const EXCEPTION_STATUS: Record<string, number> = {
  validationException: 400,
  throttlingException: 429,
  modelStreamErrorException: 424,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

/** The HubError for an exception or error message inside a stream; unknown types count as server errors. */
export function bedrockStreamError(provider: string, event: BedrockStreamEvent): HubError {
  const status = (event.messageType === 'exception' && EXCEPTION_STATUS[event.type]) || 500;
  const message = bedrockErrorMessage(event.body) ?? event.errorMessage ?? event.type;
  return upstreamHttpError(provider, status, message);
}
