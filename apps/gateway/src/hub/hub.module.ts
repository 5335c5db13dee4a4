import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectorHub } from '@llm-connector-hub/hub';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { ResilienceEvents, resolveResilienceOptions } from '@llm-connector-hub/resilience';
import { CacheEvents, CacheMiddleware } from '@llm-connector-hub/cache';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { installResilience } from '../resilience/resilience-pipeline';
import { logResilienceEvents } from '../resilience/resilience-log.listener';
import { createResponseCache } from '../cache/response-cache.factory';
import { logFunction } from '../common/json-log';
import { GatewayMetrics } from '@llm-connector-hub/observability';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../observability/observability.tokens';
import { createProvider } from './provider.factory';

/**
 * Wires the embeddable ConnectorHub from the config: one instance per process. Middleware order
 * (outermost first): the response cache, then the resilience layers, so a hit skips them all.
 */
@Global()
@Module({
  providers: [
    { provide: ResilienceEvents, useFactory: () => new ResilienceEvents() },
    { provide: CacheEvents, useFactory: () => new CacheEvents() },
    {
      provide: CacheMiddleware,
      inject: [GATEWAY_CONFIG, CacheEvents],
      useFactory: (config: GatewayConfig, events: CacheEvents) => createResponseCache(config.cache, events),
    },
    {
      provide: ConnectorHub,
      inject: [GATEWAY_CONFIG, ResilienceEvents, CacheMiddleware, GatewayMetrics, ROOT_LOGGER],
      useFactory: (config: GatewayConfig, events: ResilienceEvents, cache: CacheMiddleware | null, metrics: GatewayMetrics | null, logger: Logger) => {
        const hub = new ConnectorHub({
          aliases: config.routing.aliases,
          defaultProvider: config.routing.defaultProvider,
          defaultTimeoutMs: config.timeouts.defaultMs,
          maxTimeoutMs: config.timeouts.maxMs,
          onUpstreamAttempt: metrics ? (provider, model, seconds) => metrics.upstreamAttempt(provider, model, seconds) : undefined,
        });
        for (const [name, provider] of Object.entries(config.providers)) {
          // Also with resilience off: the bulkhead's figure is the provider's concurrency either way.
          const { maxConcurrent } = resolveResilienceOptions(config.resilience, name).bulkhead;
          hub.registerProvider(name, createProvider(name, provider, config.upstream, maxConcurrent));
        }
        if (cache) hub.use(cache);
        installResilience(hub, config, events);
        if (config.server.logLevel !== 'silent') logResilienceEvents(events, logFunction(logger), config.server.logLevel === 'debug');
        return hub;
      },
    },
  ],
  exports: [ConnectorHub, ResilienceEvents, CacheEvents, CacheMiddleware],
})
export class HubModule implements OnApplicationShutdown {
  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(CacheMiddleware) private readonly cache: CacheMiddleware | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.hub.close(), this.cache?.close()]);
  }
}
