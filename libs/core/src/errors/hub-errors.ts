import type { HubError } from './hub-error';
import { hubError } from './catalogue-error';

type InvalidRequestCode = 'invalid_request' | 'invalid_body' | 'invalid_value';

/** Factories for the errors the hub raises itself (not passed on from a provider); each code's facts are in the catalogue. */
export const HubErrors = {
  invalidRequest(message: string, param?: string | null, code: InvalidRequestCode = 'invalid_request'): HubError {
    return hubError(code, { detail: message }, { param });
  },
  unauthorized(message?: string): HubError {
    return hubError('invalid_api_key', { detail: message });
  },
  modelNotFound(model: string): HubError {
    return hubError('model_not_found', { model }, { param: 'model' });
  },
  providerNotFound(provider: string): HubError {
    return hubError('provider_not_found', { provider }, { param: 'provider' });
  },
  unsupported(provider: string, capability: string): HubError {
    return hubError('unsupported_capability', { provider, capability }, { param: 'model' });
  },
  invalidModelName(problem: string): HubError {
    return hubError('invalid_model', { problem }, { param: 'model' });
  },
  routeNotFound(method: string, url: string): HubError {
    return hubError('route_not_found', { method, url });
  },
  invalidUrl(): HubError {
    return hubError('invalid_url');
  },
  payloadTooLarge(limitBytes: number): HubError {
    return hubError('payload_too_large', { limitBytes });
  },
  unsupportedMediaType(contentType: string | undefined): HubError {
    return hubError('unsupported_media_type', { contentType });
  },
  upstreamTimeout(provider: string, timeoutMs: number): HubError {
    return hubError('upstream_timeout', { provider, timeoutMs }, { provider });
  },
  /** The upstream went quiet: no response headers (a stream), or nothing more of an answer it had begun. */
  upstreamStalled(provider: string, timeoutMs: number, phase: 'headers' | 'body'): HubError {
    return hubError('upstream_timeout', { provider, timeoutMs, phase }, { provider });
  },
  /** An upstream answer (`answer`) or one of its stream events (`event`) was larger than the gateway's limit. */
  upstreamResponseTooLarge(provider: string, limitBytes: number, what: 'answer' | 'event'): HubError {
    return hubError('upstream_response_too_large', { provider, limitBytes, what }, { provider });
  },
  upstreamConnection(provider: string, cause: unknown): HubError {
    const reason = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
    return hubError('upstream_connection_error', { provider, reason }, { provider, cause });
  },
  upstreamBadResponse(provider: string, detail: string): HubError {
    return hubError('upstream_bad_response', { provider, detail }, { provider });
  },
  streamInterrupted(provider: string, detail: string): HubError {
    return hubError('upstream_stream_interrupted', { provider, detail }, { provider });
  },
  clientClosed(): HubError {
    return hubError('client_closed_request');
  },
};

type UpstreamCode =
  | 'upstream_invalid_request'
  | 'upstream_authentication_failed'
  | 'upstream_permission_denied'
  | 'upstream_not_found'
  | 'upstream_timeout'
  | 'upstream_conflict'
  | 'upstream_payload_too_large'
  | 'upstream_rate_limited';

const UPSTREAM_STATUS_CODES: Record<number, UpstreamCode> = {
  400: 'upstream_invalid_request',
  401: 'upstream_authentication_failed',
  403: 'upstream_permission_denied',
  404: 'upstream_not_found',
  408: 'upstream_timeout',
  409: 'upstream_conflict',
  413: 'upstream_payload_too_large',
  422: 'upstream_invalid_request',
  429: 'upstream_rate_limited',
};

/**
 * What a provider's translator can tell beyond the status: `quota_exceeded` for a 429 that is a
 * spent credit or spend limit (OpenAI's `insufficient_quota`), not a rate limit.
 */
export type UpstreamErrorReason = 'quota_exceeded';

/**
 * Maps a provider's HTTP error to the code the client sees (and the catalogue gives its status):
 * 4xx keep their meaning (401, 403, 404 and 429 pass through), every 5xx becomes 502 since the
 * failure is the upstream's, not ours.
 */
export function upstreamHttpError(
  provider: string,
  upstreamStatus: number,
  message: string,
  retryAfterSeconds?: number,
  reason?: UpstreamErrorReason,
): HubError {
  const code =
    reason === 'quota_exceeded' && upstreamStatus === 429
      ? 'upstream_quota_exceeded'
      : (UPSTREAM_STATUS_CODES[upstreamStatus] ?? (upstreamStatus >= 500 ? 'upstream_error' : 'upstream_client_error'));
  return hubError(code, { provider, upstreamStatus, detail: message }, { provider, upstreamStatus, retryAfterSeconds, status: upstreamStatus });
}
