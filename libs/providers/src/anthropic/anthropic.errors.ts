import type { HubError } from '@llm-connector-hub/core';
import { upstreamHttpError } from '@llm-connector-hub/core';

/**
 * Anthropic's error body: `{ "type": "error", "error": { "type", "message" }, "request_id" }`.
 * A 413 comes from Cloudflare in front of the API and may not be JSON at all; the transport then
 * falls back to the raw text.
 */
export function anthropicErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as { error?: unknown; message?: unknown };
  if (record.error && typeof record.error === 'object') {
    const message = (record.error as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
    const type = (record.error as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  if (typeof record.error === 'string') return record.error;
  if (typeof record.message === 'string') return record.message;
  return undefined;
}

/**
 * The HTTP status each documented error type stands for. A stream error arrives after the 200,
 * so its status must be inferred from the type for retry/fallback to treat it like the HTTP one.
 */
const ERROR_TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The status of an Anthropic error type; an unknown type counts as a server error. */
export function anthropicErrorStatus(type: unknown): number {
  return (typeof type === 'string' && ERROR_TYPE_STATUS[type]) || 500;
}

/** The HubError for an `event: error` received mid-stream. */
export function anthropicStreamError(provider: string, body: unknown): HubError {
  const type = body && typeof body === 'object' ? (body as { error?: { type?: unknown } }).error?.type : undefined;
  return upstreamHttpError(provider, anthropicErrorStatus(type), anthropicErrorMessage(body) ?? 'stream error');
}
