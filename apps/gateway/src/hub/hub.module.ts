import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectorHub } from '@llm-connector-hub/hub';
import { createHub, createResponseCache, type HubConfig } from '@llm-connector-hub/assembly';
import { ResilienceEvents } from '@llm-connector-hub/resilience';
import { CacheEvents, CacheMiddleware } from '@llm-connector-hub/cache';
import { GatewayMetrics } from '@llm-connector-hub/observability';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { logResilienceEvents } from '../resilience/resilience-log.listener';
import { logFunction } from '../common/json-log';
import { ROOT_LOGGER } from '../observability/observability.tokens';

/**
 * The hub as Nest providers: createHub (libs/assembly) builds it and sets the middleware order;
 * this module gives it the gateway's metrics and logs, and shares the cache and the event
 * channels with health and metrics.
 */
@Global()
@Module({
  providers: [
    { provide: ResilienceEvents, useFactory: () => new ResilienceEvents() },
    { provide: CacheEvents, useFactory: () => new CacheEvents() },
    {
      provide: CacheMiddleware,
      inject: [GATEWAY_CONFIG, CacheEvents],
      useFactory: (config: HubConfig, events: CacheEvents) => createResponseCache(config.cache, events),
    },
    {
      provide: ConnectorHub,
      inject: [GATEWAY_CONFIG, ResilienceEvents, CacheMiddleware, GatewayMetrics, ROOT_LOGGER],
      useFactory: (config: HubConfig, resilienceEvents: ResilienceEvents, cache: CacheMiddleware | null, metrics: GatewayMetrics | null, logger: Logger) => {
        if (config.server.logLevel !== 'silent') logResilienceEvents(resilienceEvents, logFunction(logger), config.server.logLevel === 'debug');
        return createHub(config, {
          cache,
          resilienceEvents,
          onUpstreamAttempt: metrics ? (provider, model, seconds) => metrics.upstreamAttempt(provider, model, seconds) : undefined,
        });
      },
    },
  ],
  exports: [ConnectorHub, ResilienceEvents, CacheEvents, CacheMiddleware],
})
export class HubModule implements OnApplicationShutdown {
  constructor(@Inject(ConnectorHub) private readonly hub: ConnectorHub) {}

  /** Closes the providers' pools and the cache (a middleware of the hub). */
  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
