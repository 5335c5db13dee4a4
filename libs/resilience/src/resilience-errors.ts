import { HubError, HubErrors } from '@llm-connector-hub/core';

/** Errors the resilience layer raises itself. All are retryable for fallback purposes. */
export const ResilienceErrors = {
  circuitOpen(provider: string, model: string, retryAfterSeconds: number): HubError {
    return new HubError({
      status: 503,
      type: 'api_error',
      code: 'circuit_open',
      provider,
      retryAfterSeconds,
      message: `The circuit breaker for ${provider}/${model} is open after repeated upstream failures; retry later.`,
    });
  },
  bulkheadFull(provider: string): HubError {
    return new HubError({
      status: 429,
      type: 'rate_limit_error',
      code: 'gateway_overloaded',
      provider,
      retryAfterSeconds: 1,
      message: `Too many concurrent requests to provider '${provider}' on this gateway replica; retry shortly.`,
    });
  },
  /** Same error as the hub's total timeout: to the client, both mean the provider was too slow. */
  attemptTimeout(provider: string, timeoutMs: number): HubError {
    return HubErrors.upstreamTimeout(provider, timeoutMs);
  },
  firstTokenTimeout(provider: string, timeoutMs: number): HubError {
    return new HubError({
      status: 504,
      type: 'timeout_error',
      code: 'first_token_timeout',
      provider,
      message: `The provider '${provider}' sent no first token within ${timeoutMs} ms.`,
    });
  },
};

/**
 * Failures worth another try (same or another target): 408/409/429/5xx, connection errors, timeouts, open breakers, full bulkheads.
 * Not an answer over the gateway's size limits: asked again, the same request would most likely
 * get as large an answer, downloaded (and paid for) once more.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (!(error instanceof HubError)) return false;
  switch (error.code) {
    case 'upstream_response_too_large':
      return false;
    case 'upstream_timeout':
    case 'first_token_timeout':
    case 'upstream_connection_error':
    case 'upstream_bad_response':
    case 'upstream_stream_interrupted':
    case 'circuit_open':
    case 'gateway_overloaded':
      return true;
    default:
      return error.retryable;
  }
}

/**
 * Failures that say something about the upstream's health. Client errors (400/401/403/404/422)
 * do not, and neither does a 429: a rate limit is a quota (per key, organisation or model, often
 * per token count), not an outage, and opening the breaker would refuse every caller of the
 * model for a cooldown that has nothing to do with the quota's window (docs/resilience.md).
 * Nor does an answer over the gateway's size limits: its size follows from what was asked (a long
 * output, many choices, logprobs), so counting it would let one caller's requests open the
 * breaker for everyone using that model.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  if (!(error instanceof HubError)) return true;
  switch (error.code) {
    case 'client_closed_request':
    case 'circuit_open':
    case 'gateway_overloaded':
    case 'upstream_response_too_large':
      return false;
  }
  const status = error.upstreamStatus;
  if (status !== undefined && status >= 400 && status < 500) return status === 408;
  return error.status >= 500 || error.code === 'upstream_timeout' || error.code === 'first_token_timeout';
}
