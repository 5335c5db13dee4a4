/** Response header naming the provider instance that served the request. */
export const PROVIDER_HEADER = 'x-llm-hub-provider';
/** Response header naming the `provider/model` that served (after any fallback). */
export const TARGET_HEADER = 'x-llm-hub-target';
/** Response header counting the upstream attempts made (retries and fallbacks included). */
export const ATTEMPTS_HEADER = 'x-llm-hub-attempts';
/** Request header overriding the request's total timeout in ms (capped by timeouts.maxMs). */
export const TIMEOUT_HEADER = 'x-llm-hub-timeout-ms';
export const REQUEST_ID_HEADER = 'x-request-id';

/** The served-by headers for a finished or started call. */
export function servedHeaders(meta: { provider?: string; target?: string; attempts?: number }): Record<string, string> {
  return {
    [PROVIDER_HEADER]: meta.provider ?? '',
    [TARGET_HEADER]: meta.target ?? '',
    [ATTEMPTS_HEADER]: String(meta.attempts ?? 0),
  };
}
