import { ConnectorHub } from '@llm-connector-hub/hub';
import { CacheEvents, type CacheMiddleware } from '@llm-connector-hub/cache';
import { ResilienceEvents, resolveResilienceOptions, type ResilienceSettings } from '@llm-connector-hub/resilience';
import { PROVIDER_PLUGINS, type ProviderPlugin } from '@llm-connector-hub/providers';
import type { HubConfig } from './hub-config';
import { advertisedModels, pluginFor } from './provider-entries';
import { installResilience } from './resilience-pipeline';
import { createResponseCache } from './response-cache';

export interface CreateHubOptions {
  /** The provider types the config may name (default: the registry, PROVIDER_PLUGINS). */
  plugins?: readonly ProviderPlugin[];
  /** The response cache; default: built from `config.cache` (null when `type: none`). */
  cache?: CacheMiddleware | null;
  /** Where the cache's events go (hits, misses, Redis trouble), when the cache is built here. */
  cacheEvents?: CacheEvents;
  /** Where the resilience layers' events go (breaker states, retries, fallbacks). */
  resilienceEvents?: ResilienceEvents;
  /** Called after every upstream attempt, for upstream latency metrics (ConnectorHubOptions). */
  onUpstreamAttempt?: (provider: string, model: string, seconds: number) => void;
}

/**
 * The hub a config describes: its providers, built by their plugins, and the middleware in the
 * one order the design sets (outermost first): the response cache, so a hit skips everything
 * else, then fallback over an alias's targets, bulkhead, circuit breaker, retry, and the attempt
 * and first-token timeouts. The gateway and embedders get the same hub; `hub.close()` frees the
 * providers' pools and the cache's connections.
 */
export function createHub(config: HubConfig, options: CreateHubOptions = {}): ConnectorHub {
  const plugins = options.plugins ?? PROVIDER_PLUGINS;
  const hub = new ConnectorHub({
    aliases: config.routing.aliases,
    defaultProvider: config.routing.defaultProvider,
    defaultTimeoutMs: config.timeouts.defaultMs,
    maxTimeoutMs: config.timeouts.maxMs,
    onUpstreamAttempt: options.onUpstreamAttempt,
  });
  const resilience = config.resilience as ResilienceSettings;
  for (const [name, entry] of Object.entries(config.providers)) {
    // Also with resilience off: the bulkhead's figure is the provider's concurrency either way.
    const { maxConcurrent } = resolveResilienceOptions(resilience, name).bulkhead;
    const upstream = { ...config.upstream, ...(entry.upstream as object | undefined) };
    const context = { name, models: advertisedModels(entry, plugins), upstream, maxConcurrent };
    hub.registerProvider(name, pluginFor(entry.type, plugins).create(entry, context));
  }
  const cache = options.cache !== undefined ? options.cache : createResponseCache(config.cache, options.cacheEvents ?? new CacheEvents());
  if (cache) hub.use(cache);
  installResilience(hub, config, options.resilienceEvents ?? new ResilienceEvents());
  return hub;
}
