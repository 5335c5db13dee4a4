import { HubError } from './hub-error';
import { echo } from './echo';

/** Factories for the errors the gateway raises itself (not passed on from a provider). */
export const HubErrors = {
  invalidRequest(message: string, param?: string | null, code = 'invalid_request'): HubError {
    return new HubError({ status: 400, type: 'invalid_request_error', code, message, param });
  },
  unauthorized(message = 'Missing or invalid API key. Send it as "Authorization: Bearer <key>".'): HubError {
    return new HubError({ status: 401, type: 'authentication_error', code: 'invalid_api_key', message });
  },
  modelNotFound(model: string): HubError {
    return new HubError({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: `The model '${echo(model)}' does not exist or is not configured on this gateway. GET /v1/models lists the models you can use.`,
    });
  },
  providerNotFound(provider: string): HubError {
    return new HubError({
      status: 404,
      type: 'invalid_request_error',
      code: 'provider_not_found',
      param: 'provider',
      message: `The provider '${echo(provider)}' is not configured on this gateway.`,
    });
  },
  unsupported(provider: string, capability: string): HubError {
    return new HubError({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_capability',
      param: 'model',
      message: `The provider '${provider}' does not support ${capability}.`,
    });
  },
  invalidModelName(problem: string): HubError {
    return new HubError({ status: 400, type: 'invalid_request_error', code: 'invalid_model', param: 'model', message: `model ${problem}.` });
  },
  routeNotFound(method: string, url: string): HubError {
    return new HubError({
      status: 404,
      type: 'invalid_request_error',
      code: 'route_not_found',
      message: `No route for ${echo(method)} ${echo(url)}.`,
    });
  },
  invalidUrl(): HubError {
    return new HubError({ status: 400, type: 'invalid_request_error', code: 'invalid_url', message: 'The request URL is not valid (malformed percent-encoding).' });
  },
  payloadTooLarge(limitBytes: number): HubError {
    return new HubError({
      status: 413,
      type: 'invalid_request_error',
      code: 'payload_too_large',
      message: `Request body is larger than the limit of ${limitBytes} bytes.`,
    });
  },
  unsupportedMediaType(contentType: string | undefined): HubError {
    return new HubError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: `Content-Type must be application/json${contentType ? `, got '${contentType}'` : ''}.`,
    });
  },
  upstreamTimeout(provider: string, timeoutMs: number): HubError {
    return new HubError({
      status: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      provider,
      message: `The provider '${provider}' did not answer within ${timeoutMs} ms.`,
    });
  },
  /** The upstream went quiet: no response headers (a stream), or nothing more of an answer it had begun. */
  upstreamStalled(provider: string, timeoutMs: number, phase: 'headers' | 'body'): HubError {
    return new HubError({
      status: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      provider,
      message:
        phase === 'headers'
          ? `The provider '${provider}' sent no response headers within ${timeoutMs} ms.`
          : `The provider '${provider}' sent nothing more of its answer for ${timeoutMs} ms.`,
    });
  },
  /** An upstream answer (`answer`) or one of its stream events (`event`) was larger than the gateway's limit. */
  upstreamResponseTooLarge(provider: string, limitBytes: number, what: 'answer' | 'event'): HubError {
    return new HubError({
      status: 502,
      type: 'api_error',
      code: 'upstream_response_too_large',
      provider,
      message:
        what === 'answer'
          ? `The answer from provider '${provider}' is larger than the gateway's limit of ${limitBytes} bytes (upstream.maxResponseBytes).`
          : `A stream event from provider '${provider}' is larger than the gateway's limit of ${limitBytes} bytes (upstream.maxEventBytes).`,
    });
  },
  upstreamConnection(provider: string, cause: unknown): HubError {
    const reason = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
    return new HubError({
      status: 502,
      type: 'api_error',
      code: 'upstream_connection_error',
      provider,
      cause,
      message: `Could not reach the provider '${provider}' (${reason}).`,
    });
  },
  upstreamBadResponse(provider: string, detail: string): HubError {
    return new HubError({
      status: 502,
      type: 'api_error',
      code: 'upstream_bad_response',
      provider,
      message: `The provider '${provider}' sent an answer the gateway could not read: ${detail}.`,
    });
  },
  streamInterrupted(provider: string, detail: string): HubError {
    return new HubError({
      status: 502,
      type: 'api_error',
      code: 'upstream_stream_interrupted',
      provider,
      message: `The stream from provider '${provider}' ended before it was complete: ${detail}.`,
    });
  },
  clientClosed(): HubError {
    return new HubError({ status: 499, type: 'invalid_request_error', code: 'client_closed_request', message: 'The client closed the request.' });
  },
};

const UPSTREAM_STATUS_MAP: Record<number, { status: number; type: HubError['type']; code: string }> = {
  400: { status: 400, type: 'invalid_request_error', code: 'upstream_invalid_request' },
  401: { status: 401, type: 'authentication_error', code: 'upstream_authentication_failed' },
  403: { status: 403, type: 'permission_error', code: 'upstream_permission_denied' },
  404: { status: 404, type: 'not_found_error', code: 'upstream_not_found' },
  408: { status: 504, type: 'timeout_error', code: 'upstream_timeout' },
  409: { status: 409, type: 'invalid_request_error', code: 'upstream_conflict' },
  413: { status: 413, type: 'invalid_request_error', code: 'upstream_payload_too_large' },
  422: { status: 400, type: 'invalid_request_error', code: 'upstream_invalid_request' },
  429: { status: 429, type: 'rate_limit_error', code: 'upstream_rate_limited' },
};

/**
 * Maps a provider's HTTP error to the status the client sees: 4xx keep their meaning (401, 403,
 * 404 and 429 pass through), every 5xx becomes 502 since the failure is the upstream's, not ours.
 */
export function upstreamHttpError(
  provider: string,
  upstreamStatus: number,
  message: string,
  retryAfterSeconds?: number,
): HubError {
  const mapped = UPSTREAM_STATUS_MAP[upstreamStatus] ??
    (upstreamStatus >= 500
      ? { status: 502, type: 'api_error' as const, code: 'upstream_error' }
      : { status: upstreamStatus, type: 'invalid_request_error' as const, code: 'upstream_client_error' });
  return new HubError({
    ...mapped,
    provider,
    upstreamStatus,
    retryAfterSeconds,
    message: `${provider} returned HTTP ${upstreamStatus}: ${message}`,
  });
}
