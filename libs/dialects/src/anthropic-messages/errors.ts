import type { HubError, HubErrorType } from '@llm-connector-hub/core';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** Anthropic's error body, for an answer and for a stream's `error` event. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string | null;
}

/** The catalogue's error types in Anthropic's vocabulary (a Record, so a new type must be placed here). */
const TYPES: Record<HubErrorType, AnthropicErrorType> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  // A spent quota is a 429 too; Anthropic's own billing_error is not in the clients' union of every SDK.
  insufficient_quota: 'rate_limit_error',
  api_error: 'api_error',
  timeout_error: 'api_error',
};

/**
 * Anthropic's type for a gateway error, from the catalogue's type and status (the status stays
 * the catalogue's): every 404 is `not_found_error` (the catalogue calls an unknown model an
 * invalid request, Anthropic a missing resource), an upstream's 529 is `overloaded_error`.
 */
export function anthropicErrorType(error: HubError): AnthropicErrorType {
  if (error.status === 404) return 'not_found_error';
  if (error.upstreamStatus === 529) return 'overloaded_error';
  return TYPES[error.type] ?? 'api_error';
}

export function toAnthropicErrorBody(error: HubError, requestId?: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message }, ...(requestId ? { request_id: requestId } : {}) };
}
