/** Response header naming the provider instance that served the request. */
export const PROVIDER_HEADER = 'x-llm-hub-provider';
/** Response header naming the `provider/model` that served (after any fallback). */
export const TARGET_HEADER = 'x-llm-hub-target';
/** Response header counting the upstream attempts made (retries and fallbacks included). */
export const ATTEMPTS_HEADER = 'x-llm-hub-attempts';
/** Request header overriding the request's total timeout in ms (capped by timeouts.maxMs). */
export const TIMEOUT_HEADER = 'x-llm-hub-timeout-ms';
export const REQUEST_ID_HEADER = 'x-request-id';
/** Response header: HIT (answered from the cache), MISS (looked up, went upstream) or BYPASS. */
export const CACHE_HEADER = 'x-llm-hub-cache';
/** Response header (a trailer for streams): what the request cost in USD; 0 for a cache hit; absent without a price. */
export const COST_HEADER = 'x-llm-hub-cost-usd';
/** Request header: seconds to keep this answer in the cache (capped by cache.maxTtlSeconds). */
export const CACHE_TTL_HEADER = 'x-llm-hub-cache-ttl';

/** Characters a header value keeps as they are: printable ASCII but '%', the escape itself. */
const HEADER_SAFE = /^[\x20-\x24\x26-\x7e]*$/;

/**
 * A header value built from a client's input (a model name): printable ASCII is kept, anything
 * else (emoji, CJK, Latin-1) is percent-encoded as UTF-8, as in a URL, so Node never refuses
 * the header and a client gets the original back with decodeURIComponent.
 */
export function headerValue(text: string): string {
  if (HEADER_SAFE.test(text)) return text;
  let out = '';
  // A lone surrogate has no UTF-8 form: it becomes U+FFFD's, so this never throws.
  for (const char of text) out += HEADER_SAFE.test(char) ? char : char.isWellFormed() ? encodeURIComponent(char) : '%EF%BF%BD';
  return out;
}

/** The served-by headers for a finished or started call. */
export function servedHeaders(meta: { provider?: string; target?: string; attempts?: number; cache?: string }): Record<string, string> {
  return {
    [PROVIDER_HEADER]: meta.provider ?? '',
    [TARGET_HEADER]: headerValue(meta.target ?? ''),
    [ATTEMPTS_HEADER]: String(meta.attempts ?? 0),
    [CACHE_HEADER]: meta.cache ?? 'BYPASS',
  };
}

/** The headers a failed call still carries: how hard the gateway tried, and what the cache did. */
export function failureHeaders(meta: { attempts?: number; cache?: string }): Record<string, string> {
  return { [ATTEMPTS_HEADER]: String(meta.attempts ?? 0), [CACHE_HEADER]: meta.cache ?? 'BYPASS' };
}

/** USD with up to 10 decimals, no exponent (1e-7 would confuse header parsers and humans). */
export function costHeaderValue(usd: number): string {
  if (usd === 0) return '0'; // every cache hit
  return usd.toFixed(10).replace(/\.?0+$/, '');
}
