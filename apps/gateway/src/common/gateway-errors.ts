import { hubError, type HubError } from '@llm-connector-hub/core';

/** Errors only the gateway raises; each code's facts are in core's error catalogue. */
export const GatewayErrors = {
  shuttingDown(): HubError {
    return hubError('shutting_down', undefined, { retryAfterSeconds: 1 });
  },
  /** `during` picks the message: a request (default), a stream under way, the metrics listener. */
  internal(during?: 'request' | 'stream' | 'metrics'): HubError {
    return hubError('internal_error', { during });
  },
};
