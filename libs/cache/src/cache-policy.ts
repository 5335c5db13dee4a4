import type { ChatRequest } from '@llm-connector-hub/core';
import type { HubContext, HubEmbeddingContext } from '@llm-connector-hub/hub';

/**
 * Which calls the cache answers and stores when the call itself does not opt in:
 * - `deterministic`: only calls whose answer is meant to be the same each time: chat with
 *   `temperature: 0` or a `seed`, and one choice; every embedding.
 * - `all`: every call, whatever its sampling settings (a sampled answer is then replayed).
 */
export type Cacheable = 'deterministic' | 'all';

/** The policy's settings, part of CacheMiddleware's options (default: CACHE_DEFAULTS.cacheable). */
export interface CachePolicyOptions {
  /**
   * Which calls are cached when the call does not opt in itself (`cache.maxAgeSeconds` or
   * `cache.ttlSeconds` in its options; over HTTP `Cache-Control: max-age` or
   * `x-llm-hub-cache-ttl`), for every model without its own setting below. Calls left out get
   * `meta.cache` `UNCACHEABLE`: not looked up, not stored, not coalesced.
   */
  cacheable?: Cacheable;
  /** By the model name a caller sends (an alias, or `provider/model`): overrides `cacheable` for it. */
  models?: Readonly<Record<string, { readonly cacheable?: Cacheable }>>;
}

/**
 * Whether a call may be answered from the cache and its answer stored. A caller's explicit ask
 * (`max-age`, or a TTL for its answer) always opts in; otherwise the model's setting, then the
 * cache's. `no-cache`/`no-store` still apply on top of a cacheable call (CacheMiddleware).
 */
export function isCacheable(call: PolicyCall, cacheable: Cacheable, models: CachePolicyOptions['models']): boolean {
  if (call.cache.maxAgeSeconds !== undefined || call.cache.ttlSeconds !== undefined) return true;
  // Object.hasOwn: a model named `constructor` must not find Object.prototype's.
  const own = models && Object.hasOwn(models, call.requestedModel) ? models[call.requestedModel].cacheable : undefined;
  if ((own ?? cacheable) === 'all') return true;
  return call.kind === 'embedding' || isDeterministic(call.request);
}

/** What the policy reads of a call. */
export type PolicyCall = Pick<HubContext, 'kind' | 'request' | 'requestedModel' | 'cache'> | Pick<HubEmbeddingContext, 'kind' | 'request' | 'requestedModel' | 'cache'>;

/**
 * A chat request whose answer is meant to be the same each time. Greedy decoding
 * (`temperature: 0`, where `top_p` no longer matters) or a fixed `seed` (the caller asks for
 * reproducible samples); and one choice: `n > 1` asks for several different answers. A request
 * without `temperature` samples at the provider's default, which is above 0 everywhere, and
 * `top_p` alone never makes sampling greedy, so neither is deterministic.
 */
export function isDeterministic({ temperature, seed, n }: Pick<ChatRequest, 'temperature' | 'seed' | 'n'>): boolean {
  if (n !== undefined && n > 1) return false;
  return temperature === 0 || seed !== undefined;
}
