import type { HubError } from '@llm-connector-hub/core';
import type { HubCallMeta } from '@llm-connector-hub/hub';
import { isRetryableFailure } from '@llm-connector-hub/resilience';

/**
 * The longest Retry-After sent to a client, in seconds. It is the longest wait the OpenAI and
 * Anthropic SDKs honour: they replace a longer one with their own sub-second backoff. A longer
 * ask (a quota spent for the day, a far-future date) is not something a retry loop should wait
 * out, so such answers also say `x-should-retry: false`.
 */
export const MAX_CLIENT_RETRY_AFTER_SECONDS = 60;

/**
 * Whether and when a client should retry a failed request: `x-should-retry` (obeyed by the
 * OpenAI and Anthropic SDKs, which otherwise retry 408, 409, 429 and 5xx by themselves) and
 * `retry-after`. Retries at two layers multiply (3 gateway attempts x 3 SDK attempts = 9
 * upstream calls for one 429), so the gateway says `false` when:
 *  - a retry cannot help (client errors; upstream answers the gateway does not retry either);
 *  - the gateway already retried or fell back (`meta.attempts` > 1);
 *  - the retry budget refused a retry (a wide outage: more retries only add load);
 *  - the upstream asked for a wait longer than MAX_CLIENT_RETRY_AFTER_SECONDS.
 * Otherwise `true`: the gateway made one attempt or none (retries off, a Retry-After longer than
 * it waits, an open breaker, a full bulkhead, a replica shutting down), and the client's retry
 * is one more upstream call at most.
 *
 * Retry-After only on 429 and 503, where it means something (RFC 6585 §4, RFC 9110 §10.2.3),
 * capped at MAX_CLIENT_RETRY_AFTER_SECONDS. `meta` is absent for requests that never reached the hub.
 */
export function retryHeaders(error: HubError, meta: HubCallMeta | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const asked = error.retryAfterSeconds;
  if (asked !== undefined && (error.status === 429 || error.status === 503)) {
    headers['retry-after'] = String(Math.min(Math.max(Math.ceil(asked), 0), MAX_CLIENT_RETRY_AFTER_SECONDS));
  }
  headers['x-should-retry'] = String(clientShouldRetry(error, meta));
  return headers;
}

function clientShouldRetry(error: HubError, meta: HubCallMeta | undefined): boolean {
  // The error catalogue's verdict, the same the gateway's own retry and fallback act on.
  if (!isRetryableFailure(error)) return false;
  if ((meta?.attempts ?? 0) > 1 || meta?.retryBudgetExhausted === true) return false;
  return error.retryAfterSeconds === undefined || error.retryAfterSeconds <= MAX_CLIENT_RETRY_AFTER_SECONDS;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The hub's account of this request's call, set by the controllers that call the hub (see retryHeaders). */
    hubMeta?: HubCallMeta;
  }
}
