import { HubError, HubErrors, hubError } from '@llm-connector-hub/core';

/** Errors the resilience layer raises itself; whether each is retried or counted is in core's error catalogue. */
export const ResilienceErrors = {
  circuitOpen(provider: string, model: string, retryAfterSeconds: number): HubError {
    return hubError('circuit_open', { provider, model }, { provider, retryAfterSeconds });
  },
  bulkheadFull(provider: string): HubError {
    return hubError('gateway_overloaded', { provider }, { provider, retryAfterSeconds: 1 });
  },
  /** Same error as the hub's total timeout: to the client, both mean the provider was too slow. */
  attemptTimeout(provider: string, timeoutMs: number): HubError {
    return HubErrors.upstreamTimeout(provider, timeoutMs);
  },
  firstTokenTimeout(provider: string, timeoutMs: number): HubError {
    return hubError('first_token_timeout', { provider, timeoutMs }, { provider });
  },
};

/**
 * Failures worth another try (same or another target), as core's error catalogue says per code
 * (`HubError.retryable`). Anything that is not a HubError is a bug, not worth repeating.
 */
export function isRetryableFailure(error: unknown): boolean {
  return error instanceof HubError && error.retryable;
}

/** Failures another target of an alias may not have, as core's error catalogue says (`HubError.canFallBack`). */
export function isFallbackFailure(error: unknown): boolean {
  return error instanceof HubError && error.canFallBack;
}

/**
 * Failures that say something about the upstream's health, as core's error catalogue says per
 * code (`HubError.countsAgainstBreaker`; docs/resilience.md says why 429s and client errors do
 * not). Anything that is not a HubError failed in the provider's code: it counts.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  return !(error instanceof HubError) || error.countsAgainstBreaker;
}
